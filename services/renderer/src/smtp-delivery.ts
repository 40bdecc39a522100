import type { Logger } from '@pulse/core';
import type { MailResult, Mailer } from './mailer';
import type { RateLimiter } from './token-bucket';

export interface RetryPolicy {
  /** Attempts in all, the first included (1: no retry). */
  attempts: number;
  /** Wait before the second attempt; doubles each time. */
  baseDelayMs: number;
  /** No wait is longer than this. */
  maxDelayMs: number;
}

export interface DeliveryOptions {
  mailer: Mailer;
  /** The transport's send-rate limit; every attempt takes a slot. */
  limiter: RateLimiter;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  /** [0, 1); jitter so that a relay's hiccup does not bring every retry back at once. */
  random?: () => number;
  logger: Logger;
}

/**
 * The wait before attempt `attempt + 1`: exponential (`base * 2^(attempt-1)`, capped), the upper
 * half jittered ("equal jitter": never less than half the nominal delay).
 */
export function backoffMs(policy: RetryPolicy, attempt: number, random: number): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return nominal / 2 + (nominal / 2) * random;
}

/**
 * A Mailer that waits for the transport's rate limit before each attempt and retries transient
 * failures (4xx, connection) with exponential backoff. A permanent rejection (5xx) or an
 * ambiguous failure (the data went out, the answer was lost) is returned at once: retrying the
 * latter could deliver twice. When the attempts run out the last transient failure is returned,
 * its message saying how many attempts were made.
 */
export function createDeliveringMailer(options: DeliveryOptions): Mailer {
  const { mailer, limiter, retry, sleep, logger } = options;
  const random = options.random ?? Math.random;
  return {
    async send(mail, control) {
      let result: MailResult | undefined;
      for (let attempt = 1; attempt <= retry.attempts; attempt++) {
        await limiter.take();
        result = await mailer.send(mail);
        if (result.ok || result.failure.kind !== 'transient') return result;
        if (attempt === retry.attempts) break;
        const delay = backoffMs(retry, attempt, random());
        logger.warn(
          { messageId: mail.messageId, attempt, delayMs: Math.round(delay), err: result.failure },
          'SMTP transient failure; retrying',
        );
        await control?.pause(delay);
        await sleep(delay);
        await control?.resume();
      }
      if (!result || result.ok) throw new Error('retry.attempts must be at least 1');
      return {
        ok: false,
        failure: {
          ...result.failure,
          message: `${result.failure.message} (after ${retry.attempts} attempts)`,
        },
      };
    },
    close: () => mailer.close(),
  };
}
