import { PulseError, type Logger } from '@pulse/core';
import {
  CompressionTypes,
  Partitioners,
  type IHeaders,
  type Message,
  type Producer,
  type RecordMetadata as KafkaRecordMetadata,
} from 'kafkajs';
import type { KafkaClient } from './client';
import { KafkaErrorCode, toPulseError } from './errors';
import { MicroBatcher } from './micro-batcher';
import type { AvroSchema, TopicValues } from '@pulse/contracts';
import {
  assignOffsets,
  groupByTopic,
  type SchemaLookup,
  schemaLookup,
  splitByBytes,
} from './producer-support';
import type { AvroSerde, Encoder } from './serde';

/** The value type a topic carries: contracts' type for Pulse topics, `V` for any other. */
export type TopicValue<T extends string, V = unknown> = T extends keyof TopicValues
  ? TopicValues[T]
  : V;

/** Header values as Kafka carries them: bytes or UTF-8 text, possibly repeated. */
export type RecordHeaders = IHeaders;

/** A value to encode with the topic's Avro schema. Keys are UTF-8 text (the customer id). */
export interface ProducerRecord<V> {
  key?: string | Buffer | null;
  value: V;
  headers?: RecordHeaders;
  /** Forces a partition; by default the key picks it (murmur2, like the Java client). */
  partition?: number;
}

/** Pre-encoded bytes, sent as they are (dead letters, relays). */
export interface RawRecord {
  key?: string | Buffer | null;
  value: Buffer | null;
  headers?: RecordHeaders;
  partition?: number;
}

/** Where an acknowledged record landed. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** Kafka offsets are int64: kept as a decimal string. */
  offset: string;
}

export interface ProducerOptions {
  kafka: KafkaClient;
  serde: AvroSerde;
  /** Default: the client's logger. */
  logger?: Logger;
  /**
   * The writer schema per topic, as a map or function; default: the `schema` of contracts'
   * `TOPIC_SPECS` entry for the topic.
   */
  schemas?: SchemaLookup;
  /**
   * How long a record waits for others to share its request; default 0: records produced in the
   * same event-loop turn share one, and records arriving while a request is in flight share the
   * next (the send loop is serial), so batches grow with load and an idle record waits for nothing.
   */
  lingerMs?: number;
  /** Most records per request; default 10 000. */
  maxBatchRecords?: number;
  /**
   * Most bytes (keys + values) per request, so no partition's record batch exceeds the broker's
   * `message.max.bytes` (1 MiB by default); default 900 000. A bigger single record still goes,
   * alone, and the broker judges it.
   */
  maxBatchBytes?: number;
  /** How long the broker may take to replicate and ack; default 30 000 ms. */
  ackTimeoutMs?: number;
  /** Default none (fast on loopback); gzip for wide-area links. */
  compression?: 'none' | 'gzip';
}

export const PRODUCER_DEFAULTS = {
  lingerMs: 0,
  maxBatchRecords: 10_000,
  maxBatchBytes: 900_000,
  ackTimeoutMs: 30_000,
  compression: 'none',
} as const;

/** The one way services write to Kafka. */
export interface PulseProducer {
  /** Connects now (it also connects on the first send): fail fast at startup. */
  connect(): Promise<void>;
  /**
   * Encodes `record.value` with the topic's schema; resolves once all in-sync replicas acked.
   * For Pulse topics the value type comes from contracts (`send(TOPICS.events, ...)` takes a
   * PulseEvent); for others name it: `send<MyValue>(topic, ...)`.
   */
  send<V = unknown, T extends string = string>(
    topic: T,
    record: ProducerRecord<TopicValue<T, V>>,
  ): Promise<RecordMetadata>;
  /** Sends bytes as they are; resolves once all in-sync replicas acked. */
  sendRaw(topic: string, record: RawRecord): Promise<RecordMetadata>;
  /** Sends everything queued now and waits for the acks. */
  flush(): Promise<void>;
  /** Flushes, then disconnects. Idempotent; later sends fail with `KAFKA_CLIENT_CLOSED`. */
  close(): Promise<void>;
}

const PARTITION = Symbol('partition');
type Tagged = Message & { [PARTITION]?: number };

type Encoded = { ok: true; message: Message } | { ok: false; error: unknown };

interface Pending {
  topic: string;
  /** A value once the topic's encoder is known (the common case), a promise before. */
  encoded: Encoded | Promise<Encoded>;
  resolve: (meta: RecordMetadata) => void;
  reject: (err: unknown) => void;
}

/**
 * Creates the producer: kafkajs idempotent producer, acks from all in-sync replicas, records
 * micro-batched through one serialized send loop, recreated after any failed send (a failed
 * idempotent producer may hold sequence numbers the broker no longer agrees with).
 */
