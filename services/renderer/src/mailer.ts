import nodemailer from 'nodemailer';
import type { TransportOptions } from 'nodemailer';

/** One message ready for SMTP. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  headers: Record<string, string>;
  /**
   * Headers sent exactly as written (printable ASCII), never MIME-encoded or folded by
   * nodemailer: ESP relays parse X-SMTPAPI / X-Mailgun-Variables as raw JSON, and nodemailer
   * turns a long or quote-holding value into `=?UTF-8?Q?…?=`, which they do not decode.
   */
  rawHeaders?: Record<string, string>;
}

const PRINTABLE = /^[\x20-\x7e]{0,900}$/;

/** nodemailer's header map: raw headers `prepared` when safe, else left to its encoding. */
export function nodemailerHeaders(
  mail: OutgoingMail,
): Record<string, string | { prepared: true; value: string }> {
  const out: Record<string, string | { prepared: true; value: string }> = { ...mail.headers };
  for (const [k, v] of Object.entries(mail.rawHeaders ?? {}))
    out[k] = PRINTABLE.test(v) ? { prepared: true, value: v } : v;
  return out;
}

/** Why SMTP failed, as far as the at-most-once rule cares. */
export type MailFailure =
  /**
   * Not accepted, and safe to retry: a 4xx reply (at any step, DATA included: the server answered
   * and did not take the message) or a connection that failed before the data was handed over.
   */
  | { kind: 'transient'; message: string; response: string | null }
  /** The server refused the message for good (5xx). */
  | { kind: 'rejected'; message: string; response: string }
  /** The data went out and the answer was lost: it may have been delivered. */
  | { kind: 'ambiguous'; message: string };

export type MailResult = { ok: true; response: string } | { ok: false; failure: MailFailure };

/** What a retrying mailer tells its caller around the wait before a retry. */
export interface RetryControl {
  /** Before waiting `delayMs` after a transient failure; throws when the send must stop. */
  pause(delayMs: number): Promise<void>;
  /** After the wait, before the next attempt; throws when the send must stop. */
  resume(): Promise<void>;
}

export interface Mailer {
  send(mail: OutgoingMail, control?: RetryControl): Promise<MailResult>;
  close(): void;
}

const BEFORE_DATA = new Set([
  'CONN',
  'EHLO',
  'HELO',
  'STARTTLS',
  'AUTH PLAIN',
  'AUTH LOGIN',
  'MAIL FROM',
  'RCPT TO',
  'API',
]);

/** Sorts a nodemailer error by what a retry may do: 5xx permanent, 4xx/connection transient. */
export function classifySmtpError(err: unknown): MailFailure {
  const e = err as {
    message?: string;
    code?: string;
    command?: string;
    responseCode?: number;
    response?: string;
  }; // nodemailer's SMTP error
  const message = e.message ?? String(err);
  if (typeof e.responseCode === 'number' && e.responseCode >= 500)
    return { kind: 'rejected', message, response: e.response ?? message };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400)
    return { kind: 'transient', message, response: e.response ?? null };
  if (
    e.command === undefined ||
    BEFORE_DATA.has(e.command) ||
    e.code === 'ECONNECTION' ||
    e.code === 'EDNS'
  )
    return { kind: 'transient', message, response: null };
  return { kind: 'ambiguous', message };
}

/** Pooled SMTP transport (maildev locally, any ESP's relay by URL). */
export function createSmtpMailer(options: {
  url: string;
  maxConnections?: number;
  maxMessages?: number;
}): Mailer {
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    maxMessages: options.maxMessages ?? Infinity,
  } as TransportOptions); // the pooled SMTP options type does not list `url`
  return {
    async send(mail) {
      try {
        const { from, to, subject, html, text, messageId } = mail;
        const info = (await transport.sendMail({
          from,
          to,
          subject,
          html,
          text,
          messageId,
          headers: nodemailerHeaders(mail),
        })) as { response?: string };
        return { ok: true, response: info.response ?? '250 OK' };
      } catch (err) {
        return { ok: false, failure: classifySmtpError(err) };
      }
    },
    close: () => transport.close(),
  };
}
