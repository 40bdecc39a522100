import { distributionFromCuts, type Distributions, type Metric } from '@pulse/rules';
import { redisError, type Redis } from '@pulse/redis';
import type { SegmenterKeys } from './keys';

/** Percentiles kept as cuts (nearest rank); the rules ask for top N%, Pth and quintiles. */
const PERCENTILES = Array.from({ length: 100 }, (_, i) => i + 1);
/** Cuts whose movement triggers re-checks of the customers it passed over. */
const WATCHED = [10, 20, 25, 40, 50, 60, 75, 80, 90, 95, 99];

export interface ThresholdMove {
  metricId: string;
  from: number;
  to: number;
}

/**
 * The live population distributions the percentile rules read: one sorted set per metric
 * (customer → current value, updated with ZADD/ZREM as customers change), read back as
 * percentile cuts at most every `refreshMs`.
 */
export function createDistributions(options: {
  redis: Redis;
  keys: SegmenterKeys;
  metrics: readonly Metric[];
  refreshMs: number;
}) {
  const { redis, keys } = options;
  let metrics = options.metrics;
  let current: Distributions = new Map();
  let cuts = new Map<string, Record<number, number>>();
  let readAt = -Infinity;

  async function exec(build: (p: ReturnType<Redis['pipeline']>) => void): Promise<unknown[]> {
    const p = redis.pipeline();
    build(p);
    try {
      const res = (await p.exec()) ?? [];
      const failed = res.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
      return res.map(([, v]) => v);
    } catch (err) {
      throw redisError(err, 'reading distributions');
    }
  }

  return {
    current: (): Distributions => current,

    /** The metrics of a reloaded segment set (the next refresh reads their cuts). */
    useMetrics(next: readonly Metric[]): void {
      metrics = next;
      readAt = -Infinity;
    },

    /** Records customers' current values (undefined: leaves the population). */
    async record(
      values: readonly { customerId: string; values: Map<string, number | undefined> }[],
    ) {
      if (metrics.length === 0 || values.length === 0) return;
      await exec((p) => {
        for (const { customerId, values: m } of values)
          for (const [metricId, v] of m) {
            if (v === undefined || !Number.isFinite(v))
              p.zrem(keys.distribution(metricId), customerId);
            else p.zadd(keys.distribution(metricId), v, customerId);
          }
      });
    },

    /**
     * Re-reads the cuts when older than `refreshMs`; returns the watched cuts that moved (the
     * customers between the old and new value are the ones whose percentile answer may flip).
     */
    async refresh(now: number, force = false): Promise<ThresholdMove[]> {
      if (metrics.length === 0 || (!force && now - readAt < options.refreshMs)) return [];
      readAt = now;
      const sizes = (
        await exec((p) => metrics.forEach((m) => p.zcard(keys.distribution(m.id))))
      ).map(Number);
      const ranges = await exec((p) =>
        metrics.forEach((m, i) => {
          const n = sizes[i] ?? 0;
          for (const pct of PERCENTILES) {
            const rank = Math.max(0, Math.ceil((pct / 100) * n) - 1);
            p.zrange(keys.distribution(m.id), rank, rank, 'WITHSCORES');
          }
        }),
      );
      const next = new Map<string, Record<number, number>>();
      const moves: ThresholdMove[] = [];
      metrics.forEach((m, i) => {
        const c: Record<number, number> = {};
        if ((sizes[i] ?? 0) > 0)
          PERCENTILES.forEach((pct, j) => {
            const reply = ranges[i * PERCENTILES.length + j] as string[] | undefined;
            if (reply?.[1] !== undefined) c[pct] = Number(reply[1]);
          });
        next.set(m.id, c);
        const old = cuts.get(m.id);
        for (const pct of WATCHED) {
          const a = old?.[pct];
          const b = c[pct];
          if (a !== undefined && b !== undefined && a !== b)
            moves.push({ metricId: m.id, from: Math.min(a, b), to: Math.max(a, b) });
        }
      });
      cuts = next;
      current = new Map([...next].map(([id, c]) => [id, distributionFromCuts(c)]));
      return moves;
    },

    /** Customers whose value lies between a moved cut's old and new value (capped). */
    async between(move: ThresholdMove, limit: number): Promise<string[]> {
      return redis.zrangebyscore(
        keys.distribution(move.metricId),
        move.from,
        move.to,
        'LIMIT',
        0,
        limit,
      );
    },
  };
}

export type PopulationDistributions = ReturnType<typeof createDistributions>;
