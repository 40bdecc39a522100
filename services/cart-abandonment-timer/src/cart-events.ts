import { eventKey } from '@pulse/contracts';
import type { PulseEvent } from '@pulse/contracts';
import type { BatchHandler, ConsumedRecord } from '@pulse/kafka';
import type { Scheduler } from '@pulse/scheduler';
import { applyEvent } from './cart-state';
import type { CartStore } from './cart-store';
import { syncTimer } from './timer-sync';

/** Event types that change a cart; everything else on events.v1 is skipped. */
export const CART_EVENT_TYPES: ReadonlySet<string> = new Set([
  'Product Added',
  'Product Removed',
  'Cart Viewed',
  'Checkout Started',
  'Order Completed',
]);

export interface CartEventDeps {
  store: CartStore;
  scheduler: Scheduler;
  /** Stage delays in ms, ascending. */
  stages: readonly number[];
}

/** Groups a batch's cart events by customer (the record key), keeping their order. */
export function byCustomer(
  records: readonly ConsumedRecord<PulseEvent>[],
): Map<string, ConsumedRecord<PulseEvent>[]> {
  const groups = new Map<string, ConsumedRecord<PulseEvent>[]>();
  for (const record of records) {
    if (!CART_EVENT_TYPES.has(record.value.type)) continue;
    const customer = record.key ?? eventKey(record.value);
    const group = groups.get(customer);
    if (group) group.push(record);
    else groups.set(customer, [record]);
  }
  return groups;
}

/**
 * The consumer's handler: folds each customer's cart events into the cart (one atomic write
 * per customer per batch), then brings the customer's timer in line with the cart.
 */
export function createCartEventHandler(deps: CartEventDeps): BatchHandler<PulseEvent> {
  return async (records) => {
    const groups = byCustomer(records);
    await Promise.all(
      [...groups].map(async ([customer, events]) => {
        await deps.store.update(customer, (state) =>
          events.reduce((acc, record) => applyEvent(acc, record.value, record), state),
        );
        await syncTimer(deps.store, deps.scheduler, customer, deps.stages);
      }),
    );
  };
}
