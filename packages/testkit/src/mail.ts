import { PulseError } from '@pulse/core';
import type { Stack } from './stack';
import { waitFor } from './wait';

/** An address as maildev parses it. */
export interface MailAddress {
  address: string;
  name?: string;
}

/** The fields of a captured email that tests read (maildev returns more). */
export interface CapturedEmail {
  id: string;
  subject: string;
  from: MailAddress[];
  to: MailAddress[];
  headers: Record<string, string | string[]>;
  text?: string;
  html?: string;
  /** When maildev received it (ISO string). */
  time: string;
}

/** Options of `listEmails` and `deleteEmails`. */
export interface MailFilter {
  /** Only emails whose To header holds this address, as it was sent. */
  to?: string;
}

/** Options of `waitForEmails`. */
export interface WaitForEmailsOptions extends MailFilter {
  /** Resolve once at least this many match. */
  count: number;
  /** Default 30 s. */
  timeoutMs?: number;
}

const REQUEST_TIMEOUT_MS = 5_000;

function isEmail(value: unknown): value is CapturedEmail {
  if (typeof value !== 'object' || value === null) return false;
  return 'id' in value && typeof value.id === 'string' && 'to' in value && Array.isArray(value.to);
}

/**
 * maildev 3 serves its REST API under `/api` (GET /api/email); maildev 2 (the Docker image)
 * at the root (GET /email). Both accept dot-notation filters such as `to.address=`.
 */
async function getInbox(
  stack: Stack,
  filter: MailFilter,
): Promise<{ api: string; emails: CapturedEmail[] }> {
  const query = filter.to ? `?${new URLSearchParams({ 'to.address': filter.to }).toString()}` : '';
  for (const api of [`${stack.maildevUrl}/api`, stack.maildevUrl]) {
    const res = await fetch(`${api}/email${query}`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (res.status === 404) continue;
    if (!res.ok) throw new PulseError('MAILDEV_ERROR', `GET ${api}/email answered ${res.status}`);
    const body: unknown = await res.json();
    if (!Array.isArray(body) || !body.every(isEmail)) {
      throw new PulseError('MAILDEV_ERROR', `GET ${api}/email did not return a list of emails`);
    }
    const wanted = filter.to?.toLowerCase();
    const emails = wanted
      ? body.filter((e) => e.to.some((a) => a.address.toLowerCase() === wanted))
      : body;
    return { api, emails };
  }
  throw new PulseError(
    'MAILDEV_NOT_FOUND',
    `no maildev REST API at ${stack.maildevUrl} (tried /api/email and /email); check MAILDEV_URL`,
  );
}

/** The emails maildev holds, oldest first; with `to`, only those sent to that address. */
export async function listEmails(stack: Stack, filter: MailFilter = {}): Promise<CapturedEmail[]> {
  return (await getInbox(stack, filter)).emails;
}

/** Polls maildev until at least `count` emails match, and returns them. */
export async function waitForEmails(
  stack: Stack,
  options: WaitForEmailsOptions,
): Promise<CapturedEmail[]> {
  const { count, timeoutMs = 30_000, ...filter } = options;
  return waitFor(
    async () => {
      const emails = await listEmails(stack, filter);
      return emails.length >= count ? emails : undefined;
    },
    {
      timeoutMs,
      intervalMs: 200,
      description: `${count} email(s)${filter.to ? ` to ${filter.to}` : ''} in maildev`,
    },
  );
}

/**
 * Deletes the emails sent to `to` (required: maildev is shared, so a test removes only mail to
 * its own random recipient). Returns how many were deleted.
 */
export async function deleteEmails(stack: Stack, filter: { to: string }): Promise<number> {
  const { api, emails } = await getInbox(stack, filter);
  for (const email of emails) {
    const res = await fetch(`${api}/email/${encodeURIComponent(email.id)}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok && res.status !== 404) {
      throw new PulseError(
        'MAILDEV_ERROR',
        `DELETE ${api}/email/${email.id} answered ${res.status}`,
      );
    }
  }
  return emails.length;
}
