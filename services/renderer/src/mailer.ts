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
}

/** Why SMTP failed, as far as the at-most-once rule cares. */
export type MailFailure =
  /** Nothing was handed over (connect, greeting, envelope): safe to retry. */
  | { kind: 'not-sent'; message: string }
  /** The server refused the message for good (5xx). */
  | { kind: 'rejected'; message: string; response: string }
  /** The data went out and the answer was lost: it may have been delivered. */
  | { kind: 'ambiguous'; message: string };

export type MailResult = { ok: true; response: string } | { ok: false; failure: MailFailure };

export interface Mailer {
  send(mail: OutgoingMail): Promise<MailResult>;
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

function classify(err: unknown): MailFailure {
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
  if (
    e.command === undefined ||
    BEFORE_DATA.has(e.command) ||
    e.code === 'ECONNECTION' ||
    e.code === 'EDNS'
  )
    return { kind: 'not-sent', message };
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
        const info = (await transport.sendMail({ ...mail })) as { response?: string };
        return { ok: true, response: info.response ?? '250 OK' };
      } catch (err) {
        return { ok: false, failure: classify(err) };
      }
    },
    close: () => transport.close(),
  };
}
