import { BUCKETS, type Metrics } from '@pulse/metrics';
import { Counter, Histogram } from 'prom-client';

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
  const registers = [metrics.registry];
  return {
    requests: new Counter({
      name: metrics.name('requests', 'total'),
      help: 'HTTP requests answered, by route and status.',
      labelNames: ['route', 'status'],
      registers,
    }),
    accepted: new Counter({
      name: metrics.name('events_accepted', 'total'),
      help: 'Events published to events.v1 and acknowledged by Kafka, by source.',
      labelNames: ['source'],
      registers,
    }),
    rejected: new Counter({
      name: metrics.name('events_rejected', 'total'),
      help: 'Inputs refused, by reason (each also sent to the rejects topic).',
      labelNames: ['reason'],
      registers,
    }),
    duplicates: new Counter({
      name: metrics.name('events_duplicate', 'total'),
      help: 'Events acknowledged but not published again (messageId seen within the window).',
      labelNames: ['source'],
      registers,
    }),
    spooled: new Counter({
      name: metrics.name('events_spooled', 'total'),
      help: 'Pixel and email-tracking events kept in the Redis spool while Kafka did not ack.',
      labelNames: ['source'],
      registers,
    }),
    payloadBytes: new Histogram({
      name: metrics.name('payload_size', 'bytes'),
      help: 'Decompressed request body sizes, by route.',
      labelNames: ['route'],
      buckets: [...BUCKETS.sizeBytes],
      registers,
    }),
    ackSeconds: new Histogram({
      name: metrics.name('ack_latency', 'seconds'),
      help: 'Time from handing a request’s events to the producer to the Kafka ack.',
      buckets: [...BUCKETS.latencySeconds],
      registers,
    }),
  };
}
