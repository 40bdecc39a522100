/**
 * ROC AUC by the rank-sum (Mann–Whitney) formula, ties counted half: the probability that a
 * random positive scores above a random negative. NaN when one class is absent.
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]?.[0] === order[i]?.[0]) j += 1;
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k += 1) {
      if (labels[order[k]?.[1] ?? -1]) {
        positives += 1;
        rankSum += meanRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface ThresholdStats {
  threshold: number;
  precision: number;
  recall: number;
  /** How many were flagged (score ≥ threshold). */
  flagged: number;
}

/** Precision and recall of "score ≥ threshold"; precision is NaN when nothing is flagged. */
export function precisionRecallAt(
  scores: readonly number[],
  labels: readonly boolean[],
  threshold: number,
): ThresholdStats {
  let tp = 0;
  let flagged = 0;
  let positives = 0;
  scores.forEach((s, i) => {
    if (labels[i]) positives += 1;
    if (s >= threshold) {
      flagged += 1;
      if (labels[i]) tp += 1;
    }
  });
  return {
    threshold,
    precision: flagged > 0 ? tp / flagged : Number.NaN,
    recall: positives > 0 ? tp / positives : Number.NaN,
    flagged,
  };
}

export interface CalibrationBin {
  from: number;
  to: number;
  count: number;
  /** Mean predicted probability in the bin. */
  predicted: number;
  /** Share of positives in the bin. */
  observed: number;
}

/** Predicted versus observed rate in `bins` equal-width probability bins (empty bins left out). */
export function calibrationTable(
  scores: readonly number[],
  labels: readonly boolean[],
  bins = 10,
): CalibrationBin[] {
  const acc = Array.from({ length: bins }, () => ({ count: 0, sum: 0, pos: 0 }));
  scores.forEach((s, i) => {
    const b = acc[Math.min(bins - 1, Math.max(0, Math.floor(s * bins)))];
    if (!b) return;
    b.count += 1;
    b.sum += s;
    if (labels[i]) b.pos += 1;
  });
  return acc.flatMap((b, i) =>
    b.count === 0
      ? []
      : [
          {
            from: i / bins,
            to: (i + 1) / bins,
            count: b.count,
            predicted: b.sum / b.count,
            observed: b.pos / b.count,
          },
        ],
  );
}

/** Share of the top `k` recommendations that are relevant (k in the denominator, as usual). */
export function precisionAtK(
  recommended: readonly string[],
  relevant: ReadonlySet<string>,
  k: number,
): number {
  const hits = recommended.slice(0, k).filter((id) => relevant.has(id)).length;
  return hits / k;
}

/** Share of the relevant items found in the top `k`; NaN when nothing is relevant. */
export function recallAtK(
  recommended: readonly string[],
  relevant: ReadonlySet<string>,
  k: number,
): number {
  if (relevant.size === 0) return Number.NaN;
  const hits = recommended.slice(0, k).filter((id) => relevant.has(id)).length;
  return hits / relevant.size;
}

/** Mean of the finite values (NaN when there are none). */
export function mean(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length > 0 ? finite.reduce((s, v) => s + v, 0) / finite.length : Number.NaN;
}
