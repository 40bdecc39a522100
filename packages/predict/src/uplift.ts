/** Mean and (sample) variance of one group's per-recipient values. */
export interface GroupStats {
  n: number;
  mean: number;
  variance: number;
}

export function groupStats(values: readonly number[]): GroupStats {
  const n = values.length;
  if (n === 0) return { n: 0, mean: Number.NaN, variance: Number.NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { n, mean, variance };
}

/** A difference with its two-sided confidence interval. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
  /** The confidence level, e.g. 0.95. */
  level: number;
}

/** z of a two-sided normal interval for the common levels (no inverse-erf needed). */
const Z: Record<string, number> = { '0.9': 1.6449, '0.95': 1.96, '0.99': 2.5758 };

function zFor(level: number): number {
  const z = Z[String(level)];
  if (z === undefined)
    throw new RangeError(`confidence level ${level} not supported (0.9, 0.95, 0.99)`);
  return z;
}

/**
 * Treated mean minus control mean with Welch's standard error and a normal interval: revenue
 * per recipient is skewed, but with the hundreds of recipients a campaign has the mean is close
 * to normal. Null when a group has fewer than 2 recipients (no variance to speak of).
 */
export function meanDifference(
  treated: GroupStats,
  control: GroupStats,
  level = 0.95,
): Interval | null {
  if (treated.n < 2 || control.n < 2) return null;
  const se = Math.sqrt(treated.variance / treated.n + control.variance / control.n);
  const estimate = treated.mean - control.mean;
  const half = zFor(level) * se;
  return { estimate, low: estimate - half, high: estimate + half, level };
}

/** Difference of two proportions (x/n) with the unpooled normal interval. */
export function proportionDifference(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  level = 0.95,
): Interval | null {
  if (n1 < 2 || n2 < 2) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  const half = zFor(level) * se;
  return { estimate: p1 - p2, low: p1 - p2 - half, high: p1 - p2 + half, level };
}

/** Wilson score interval of one proportion (stays inside [0, 1], sane for small counts). */
export function wilson(x: number, n: number, level = 0.95): Interval | null {
  if (n === 0) return null;
  const z = zFor(level);
  const p = x / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), level };
}

/** One stratum's difference (treated minus control), its variance and its weight. */
export interface Stratum {
  estimate: number;
  variance: number;
  weight: number;
}

/** Welch's difference of means as a stratum weighted by the treated count; null below 2 each. */
export function meanDifferenceStratum(treated: GroupStats, control: GroupStats): Stratum | null {
  if (treated.n < 2 || control.n < 2) return null;
  return {
    estimate: treated.mean - control.mean,
    variance: treated.variance / treated.n + control.variance / control.n,
    weight: treated.n,
  };
}

/** Difference of proportions as a stratum weighted by `n1`; null below 2 each. */
export function proportionDifferenceStratum(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
): Stratum | null {
  if (n1 < 2 || n2 < 2) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  return {
    estimate: p1 - p2,
    variance: (p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2,
    weight: n1,
  };
}

/**
 * The weighted mean of independent strata's differences with its normal interval
 * (variance Σw²v / (Σw)²): campaigns of one segment compared each with its own holdout, so
 * campaigns with different holdout shares or audiences are not mixed into one biased contrast.
 * With one stratum it is that stratum's own interval. Null when there is none.
 */
export function pooledDifference(strata: readonly Stratum[], level = 0.95): Interval | null {
  const total = strata.reduce((s, x) => s + x.weight, 0);
  if (strata.length === 0 || total <= 0) return null;
  const estimate = strata.reduce((s, x) => s + x.weight * x.estimate, 0) / total;
  const variance = strata.reduce((s, x) => s + x.weight ** 2 * x.variance, 0) / total ** 2;
  const half = zFor(level) * Math.sqrt(variance);
  return { estimate, low: estimate - half, high: estimate + half, level };
}
