import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { EspEvent } from './esp-events';
import { fieldOf } from './problems';

/** A signed webhook request as received: headers and the exact body bytes. */
export interface WebhookRequest {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Epoch ms, from the injected clock. */
  now: number;
}

/** Why a webhook was refused; `status` is the answer (401/403 auth, 400 body). */
export interface WebhookRefusal {
  status: 400 | 401 | 403;
  error:
    | 'missing_signature'
    | 'invalid_signature'
    | 'stale_timestamp'
    | 'replayed_token'
    | 'unauthorized'
    | 'topic_not_allowed'
    | 'invalid_certificate_url'
    | 'invalid_json'
    | 'invalid_field';
  reason: string;
  field?: string;
}

/** A verified webhook: its email events, plus what needs the caller's state or attention. */
export interface WebhookAccepted {
  ok: true;
  events: EspEvent[];
  /** Provider events Pulse does not track (processed, deferred ...), counted only. */
  ignored: number;
  /** A one-time value (Mailgun's token) the caller must claim; a second use is a replay. */
  nonce?: string;
  /** Something an operator must act on (an SNS subscription to confirm), answered as is. */
  notice?: Record<string, string>;
}

export type WebhookResult = WebhookAccepted | { ok: false; refusal: WebhookRefusal };

/** One ESP's verification and mapping. */
export interface WebhookProvider {
  readonly name: string;
  handle(request: WebhookRequest): WebhookResult | Promise<WebhookResult>;
}

export const refuse = (
  status: WebhookRefusal['status'],
  error: WebhookRefusal['error'],
  reason: string,
  field?: string,
): { ok: false; refusal: WebhookRefusal } => ({
  ok: false,
  refusal: { status, error, reason, ...(field === undefined ? {} : { field }) },
});

/** JSON of the body, or a 400 naming `field` (the body, or a JSON-in-JSON field). */
export function parseJsonField(
  text: string,
  field = '',
): { ok: true; value: unknown } | { ok: false; refusal: WebhookRefusal } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'malformed JSON';
    return refuse(400, 'invalid_json', field ? `${field}: ${reason}` : reason, field || undefined);
  }
}

/** zod-parses `value`, or a 400 `invalid_field` naming the first bad field. */
export function parseWith<T>(
  schema: z.ZodType<T>,
  value: unknown,
  prefix = '',
): { ok: true; value: T } | { ok: false; refusal: WebhookRefusal } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = fieldOf([prefix, ...(issue?.path ?? [])].filter((p) => p !== ''));
  return refuse(400, 'invalid_field', issue?.message ?? 'is invalid', field);
}

/**
 * Refuses a timestamp (epoch ms) further than `maxAgeMs` from now, either way: an old signed
 * request replayed later, or a forged one from the future.
 */
export function checkFresh(
  at: number,
  now: number,
  maxAgeMs: number,
): { ok: false; refusal: WebhookRefusal } | undefined {
  if (!Number.isFinite(at)) return refuse(403, 'stale_timestamp', 'timestamp is not a number');
  if (Math.abs(now - at) <= maxAgeMs) return undefined;
  return refuse(
    403,
    'stale_timestamp',
    `timestamp is ${Math.round((now - at) / 1000)} s from now; at most ${maxAgeMs / 1000} s allowed`,
  );
}

/** A single header's value. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
