/** How many of the population lie strictly below a value, and how many there are. */
export interface Rank {
  below: number;
  total: number;
}

export interface RfmScores {
  recency: number;
  frequency: number;
  monetary: number;
  /** e.g. "545" */
  code: string;
  group: RfmGroup;
}

export type RfmGroup =
  | 'Champions'
  | 'Loyal Customers'
  | 'Potential Loyalists'
  | 'New Customers'
  | 'Promising'
  | 'Need Attention'
  | 'About to Sleep'
  | "Can't Lose Them"
  | 'At Risk'
  | 'Hibernating'
  | 'Lost';

/** 1–5: the quintile of the population the value falls in (5 = top fifth). */
export function quintile(rank: Rank): number {
  if (rank.total <= 0) return 1;
  return Math.min(5, Math.floor((rank.below / rank.total) * 5) + 1);
}

/**
 * The usual RFM segment map on recency × frequency (the frequency axis averages F and M, so a
 * big spender with few orders still counts as frequent): Champions bought recently and often,
 * At Risk used to buy often but not lately, and so on.
 */
export function rfmGroup(r: number, fm: number): RfmGroup {
  if (r >= 4 && fm >= 4) return r === 4 && fm === 4 ? 'Loyal Customers' : 'Champions';
  if (r === 3 && fm >= 4) return 'Loyal Customers';
  if (r >= 4 && fm >= 2) return 'Potential Loyalists';
  if (r === 5 && fm === 1) return 'New Customers';
  if (r === 4 && fm === 1) return 'Promising';
  if (r === 3 && fm === 3) return 'Need Attention';
  if (r === 3) return 'About to Sleep';
  if (fm === 5) return "Can't Lose Them";
  if (fm >= 3) return 'At Risk';
  return r === 2 ? 'Hibernating' : 'Lost';
}

export function rfmScores(recency: Rank, frequency: Rank, monetary: Rank): RfmScores {
  const r = quintile(recency);
  const f = quintile(frequency);
  const m = quintile(monetary);
  return {
    recency: r,
    frequency: f,
    monetary: m,
    code: `${r}${f}${m}`,
    group: rfmGroup(r, Math.round((f + m) / 2)),
  };
}
