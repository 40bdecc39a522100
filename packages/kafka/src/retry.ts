import { isRetriable } from '@pulse/core';

/** Capped exponential backoff with jitter, for transient handler and dead-letter failures. */
export interface RetryOptions {
  /** First wait; default 200 ms. */
  initialMs?: number;
  /** Longest wait; default 30 000 ms. */
  maxMs?: number;
  /** Growth per attempt; default 2. */
  multiplier?: number;
  /** Spread as a fraction of the wait (0.2 = ±20%), so a group's members do not retry in step. */
  jitter?: number;
}

export const RETRY_DEFAULTS: Readonly<Required<RetryOptions>> = {
  initialMs: 200,
  maxMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
};

/** The wait before retry number `attempt` (0 = first retry), never above `maxMs`. */
export function backoffDelay(
  attempt: number,
  policy: Readonly<Required<RetryOptions>>,
  random: () => number = Math.random,
): number {
  const exponential = policy.initialMs * policy.multiplier ** Math.max(0, attempt);
  const capped = Math.min(policy.maxMs, exponential);
  const spread = capped * policy.jitter * (2 * random() - 1);
  return Math.round(Math.min(policy.maxMs, Math.max(0, capped + spread)));
}

/** How a retried operation ended: a value, a non-retriable error, or stopped while retrying. */
export type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: unknown; stopped: false }
  | { ok: false; error: unknown; stopped: true };

export interface RetryLoopOptions {
  policy: Readonly<Required<RetryOptions>>;
  /** Checked after each transient failure: true ends the loop (closing, partition lost). */
  shouldStop: () => boolean;
  /** Waits about `ms`; may return early when stopping (and heartbeats meanwhile). */
  wait: (ms: number) => Promise<void>;
  /** Told about every retry, for logs and metrics. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  random?: () => number;
}

/**
 * Runs `op` until it succeeds, fails with a non-retriable error (per `isRetriable`), or
 * `shouldStop()` says to give up. Transient failures are never turned into dead letters here.
 */
export async function retryTransient<T>(
  op: (attempt: number) => Promise<T>,
  options: RetryLoopOptions,
): Promise<Outcome<T>> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return { ok: true, value: await op(attempt) };
    } catch (error) {
      if (!isRetriable(error)) return { ok: false, error, stopped: false };
      if (options.shouldStop()) return { ok: false, error, stopped: true };
      const delayMs = backoffDelay(attempt, options.policy, options.random);
      options.onRetry?.(error, attempt + 1, delayMs);
      await options.wait(delayMs);
      if (options.shouldStop()) return { ok: false, error, stopped: true };
    }
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
