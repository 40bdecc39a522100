import { createMetrics, type Metrics } from '../packages/metrics/src/index';
// infra/ has no package.json, so packages are imported by path. The metrics factories are
// internal on purpose: the infra tests lint the exact registries the services build.
import { createConsumerMetrics } from '../packages/kafka/src/consumer-metrics';
import { createSchedulerMetrics } from '../packages/scheduler/src/metrics';
import { createIngestMetrics } from '../services/ingest/src/ingest-metrics';
import { createRendererMetrics } from '../services/renderer/src/renderer-metrics';
import { createSegmenterMetrics } from '../services/segmenter/src/segmenter-metrics';

/**
 * Metrics the alert rules and dashboards read that no service exports yet (none today). Their
 * names are the contract in
 * infra/prometheus/README.md; move a name out of this list when its service exports it (the
 * infra tests fail while a listed name is already exported, so the list cannot go stale).
 */
export const PENDING_METRICS: string[] = [];

/** Registries as the services build them (no Node defaults), with a sample in every family. */
export function serviceRegistries(): Metrics[] {
  const labels = { consumergroup: 'g', topic: 'events.v1' };
  const withConsumer = (service: string): Metrics => {
    const metrics = createMetrics({ service, collectDefaults: false });
    const consumer = createConsumerMetrics(metrics.registry);
    consumer.records.inc(labels, 10);
    consumer.batches.inc(labels);
    consumer.handlerDuration.observe(labels, 0.004);
    consumer.deadLetters.inc({ ...labels, code: 'BAD_MAGIC_BYTE' });
    consumer.retries.inc({ ...labels, operation: 'handler' });
    consumer.lag.set({ ...labels, partition: '0' }, 42);
    return metrics;
  };
  const ingest = createMetrics({ service: 'ingest', collectDefaults: false });
  const m = createIngestMetrics(ingest);
  m.requests.inc({ route: '/v1/batch', status: '200' });
  m.accepted.inc({ source: 'web' });
  m.rejected.inc({ reason: 'invalid' });
  m.duplicates.inc({ source: 'web' });
  m.spooled.inc({ source: 'pixel' });
  m.payloadBytes.observe({ route: '/v1/batch' }, 900);
  m.ackSeconds.observe(0.003);
  const timer = withConsumer('cart-abandonment-timer');
  const scheduler = createSchedulerMetrics(timer, 'cart');
  scheduler.scheduled();
  scheduler.cancelled();
  scheduler.fired(1500);
  scheduler.leaseExpired(1);
  const segmenter = withConsumer('segmenter');
  const seg = createSegmenterMetrics(segmenter);
  const change = { id: 'c1', customerId: 'u:1', segmentId: 'vip', segmentVersion: 1 };
  const common = { ...change, at: 1_250, eventId: null, reason: null };
  seg.published(
    [
      { ...common, change: 'entered', cause: 'event', eventOccurredAt: 1_000 },
      { ...common, id: 'c2', change: 'exited', cause: 'clock', eventOccurredAt: null },
    ],
    1_250,
  );
  seg.members('vip', 3);
  seg.flapped('vip');
  seg.reevaluation(5, 10);
  seg.removal(1, 2);
  createSchedulerMetrics(segmenter, 'segment-recheck').fired(20);
  const renderer = withConsumer('renderer');
  const emails = createRendererMetrics(renderer);
  const arm = { campaign: 'welcome', segment: 'new', arm: 'a' };
  emails.outcome(arm, 'sent', 0.2);
  emails.delivered(1.5);
  emails.engaged(arm, 'clicked');
  emails.converted(arm, 40, true);
  emails.attributed(arm, 'click', 40);
  return [ingest, withConsumer('profile-builder'), timer, segmenter, renderer];
}

/** Every metric family name the services serve on /metrics, Node defaults included. */
export async function exportedMetricNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const node = createMetrics({ service: 'node' });
  for (const registry of [...serviceRegistries().map((m) => m.registry), node.defaultsRegistry]) {
    for (const metric of await registry.getMetricsAsJSON()) names.add(metric.name);
  }
  return names;
}

/** Metric names a PromQL expression reads (`_bucket`/`_sum`/`_count` folded into the family). */
export function metricNames(expr: string): string[] {
  const names = expr.match(/\b(?:pulse|kafka|process|nodejs)_[a-z0-9_]+\b/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

/** Names in `used` that neither a registry exports nor PENDING_METRICS lists. */
export function unknownMetrics(used: readonly string[], exported: ReadonlySet<string>): string[] {
  return [...new Set(used)].filter((n) => !exported.has(n) && !PENDING_METRICS.includes(n));
}
