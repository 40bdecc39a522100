import type { StateDump } from './dump';
import { POPULATION_DIMENSIONS, type PopulationDimension } from './keys';

export interface PopulationValue {
  customerId: string;
  dimension: PopulationDimension;
  /** `null` removes the customer (merged away). */
  value: number | null;
}

/**
 * The population sorted sets' updates after a batch: each buyer's current recency, frequency and
 * net monetary value (ZADD of the current value is idempotent), and merged-away customers out.
 */
export function populationUpdates(
  latest: ReadonlyMap<string, StateDump>,
  removed: Iterable<string>,
): PopulationValue[] {
  const out: PopulationValue[] = [];
  for (const [customerId, dump] of latest) {
    const orders = Number(dump.p.orders ?? 0);
    if (orders <= 0) continue;
    out.push(
      { customerId, dimension: 'recency', value: Number(dump.p.lastPurchaseAt ?? 0) },
      { customerId, dimension: 'frequency', value: orders },
      {
        customerId,
        dimension: 'monetary',
        value: Number(dump.p.spentCents ?? 0) - Number(dump.p.refundedCents ?? 0),
      },
    );
  }
  for (const customerId of removed)
    for (const dimension of POPULATION_DIMENSIONS) out.push({ customerId, dimension, value: null });
  return out;
}
