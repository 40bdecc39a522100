import { isErasure, type ProfileChange } from '@pulse/contracts';
import type { Logger } from '@pulse/core';
import type { BatchHandler } from '@pulse/kafka';
import { customerKey } from '@pulse/predict';
import type { Redis } from '@pulse/redis';
import type { RendererKeys } from './keys';
import { heldTimerId } from './renderer';
import type { SuppressionStore } from './suppression';

/** What one erasure removed (counts only: the id itself is the personal data). */
export interface RendererErasure {
  /** Send records deleted. */
  emails: number;
  /** Held emails (quiet hours, delay, paused campaign) whose timers were cancelled. */
  heldCancelled: number;
}

export interface RendererEraserOptions {
  redis: Redis;
  keys: RendererKeys;
  suppressions: SuppressionStore;
  /** The held-email timers (a subset of @pulse/scheduler's Scheduler). */
  timers: { cancel(id: string): Promise<boolean> };
  /** Campaign ids in service now (their pause sets may park this customer's held emails). */
  campaignIds: () => readonly string[];
}

/**
 * Right to erasure in the renderer: deletes every per-customer key it keeps — send records
 * (with the recipient address in their outcome), frequency-cap and re-eligibility sets, the
 * segment-entry ledger, live attribution — and cancels the customer's held emails. What must
 * stay for safety stays: an own unsubscribe is kept, hashed (suppressions.keepHashed); imported
 * suppression lists hold hashes already. The indexes go last, so a crash midway leaves them to
 * find the rest when the tombstone is redelivered. Idempotent.
 */
export function createRendererEraser(options: RendererEraserOptions) {
  const { redis, keys } = options;
  return {
    async erase(customerId: string): Promise<RendererErasure> {
      await options.suppressions.keepHashed(customerId);
      const [emailIds, indexed] = await Promise.all([
        redis.smembers(keys.customerEmails(customerId)),
        redis.smembers(keys.customerCampaigns(customerId)),
      ]);
      const campaigns = [...new Set([...options.campaignIds(), ...indexed])];
      const timers = emailIds.map(heldTimerId);
      const cancelled = await Promise.all(timers.map((id) => options.timers.cancel(id)));
      if (timers.length > 0)
        await Promise.all(campaigns.map((c) => redis.srem(keys.campaignPaused(c), ...timers)));
      const doomed = [
        ...emailIds.map((id) => keys.send(customerId, id)),
        keys.marketingSends(customerId),
        ...campaigns.map((c) => keys.campaignSends(customerId, c)),
        keys.entries(customerId),
        keys.attribution(customerKey(customerId)),
      ];
      // One DEL per key: auto-pipelined, and valid across Redis Cluster slots.
      await Promise.all(doomed.map((k) => redis.del(k)));
      await Promise.all([
        redis.del(keys.customerEmails(customerId)),
        redis.del(keys.customerCampaigns(customerId)),
      ]);
      return { emails: emailIds.length, heldCancelled: cancelled.filter(Boolean).length };
    },
  };
}

export type RendererEraser = ReturnType<typeof createRendererEraser>;

/**
 * profile-changes.v1 → erasure (its own consumer group): each erasure tombstone deletes the
 * customer's renderer data before the offset is committed. Merges' tombstones are left alone.
 */
export function createErasureHandler(options: {
  eraser: RendererEraser;
  logger: Logger;
}): BatchHandler<ProfileChange> {
  return async (records) => {
    for (const r of records) {
      if (!isErasure(r.value)) continue;
      const erased = await options.eraser.erase(r.value.customerId);
      // No id in the log: the canonical id may be an email, the very data just erased.
      options.logger.info(erased, 'customer erased from the renderer');
    }
  };
}
