import type { EmailRecord } from '@pulse/contracts';
import type { Clock } from '@pulse/core';
import type { AttributionStore } from './attribution-store';
import type { CompiledCampaign } from './campaigns';
import { armOf, NO_SEGMENT, outcomeLabel } from './renderer-metrics';
import type { RendererMetrics } from './renderer-metrics';
import type { TriggerIn } from './trigger';

/** What the renderer tells its observer about each outcome it returns. */
export interface OutcomeContext {
  campaign: CompiledCampaign;
  trigger: TriggerIn;
  /** A stored outcome returned again (redelivery, a held email's stored state), not decided now. */
  replay: boolean;
  /** From the claim to the outcome (monotonic clock). */
  elapsedSeconds: number;
}

/** Sees every outcome before it is returned; a throw fails the trigger (it is retried). */
export type OutcomeObserver = (record: EmailRecord, context: OutcomeContext) => Promise<void>;

/** The segment an email counts under: the triggering segment, or `none` for event triggers. */
export const segmentLabel = (t: TriggerIn): string => t.segment?.id ?? NO_SEGMENT;

/**
 * Counts outcomes decided now (per campaign, segment, arm; a replay is not counted twice) and
 * records every send and holdout decision for live attribution — replays too, since the record
 * is idempotent and a crash may have come between the outcome and its record.
 */
export function createOutcomeObserver(deps: {
  metrics: RendererMetrics;
  attribution: AttributionStore | null;
  windowMs: number;
  clock: Clock;
}): OutcomeObserver {
  return async (record, ctx) => {
    const outcome = outcomeLabel(record);
    const labels = {
      campaign: record.campaignId,
      segment: segmentLabel(ctx.trigger),
      arm: armOf(record),
    };
    const now = deps.clock.now();
    if (!ctx.replay) {
      deps.metrics.outcome(labels, outcome, ctx.elapsedSeconds);
      if (outcome === 'sent' && ctx.trigger.origin !== undefined)
        deps.metrics.delivered((now - ctx.trigger.origin) / 1000);
    }
    if (!deps.attribution || (outcome !== 'sent' && outcome !== 'holdout')) return;
    if (record.at + deps.windowMs < now) return; // its window is over: nothing left to attribute
    await deps.attribution.recordSend(
      record.customerId,
      {
        emailId: record.emailId,
        campaignId: record.campaignId,
        segment: labels.segment,
        arm: labels.arm,
        holdout: outcome === 'holdout',
        at: record.at,
      },
      now,
    );
  };
}
