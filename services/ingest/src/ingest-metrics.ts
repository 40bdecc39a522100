import { BUCKETS, type Metrics } from '@pulse/metrics';
import type { Counter, Histogram } from 'prom-client';

/** The ingest service's own metrics (`pulse_ingest_*`). */
export interface IngestMetrics {
  requests: Counter<'route' | 'status'>;
  accepted: Counter<'source'>;
  rejected: Counter<'reason'>;
  duplicates: Counter<'source'>;
  spooled: Counter<'source'>;
  payloadBytes: Histogram<'route'>;
  ackSeconds: Histogram;
}

export function createIngestMetrics(metrics: Metrics): IngestMetrics {
  return {
    requests: metrics.counter({
      name: metrics.name('requests', 'total'),
      help: 'HTTP requests answered, by route and status.',
      labelNames: ['route', 'status'],
    }),
    accepted: metrics.counter({
      name: metrics.name('events_accepted', 'total'),
      help: 'Events published to events.v1 and acknowledged by Kafka, by source.',
      labelNames: ['source'],
    }),
    rejected: metrics.counter({
      name: metrics.name('events_rejected', 'total'),
      help: 'Inputs refused, by reason (each also sent to the rejects topic).',
      labelNames: ['reason'],
    }),
    duplicates: metrics.counter({
      name: metrics.name('events_duplicate', 'total'),
      help: 'Events acknowledged but not published again (messageId seen within the window).',
      labelNames: ['source'],
    }),
    spooled: metrics.counter({
      name: metrics.name('events_spooled', 'total'),
      help: 'Pixel and email-tracking events kept in the Redis spool while Kafka did not ack.',
      labelNames: ['source'],
    }),
    payloadBytes: metrics.histogram({
      name: metrics.name('payload_size', 'bytes'),
      help: 'Decompressed request body sizes, by route.',
      labelNames: ['route'],
      buckets: [...BUCKETS.sizeBytes],
    }),
    ackSeconds: metrics.histogram({
      name: metrics.name('ack_latency', 'seconds'),
      help: 'Time from handing a request’s events to the producer to the Kafka ack.',
      buckets: [...BUCKETS.latencySeconds],
    }),
  };
}
