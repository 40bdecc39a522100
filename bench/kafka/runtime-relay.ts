import { EVENTS_V1_SCHEMA, type PulseEvent } from '@pulse/contracts';
import { silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
} from '@pulse/kafka';

/**
 * The same relay through packages/kafka: every record decoded through the registry, re-encoded
 * and produced by the micro-batching idempotent producer, offsets committed per chunk after the
 * produce was acked, DLQ plumbing armed. Records/s from the first batch to the last record.
 */
export async function runRuntimeRelay(options: {
  brokers: string[];
  registryUrl: string;
  from: string;
  to: string;
  groupId: string;
  records: number;
  /** Partitions processed in parallel (each in order); the runtime's default when absent. */
  partitionsConsumedConcurrently?: number;
}): Promise<{ recordsPerSec: number; seconds: number }> {
  const logger = silentLogger();
  const kafka = createKafka({ brokers: options.brokers, clientId: 'bench-runtime', logger });
  const serde = createAvroSerde({ registry: createSchemaRegistry({ url: options.registryUrl }) });
  // The sink topic carries events.v1 records: same writer schema as the source.
  const producer = createProducer({ kafka, serde, schemas: () => EVENTS_V1_SCHEMA });
  let seen = 0;
  let started = 0;
  let finished = 0;
  let done: () => void = () => undefined;
  const allSeen = new Promise<void>((resolve) => (done = resolve));
  const consumer = createBatchConsumer<PulseEvent>({
    kafka,
    serde,
    producer,
    groupId: options.groupId,
    topics: [options.from],
    fromBeginning: true,
    ...(options.partitionsConsumedConcurrently
      ? { partitionsConsumedConcurrently: options.partitionsConsumedConcurrently }
      : {}),
    // As a service does: read with the schema it was built against.
    readerSchemas: () => EVENTS_V1_SCHEMA,
    handleBatch: async (records) => {
      if (!started) started = performance.now();
      await Promise.all(
        records.map((r) => producer.send(options.to, { key: r.key, value: r.value })),
      );
      seen += records.length;
      if (seen >= options.records && !finished) {
        finished = performance.now();
        done();
      }
    },
  });
  await producer.connect();
  await consumer.start();
  await allSeen;
  await consumer.close();
  await producer.close();
  const seconds = (finished - started) / 1000;
  return { recordsPerSec: options.records / seconds, seconds };
}