export function createProducer(options: ProducerOptions): PulseProducer {
  const logger = (options.logger ?? options.kafka.logger).child({ component: 'producer' });
  const lookup = schemaLookup(options.schemas);
  // The partition the partitioner chose, kept on the message itself: a WeakMap entry per
  // record costs the garbage collector more than the send.
  const partitionOf = (message: Message): number | undefined => (message as Tagged)[PARTITION];
  let current: Promise<Producer> | undefined;
  let closing: Promise<void> | undefined;

  const createPartitioner = () => {
    const inner = Partitioners.DefaultPartitioner();
    return (args: Parameters<typeof inner>[0]): number => {
      const partition = inner(args);
      (args.message as Tagged)[PARTITION] = partition;
      return partition;
    };
  };

  function connected(): Promise<Producer> {
    if (current) return current;
    const attempt = (async () => {
      const producer = options.kafka.kafkajs.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner,
      });
      await producer.connect();
      return producer;
    })();
    current = attempt;
    attempt.catch(() => {
      if (current === attempt) current = undefined;
    });
    return attempt;
  }

  async function recreate(reason: unknown): Promise<void> {
    const old = current;
    current = undefined;
    logger.warn({ err: reason }, 'send failed; recreating the idempotent producer');
    await old?.then((p) => p.disconnect()).catch(() => undefined);
  }

  async function flush(batch: Pending[]): Promise<void> {
    const ready: { entry: Pending; message: Message }[] = [];
    // Await only when some record is still waiting for its topic's encoder (first sends).
    const results = batch.some((entry) => entry.encoded instanceof Promise)
      ? await Promise.all(batch.map((entry) => entry.encoded))
      : batch.map((entry) => entry.encoded as Encoded);
    results.forEach((result, i) => {
      const entry = batch[i];
      if (!entry) return;
      if (result.ok) ready.push({ entry, message: result.message });
      else entry.reject(result.error);
    });
    const maxBytes = options.maxBatchBytes ?? PRODUCER_DEFAULTS.maxBatchBytes;
    for (const part of splitByBytes(ready, maxBytes)) await sendReady(part);
  }

  async function sendReady(ready: { entry: Pending; message: Message }[]): Promise<void> {
    if (ready.length === 0) return;
    try {
      const producer = await connected();
      const acks: KafkaRecordMetadata[] = await producer.sendBatch({
        topicMessages: groupByTopic(
          ready.map(({ entry, message }) => ({ topic: entry.topic, message })),
        ),
        acks: -1,
        timeout: options.ackTimeoutMs ?? PRODUCER_DEFAULTS.ackTimeoutMs,
        compression: options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      });
      const offsets = assignOffsets(
        ready.map(({ entry, message }) => ({
          topic: entry.topic,
          partition: partitionOf(message),
        })),
        acks,
      );
      ready.forEach(({ entry }, i) =>
        entry.resolve(offsets[i] ?? { topic: entry.topic, partition: -1, offset: '-1' }),
      );
    } catch (err) {
      const error = toPulseError(err, `producing ${ready.length} records failed`);
      ready.forEach(({ entry }) => entry.reject(error));
      await recreate(error);
    }
  }

  const batcher = new MicroBatcher<Pending>({
    lingerMs: options.lingerMs ?? PRODUCER_DEFAULTS.lingerMs,
    maxBatchSize: options.maxBatchRecords ?? PRODUCER_DEFAULTS.maxBatchRecords,
    flush,
    onError: (err) => logger.error({ err }, 'producer flush loop failed'),
  });

  function enqueue(topic: string, encoded: Encoded | Promise<Encoded>): Promise<RecordMetadata> {
    if (closing) {
      return Promise.reject(
        new PulseError(KafkaErrorCode.CLOSED, `producer is closed; cannot send to ${topic}`),
      );
    }
    return new Promise<RecordMetadata>((resolve, reject) => {
      batcher.add({ topic, encoded, resolve, reject });
    });
  }

  function toMessage(record: RawRecord): Message {
    const message: Message = { key: record.key ?? null, value: record.value };
    if (record.headers) message.headers = record.headers;
    if (record.partition !== undefined) message.partition = record.partition;
    return message;
  }

  /** Encoders already resolved, by topic: later sends encode synchronously. */
  const ready = new Map<string, Encoder<unknown>>();

  function encodeWith<V>(encoder: Encoder<unknown>, record: ProducerRecord<V>): Encoded {
    try {
      return { ok: true, message: toMessage({ ...record, value: encoder(record.value) }) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  function encode<V>(topic: string, record: ProducerRecord<V>): Encoded | Promise<Encoded> {
    const known = ready.get(topic);
    if (known) return encodeWith(known, record);
    return (async (): Promise<Encoded> => {
      try {
        const schema: AvroSchema | undefined = lookup(topic);
        if (schema === undefined) {
          throw new PulseError(
            KafkaErrorCode.NO_SCHEMA_FOR_TOPIC,
            `no schema known for topic ${topic}; pass it in options.schemas`,
          );
        }
        const encoder = await options.serde.encoder<unknown>(topic, schema);
        ready.set(topic, encoder);
        return encodeWith(encoder, record);
      } catch (error) {
        return { ok: false, error };
      }
    })();
  }

  return {
    connect: async () => {
      await connected().catch((err: unknown) => {
        throw toPulseError(err, 'producer could not connect');
      });
    },
    send: (topic, record) => enqueue(topic, encode(topic, record)),
    sendRaw: (topic, record) => enqueue(topic, { ok: true, message: toMessage(record) }),
    flush: () => batcher.drain(),
    close: () =>
      (closing ??= (async () => {
        await batcher.drain();
        const last = current;
        current = undefined;
        await last
          ?.then((p) => p.disconnect())
          .catch((err: unknown) => logger.warn({ err }, 'producer disconnect failed'));
      })()),
  };
}
