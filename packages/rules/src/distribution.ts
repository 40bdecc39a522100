/**
 * A population's distribution of one metric, passed in at evaluation (the segmenter keeps it
 * current as customers change). `valueAt(p)` is the nearest-rank Pth percentile (0–100), or
 * `undefined` when the population is empty.
 */
export interface Distribution {
  valueAt(percentile: number): number | undefined;
}

/** Metric id (see `Metric.id`) → its distribution. */
export type Distributions = ReadonlyMap<string, Distribution>;

/** A distribution over explicit values (sorted once; nearest-rank percentiles). */
export function distributionFromValues(values: readonly number[]): Distribution {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return {
    valueAt(p: number): number | undefined {
      if (sorted.length === 0) return undefined;
      const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
      return sorted[Math.max(0, rank - 1)];
    },
  };
}

/**
 * A distribution known only by some percentile cuts (e.g. from a sorted set's ranks):
 * `{ 20: v20, 40: v40, ... }`. Asking for a percentile without a cut gives `undefined`.
 */
export function distributionFromCuts(cuts: Readonly<Record<number, number>>): Distribution {
  return { valueAt: (p: number) => cuts[p] };
}
