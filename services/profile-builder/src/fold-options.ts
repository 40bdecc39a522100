import type { MoneyOptions } from './money';

/** What the fold needs besides the event; all fixed at startup. */
export interface FoldOptions {
  money: MoneyOptions;
  /** Half-life of category affinity, ms. */
  affinityHalfLifeMs: number;
  /** Days of per-day buckets kept (longest window + slack). */
  bucketDays: number;
  /** Inactivity that ends a web session, ms (PROFILE_WEB_SESSION_GAP; default 30 minutes). */
  sessionGapMs?: number;
}

export const DEFAULT_SESSION_GAP_MS = 30 * 60_000;

/** Affinity sums are kept as Σ w·2^((t − AFFINITY_EPOCH)/halfLife); reading multiplies by 2^(−(now − epoch)/halfLife). */
export const AFFINITY_EPOCH = Date.UTC(2020, 0, 1);

export const DAY_MS = 86_400_000;
export const RECENT_PRODUCTS_MS = DAY_MS;

/**
 * Day-bucket metrics: orders, spend (cents), email delivered, opened (unique), clicked (unique),
 * web sessions started and their time on site (ms), by the session's start day.
 */
export const DAY_METRICS = ['o', 's', 'ed', 'eo', 'ec', 'ss', 'sm'] as const;

export const AFFINITY_WEIGHTS = { view: 1, click: 2, cart: 3, wishlist: 2, purchase: 5 } as const;

export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function affinityWeight(weight: number, at: number, halfLifeMs: number): number {
  return weight * 2 ** ((at - AFFINITY_EPOCH) / halfLifeMs);
}
