import type { Scheduler } from '@pulse/scheduler';
import type { CartStore } from './cart-store';
import { plannedTimer, timerId } from './timer-plan';

/**
 * Makes the customer's timer match the plan of the cart's current state, then re-reads the
 * cart: if another writer (the consumer or a firing timer) changed it meanwhile, applies the
 * newer plan. Whoever writes the cart last also schedules last, so timers cannot end up
 * reflecting an older state than the cart's.
 */
export async function syncTimer(
  store: CartStore,
  scheduler: Scheduler,
  customerId: string,
  stages: readonly number[],
): Promise<void> {
  const id = timerId(customerId);
  let { version, state } = await store.load(customerId);
  for (let round = 0; round < 5; round += 1) {
    const planned = plannedTimer(state, stages);
    if (planned) await scheduler.schedule(id, planned.dueAt, String(planned.stage));
    else await scheduler.cancel(id);
    const again = await store.load(customerId);
    if (again.version === version) return;
    ({ version, state } = again);
  }
}
