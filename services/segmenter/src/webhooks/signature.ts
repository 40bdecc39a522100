import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header every delivery carries: `t=<unix seconds>,v1=<hex HMAC-SHA256>` (Stripe's layout). */
export const SIGNATURE_HEADER = 'pulse-signature';
/** The change id, stable across retries: receivers deduplicate on it. */
export const ID_HEADER = 'pulse-webhook-id';

/**
 * Signs a delivery: HMAC-SHA256 with the destination's secret over `<t>.<raw body>`, where t is
 * the send time in unix seconds. Signing the timestamp with the body lets a receiver refuse a
 * replayed request older than its tolerance; the raw body (not re-serialized JSON) is what must
 * be hashed on the receiving side.
 */
export function signatureHeader(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/**
 * The receiver's check (exported for tests and integrators): a `v1` matching the body and secret,
 * signed within `toleranceMs` of `nowMs`. Constant-time comparison.
 */
export function verifySignature(options: {
  secret: string;
  body: string;
  header: string | undefined;
  nowMs: number;
  toleranceMs?: number;
}): boolean {
  const parts = new Map(
    (options.header ?? '').split(',').map((kv) => {
      const at = kv.indexOf('=');
      return [kv.slice(0, at).trim(), kv.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isFinite(t) || !v1) return false;
  if (Math.abs(options.nowMs - t * 1000) > (options.toleranceMs ?? 300_000)) return false;
  const expected = createHmac('sha256', options.secret).update(`${t}.${options.body}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
