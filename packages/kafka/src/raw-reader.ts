import { PulseError } from '@pulse/core';
import type { KafkaMessage } from 'kafkajs';
import type { KafkaClient } from './client';
import { headersToText } from './dead-letter';
import { toPulseError } from './errors';

/** A position in one partition. */
export interface PartitionOffset {
  partition: number;
  /** Kafka offsets are int64: kept as a decimal string. */
  offset: string;
}

/** A record as it sits on the topic: bytes, not decoded (dead letters, tools, replays). */
export interface RawConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

export interface ReadRawOptions {
  kafka: KafkaClient;
  topic: string;
  /** Where to start per partition (e.g. from `endOffsets` taken earlier); default earliest. */
  from?: readonly PartitionOffset[];
  /** Resolve once this many records matched. */
  count: number;
  /** Only records for which this is true count; default all. */
  filter?: (record: RawConsumedRecord) => boolean;
  /** Default 30 000 ms; then `READ_TIMEOUT` names how many matched. */
  timeoutMs?: number;
}

/** The next offset of every partition of `topic`: what `readRaw` should start from to see only later records. */
export async function endOffsets(kafka: KafkaClient, topic: string): Promise<PartitionOffset[]> {
  const admin = kafka.kafkajs.admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map(({ partition, high }) => ({ partition, offset: high }));
  } catch (err) {
    throw toPulseError(err, `could not read the end offsets of ${topic}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function toRaw(topic: string, partition: number, message: KafkaMessage): RawConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value,
    headers: headersToText(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/**
 * Reads records of `topic` as bytes with a throwaway consumer group (deleted afterwards, so
 * nothing is committed anywhere): for tools that inspect topics such as dead-letter topics.
 */
export async function readRaw(options: ReadRawOptions): Promise<RawConsumedRecord[]> {
  const { kafka, topic, count, timeoutMs = 30_000 } = options;
  const groupId = `pulse-read-${process.pid}-${Date.now().toString(36)}`;
  const admin = kafka.kafkajs.admin();
  const consumer = kafka.kafkajs.consumer({
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const found: RawConsumedRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await admin.connect();
    if (options.from) await admin.setOffsets({ groupId, topic, partitions: [...options.from] });
    const enough = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        const what = `${count} record(s) from ${topic}; ${found.length} matched`;
        reject(new PulseError('READ_TIMEOUT', `timed out after ${timeoutMs} ms reading ${what}`));
      }, timeoutMs);
      void consumer.connect().then(async () => {
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const record = toRaw(topic, partition, message);
            if (found.length < count && (options.filter?.(record) ?? true)) found.push(record);
            if (found.length >= count) resolve();
          },
        });
      }, reject);
    });
    await enough;
    return found;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
