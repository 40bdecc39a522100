import type { SegmentChange } from '@pulse/contracts';
import { BUCKETS, type Metrics } from '@pulse/metrics';

/** The segmenter's own metrics (`pulse_segmenter_*`; the contract in infra/prometheus/README.md). */
export interface SegmenterMetrics {
  /** Counts published changes; observes event → publish latency for event-caused ones. */
  published(changes: readonly SegmentChange[], now: number): void;
  members(segmentId: string, size: number): void;
  /** A customer re-entered this segment within the flap window of leaving it. */
  flapped(segmentId: string): void;
  /** Progress of the background re-evaluation after a segment edit. */
  reevaluation(done: number, total: number): void;
  /** Progress of the background exits after a segment file was deleted. */
  removal(done: number, total: number): void;
}

export function createSegmenterMetrics(metrics: Metrics): SegmenterMetrics {
  const entries = metrics.counter({
    name: metrics.name('segment_entries', 'total'),
    help: 'Segment entries published to segment-changes.v1, by segment.',
    labelNames: ['segment'],
  });
  const exits = metrics.counter({
    name: metrics.name('segment_exits', 'total'),
    help: 'Segment exits published to segment-changes.v1, by segment.',
    labelNames: ['segment'],
  });
  const members = metrics.gauge({
    // A count without a unit suffix: the name the dashboards and alert rules read.
    name: `pulse_${metrics.service}_segment_members`,
    help: 'Current members of each segment (as last settled by this copy).',
    labelNames: ['segment'],
  });
  const latency = metrics.histogram({
    name: metrics.name('event_to_segment_change', 'seconds'),
    help: "From the triggering event's occurredAt to its segment change acked by Kafka.",
    buckets: [...BUCKETS.latencySeconds],
  });
  const progress = metrics.gauge({
    name: metrics.name('reevaluation_progress', 'ratio'),
    help: 'Share of stored profiles re-evaluated since the last segment edit (1 = done).',
  });
  const reevaluated = metrics.counter({
    name: metrics.name('reevaluated_profiles', 'total'),
    help: 'Stored profiles re-evaluated because a segment definition changed.',
  });
  const flaps = metrics.counter({
    name: metrics.name('segment_flaps', 'total'),
    help: 'Re-entries into a segment within SEGMENTER_FLAP_WINDOW of leaving it, by segment.',
    labelNames: ['segment'],
  });
  const removal = metrics.gauge({
    name: metrics.name('removal_progress', 'ratio'),
    help: 'Share of stored profiles visited since a segment file was deleted (1 = every member exited).',
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
    removal: (done, total) => removal.set(total === 0 ? 1 : done / total),
    members: (segmentId, size) => members.set({ segment: segmentId }, size),
    flapped: (segmentId) => flaps.inc({ segment: segmentId }),
  };
}
