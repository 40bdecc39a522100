import type { Logger } from '@pulse/core';
import { defineScript, type Keyspace, type Redis } from '@pulse/redis';
import type { RateLimit } from './source-policy';
import { policyOf } from './source-trust';
import type { Source } from './sources';

/** Whether a request's events fit its writeKey's bucket; when not, how long until they do. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/** Token buckets per writeKey source, in Redis so every ingest copy draws from the same one. */
export interface RateLimiter {
  /**
   * Takes `cost` tokens (events) from `source`'s bucket at `now` (ms); nothing is taken when
   * they do not fit. A cost above the burst is taken as the burst (a big batch empties the
   * bucket instead of never fitting).
   */
  take(source: string, limit: RateLimit, cost: number, now: number): Promise<RateDecision>;
}

export interface RateLimiterOptions {
  redis: Redis;
  keys: Keyspace;
}

const TAKE = defineScript(
  'ingest-rate-take',
  `-- Takes tokens from a token bucket refilled continuously at rate per second up to burst.
-- KEYS[1]: the bucket, a hash: t = tokens, at = time of t (ms)
-- ARGV[1]: now (ms)  ARGV[2]: rate (tokens per second)  ARGV[3]: burst  ARGV[4]: cost
-- returns: 0 when taken; else the ms until cost tokens are there (nothing taken)
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
-- A copy whose clock is behind refills nothing rather than draining the bucket backwards.
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  at = now
end
if tokens < cost then
  return math.max(1, math.ceil((cost - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 't', tostring(tokens - cost), 'at', tostring(at))
-- A bucket left alone refills to burst; after that its key says nothing and may go.
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return 0`,
);

/** The Retry-After header's whole seconds (at least 1) for a wait in ms. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Creates the limiter: one EVALSHA per request. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { redis, keys } = options;
  return {
    async take(source, limit, cost, now) {
      const tokens = Math.min(Math.max(cost, 1), limit.burst);
      const reply = await TAKE.run(
        redis,
        [keys.tagged(`ingest:rate:${source}`, 'bucket')],
        [now, limit.perSecond, limit.burst, tokens],
      );
      if (typeof reply !== 'number') {
        throw new Error(`${TAKE.name}: unexpected reply ${String(reply)}`);
      }
      return reply === 0 ? { ok: true } : { ok: false, retryAfterMs: reply };
    },
  };
}

/**
 * `limiter.take` for a source's policy, failing open: when Redis does not answer, the request
 * goes on (dedup needs Redis too and answers 503 then) rather than the limiter refusing it.
 */
export async function admit(
  limiter: RateLimiter | undefined,
  source: Source,
  cost: number,
  now: number,
  logger: Logger,
): Promise<RateDecision> {
  const limit = policyOf(source).rate;
  if (!limiter || limit === null) return { ok: true };
  try {
    return await limiter.take(source.id, limit, cost, now);
  } catch (err) {
    logger.warn({ err, source: source.id }, 'rate limiter unavailable; request admitted');
    return { ok: true };
  }
}

/** The 429 body naming the limit. */
export function rateLimitedBody(source: Source, retryAfterMs: number) {
  const limit = policyOf(source).rate;
  const seconds = retryAfterSeconds(retryAfterMs);
  return {
    error: 'rate_limited',
    reason: `source '${source.id}' may send ${limit?.perSecond ?? 0} events/s (burst ${limit?.burst ?? 0}); retry after ${seconds} s`,
    retryAfter: seconds,
  };
}
