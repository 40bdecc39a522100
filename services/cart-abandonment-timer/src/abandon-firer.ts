import type { Logger } from '@pulse/core';
import type { PulseProducer } from '@pulse/kafka';
import type { FiredTimer, Scheduler, TimerHandler } from '@pulse/scheduler';
import { markFired } from './cart-state';
import type { CartStore } from './cart-store';
import { customerOfTimer, decideFire } from './timer-plan';
import { syncTimer } from './timer-sync';

export interface AbandonFirerDeps {
  store: CartStore;
  scheduler: Scheduler;
  producer: PulseProducer;
  /** Where Cart Abandoned goes (events.v1). */
  topic: string;
  stages: readonly number[];
  logger: Logger;
  /** Told of each Cart Abandoned once its produce was acknowledged. */
  onPublished?: (eventId: string) => void;
  /** Test seam: runs after the claim and before the cart is re-checked. */
  beforeCheck?: (timer: FiredTimer) => Promise<void>;
}

/**
 * The timer handler: re-checks the cart, publishes Cart Abandoned (deterministic id), and only
 * after the broker acknowledged it records the stage as fired and moves the timer on. A crash
 * anywhere before that record leaves the lease to expire, and the refire publishes the same id
 * again; after the record, the refire finds the stage fired and publishes nothing.
 */
export function createAbandonFirer(deps: AbandonFirerDeps): TimerHandler {
  const log = deps.logger.child({ component: 'abandon-firer' });
  return async (timer) => {
    const customerId = customerOfTimer(timer.id);
    if (customerId === undefined) {
      log.warn({ timer: timer.id }, 'not a cart timer; dropping it');
      return;
    }
    await deps.beforeCheck?.(timer);
    const { state } = await deps.store.load(customerId);
    const decision = decideFire({
      customerId,
      state,
      dueAt: timer.dueAt,
      stages: deps.stages,
      firedAt: timer.firedAt,
    });
    if (decision.kind === 'publish') {
      await deps.producer.send(deps.topic, { key: customerId, value: decision.event });
      await deps.store.update(customerId, (s) => markFired(s, decision.activityAt, decision.stage));
      deps.onPublished?.(decision.event.id);
    }
    await syncTimer(deps.store, deps.scheduler, customerId, deps.stages);
  };
}
