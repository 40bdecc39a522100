import type { SegmentChange } from '@pulse/contracts';
import { BUCKETS, type Metrics } from '@pulse/metrics';
import { Counter, Gauge, Histogram } from 'prom-client';

/** The segmenter's own metrics (`pulse_segmenter_*`; the contract in infra/prometheus/README.md). */
export interface SegmenterMetrics {
  /** Counts published changes; observes event → publish latency for event-caused ones. */
  published(changes: readonly SegmentChange[], now: number): void;
  members(segmentId: string, size: number): void;
  /** A customer re-entered this segment within the flap window of leaving it. */
  flapped(segmentId: string): void;
  /** Progress of the background re-evaluation after a segment edit. */
  reevaluation(done: number, total: number): void;
}

export function createSegmenterMetrics(metrics: Metrics): SegmenterMetrics {
  const registers = [metrics.registry];
  const entries = new Counter({
    name: metrics.name('segment_entries', 'total'),
    help: 'Segment entries published to segment-changes.v1, by segment.',
    labelNames: ['segment'],
    registers,
  });
  const exits = new Counter({
    name: metrics.name('segment_exits', 'total'),
    help: 'Segment exits published to segment-changes.v1, by segment.',
    labelNames: ['segment'],
    registers,
  });
  const members = new Gauge({
    // A count without a unit suffix: the name the dashboards and alert rules read.
    name: `pulse_${metrics.service}_segment_members`,
    help: 'Current members of each segment (as last settled by this copy).',
    labelNames: ['segment'],
    registers,
  });
  const latency = new Histogram({
    name: metrics.name('event_to_segment_change', 'seconds'),
    help: "From the triggering event's occurredAt to its segment change acked by Kafka.",
    buckets: [...BUCKETS.latencySeconds],
    registers,
  });
  const progress = new Gauge({
    name: metrics.name('reevaluation_progress', 'ratio'),
    help: 'Share of stored profiles re-evaluated since the last segment edit (1 = done).',
    registers,
  });
  const reevaluated = new Counter({
    name: metrics.name('reevaluated_profiles', 'total'),
    help: 'Stored profiles re-evaluated because a segment definition changed.',
    registers,
  });
  const flaps = new Counter({
    name: metrics.name('segment_flaps', 'total'),
    help: 'Re-entries into a segment within SEGMENTER_FLAP_WINDOW of leaving it, by segment.',
    labelNames: ['segment'],
    registers,
  });
  let lastDone = 0;
  return {
    reevaluation(done, total) {
      if (done < lastDone) lastDone = 0; // a new run
      reevaluated.inc(done - lastDone);
      lastDone = done;
      progress.set(total === 0 ? 1 : done / total);
    },
    published(changes, now) {
      for (const c of changes) {
        (c.change === 'entered' ? entries : exits).inc({ segment: c.segmentId });
        if (c.cause === 'event' && c.eventOccurredAt !== null)
          latency.observe(Math.max(0, now - c.eventOccurredAt) / 1000);
      }
    },
    members: (segmentId, size) => members.set({ segment: segmentId }, size),
    flapped: (segmentId) => flaps.inc({ segment: segmentId }),
  };
}
