import type { SegmentChange } from '@pulse/contracts';
import type { Clock } from '@pulse/core';
import { ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature';
import type { WebhookDestination } from './webhook-config';

export interface DeliveryPolicy {
  /** Attempts in all before the change is dead-lettered (≥ 1). */
  attempts: number;
  /** Wait before the 2nd attempt; doubles each time up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Per request. */
  timeoutMs: number;
}

export type DeliveryResult =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; status: number | null; reason: string };

/** Statuses worth another try: the receiver is down, overloaded or asked us to slow down. */
function retriable(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** The JSON body a destination receives (documented in the segmenter README). */
export function webhookBody(change: SegmentChange): string {
  return JSON.stringify({
    id: change.id,
    type: `segment.${change.change}`,
    customerId: change.customerId,
    segmentId: change.segmentId,
    segmentVersion: change.segmentVersion,
    at: new Date(change.at).toISOString(),
    cause: change.cause,
  });
}

/**
 * POSTs one change to one destination, signed afresh on every attempt (the timestamp is the
 * send time), retried with exponential backoff on network errors, timeouts, 408/425/429 and
 * 5xx. Another 4xx is final at once: the receiver refused this body, repeating will not help.
 * Resolves with the outcome (never throws); stops early when `signal` aborts.
 */
export async function deliver(
  destination: WebhookDestination,
  change: SegmentChange,
  policy: DeliveryPolicy,
  deps: { clock: Clock; sleep(ms: number, signal?: AbortSignal): Promise<void> },
  signal?: AbortSignal,
): Promise<DeliveryResult> {
  const body = webhookBody(change);
  let last: { status: number | null; reason: string } = { status: null, reason: 'not sent' };
  for (let attempt = 1; attempt <= policy.attempts; attempt += 1) {
    if (attempt > 1) {
      const wait = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 2));
      await deps.sleep(wait, signal);
    }
    if (signal?.aborted) return { ok: false, attempts: attempt - 1, ...last, reason: 'stopped' };
    try {
      const res = await fetch(destination.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [ID_HEADER]: change.id,
          [SIGNATURE_HEADER]: signatureHeader(destination.secret, body, deps.clock.now()),
        },
        body,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined); // drain: frees the connection
      if (res.ok) return { ok: true, attempts: attempt };
      last = { status: res.status, reason: `HTTP ${res.status}` };
      if (!retriable(res.status)) return { ok: false, attempts: attempt, ...last };
    } catch (err) {
      last = { status: null, reason: err instanceof Error ? err.message : String(err) };
    }
  }
  return { ok: false, attempts: policy.attempts, ...last };
}
