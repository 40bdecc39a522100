/** Waits for a send slot: `take()` resolves when the caller may send one email. */
export interface RateLimiter {
  take(): Promise<void>;
}

export interface TokenBucketOptions {
  /** Sends per second; 0 or less: unlimited. */
  ratePerSec: number;
  /** Sends allowed at once after an idle spell; default one second's worth (at least 1). */
  burst?: number;
  /** Milliseconds, monotonic enough for rate keeping. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const UNLIMITED: RateLimiter = { take: () => Promise.resolve() };

/**
 * Token bucket by reservation: each `take()` takes a token at once, letting the count go below
 * zero, and waits until the refill would have covered its own token. Concurrent callers thus
 * queue in call order, each waking at its own slot (no herd re-checking one shared clock), and
 * nothing is ever dropped: over the rate, sends wait.
 */
export function createTokenBucket(options: TokenBucketOptions): RateLimiter {
  const rate = options.ratePerSec;
  if (!(rate > 0)) return UNLIMITED;
  const burst = Math.max(1, options.burst ?? Math.ceil(rate));
  let tokens = burst;
  let last = options.now();
  return {
    take() {
      const now = options.now();
      tokens = Math.min(burst, tokens + ((now - last) * rate) / 1000);
      last = now;
      tokens -= 1;
      if (tokens >= 0) return Promise.resolve();
      return options.sleep((-tokens * 1000) / rate);
    },
  };
}
