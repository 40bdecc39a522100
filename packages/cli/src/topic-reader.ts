import { PulseError } from '@pulse/core';
import type { AvroSerde, KafkaClient } from '@pulse/kafka';
import { readRaw } from '@pulse/kafka';

/** One record of a topic read whole: its key, Kafka time, and decoded value (null: a tombstone). */
export interface TopicRecord<T> {
  key: string | null;
  timestamp: number;
  value: T | null;
}

/**
 * Every record on `topic` now, decoded through the registry, tombstones included (value
 * null), each partition's records in offset order: `readRaw` (a throwaway group, nothing
 * committed) asked for exactly the records between each partition's low and high watermark at
 * the start, so it resolves once it has them all. Records that do not decode are counted, not
 * thrown (a tool reading history should not stop on one bad record). A topic that does not
 * exist fails at once with TOPIC_NOT_FOUND (instead of the client's metadata retries).
 */
export async function readWholeTopicRecords<T>(
  kafka: KafkaClient,
  serde: AvroSerde,
  topic: string,
  timeoutMs = 120_000,
): Promise<{ records: TopicRecord<T>[]; undecodable: number }> {
  const admin = kafka.kafkajs.admin();
  let count: number;
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(topic))
      throw new PulseError('TOPIC_NOT_FOUND', `topic ${topic} does not exist`);
    const offsets = await admin.fetchTopicOffsets(topic);
    count = offsets.reduce((s, o) => s + (Number(o.high) - Number(o.low)), 0);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (count === 0) return { records: [], undecodable: 0 };
  const raw = await readRaw({ kafka, topic, count, timeoutMs });
  const records: TopicRecord<T>[] = [];
  let undecodable = 0;
  for (const r of raw) {
    if (r.value === null) {
      records.push({ key: r.key, timestamp: r.timestamp, value: null });
      continue;
    }
    try {
      const value = (await serde.decode<T>(r.value)).value;
      records.push({ key: r.key, timestamp: r.timestamp, value });
    } catch {
      undecodable += 1;
    }
  }
  return { records, undecodable };
}

/** The decoded values of every record on `topic` now (tombstones left out); see above. */
export async function readWholeTopic<T>(
  kafka: KafkaClient,
  serde: AvroSerde,
  topic: string,
  timeoutMs = 120_000,
): Promise<{ values: T[]; undecodable: number }> {
  const { records, undecodable } = await readWholeTopicRecords<T>(kafka, serde, topic, timeoutMs);
  const values = records.flatMap((r) => (r.value === null ? [] : [r.value]));
  return { values, undecodable };
}
