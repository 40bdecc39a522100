import type { EmailRecord } from '@pulse/contracts';
import { BUCKETS, type Metrics } from '@pulse/metrics';
import type { Touch } from '@pulse/predict';

/**
 * Where an email counts: its campaign, the segment whose entry (or exit) triggered it (`none`
 * for event-triggered campaigns) and its arm (the A/B variant, `default`, or `holdout`). Low
 * cardinality by construction: never a customer or email id.
 */
export interface ArmLabels {
  campaign: string;
  segment: string;
  arm: string;
}

/** The label value of campaigns not triggered by a segment (Cart Abandoned, …). */
export const NO_SEGMENT = 'none';

/** An outcome as the metrics name it: emails.v1's outcome, with the holdout apart from skips. */
export function outcomeLabel(record: EmailRecord): string {
  return record.outcome === 'skipped' && record.reason === 'holdout' ? 'holdout' : record.outcome;
}

/** The arm of an email: `holdout` for the control group, else its variant or `default`. */
export function armOf(record: EmailRecord): string {
  return outcomeLabel(record) === 'holdout' ? 'holdout' : (record.variant ?? 'default');
}

/** The renderer's business metrics (`pulse_renderer_*`), per campaign, segment and arm. */
export interface RendererMetrics {
  /** An outcome decided now (a redelivery returning a stored outcome is not counted again). */
  outcome(labels: ArmLabels, outcome: string, elapsedSeconds: number): void;
  /** An email handed to SMTP `ageSeconds` after its trigger's origin (event → email). */
  delivered(ageSeconds: number): void;
  /** The first human open or click of a send (or of a holdout's decision: never). */
  engaged(labels: ArmLabels, kind: 'opened' | 'clicked'): void;
  /** A send or holdout decision whose window holds an order: `first` when its first one. */
  converted(labels: ArmLabels, revenue: number, first: boolean): void;
  /** The order credited to one send by the attribution rule (click > open > send). */
  attributed(labels: ArmLabels, touch: Touch, revenue: number): void;
}

export function createRendererMetrics(metrics: Metrics): RendererMetrics {
  const arm = ['campaign', 'segment', 'arm'] as const;
  const emails = metrics.counter({
    name: metrics.name('emails', 'total'),
    help: 'Emails decided, by campaign, segment, arm and outcome (sent, suppressed, capped, held, failed, skipped, holdout, unknown).',
    labelNames: [...arm, 'outcome'],
  });
  const duration = metrics.histogram({
    name: metrics.name('send_duration', 'seconds'),
    help: 'From claiming an email to its outcome (profile read, render, caps, SMTP with its rate limit and retries), by campaign and outcome.',
    labelNames: ['campaign', 'outcome'],
    buckets: [...BUCKETS.latencySeconds],
  });
  const eventToEmail = metrics.histogram({
    name: metrics.name('event_to_email', 'seconds'),
    help: "From the triggering event (its receipt; the event behind a segment change; a time-driven change's due time) to the email handed to SMTP.",
    // seconds for a segment entry, up to a day for delayed and held emails
    buckets: [
      ...BUCKETS.latencySeconds.filter((b) => b >= 0.05),
      ...BUCKETS.delaySeconds.filter((b) => b > 10),
    ],
  });
  const engagements = metrics.counter({
    name: metrics.name('email_engagements', 'total'),
    help: 'Sends opened or clicked by a person (first time per send; machine opens excluded), by kind.',
    labelNames: [...arm, 'kind'],
  });
  const conversions = metrics.counter({
    name: metrics.name('conversions', 'total'),
    help: 'Recipients (sends and holdout decisions) with an order within the attribution window after them.',
    labelNames: [...arm],
  });
  const revenue = metrics.counter({
    name: metrics.name('conversion_revenue', 'total'),
    help: 'Revenue of the orders within the attribution window after a send or holdout decision (credited or not: what uplift compares).',
    labelNames: [...arm],
  });
  const attributedOrders = metrics.counter({
    name: metrics.name('attributed_orders', 'total'),
    help: 'Orders credited to a send (one send per order: click over open over send, latest among equals), by touch.',
    labelNames: [...arm, 'touch'],
  });
  const attributedRevenue = metrics.counter({
    name: metrics.name('attributed_revenue', 'total'),
    help: 'Revenue of the orders credited to a send, by touch.',
    labelNames: [...arm, 'touch'],
  });
  return {
    delivered: (ageSeconds) => eventToEmail.observe(Math.max(0, ageSeconds)),
    outcome(labels, outcome, elapsedSeconds) {
      emails.inc({ ...labels, outcome });
      duration.observe({ campaign: labels.campaign, outcome }, elapsedSeconds);
    },
    engaged: (labels, kind) => engagements.inc({ ...labels, kind }),
    converted(labels, amount, first) {
      if (first) conversions.inc(labels);
      if (amount > 0) revenue.inc(labels, amount);
    },
    attributed(labels, touch, amount) {
      attributedOrders.inc({ ...labels, touch });
      if (amount > 0) attributedRevenue.inc({ ...labels, touch }, amount);
    },
  };
}
