import { TOPIC_SPECS, type AvroSchema } from '@pulse/contracts';
import type { Message, RecordMetadata as KafkaRecordMetadata, TopicMessages } from 'kafkajs';

/** Where the producer finds a topic's writer schema. */
export type SchemaLookup =
  | ReadonlyMap<string, AvroSchema>
  | Readonly<Record<string, AvroSchema>>
  | ((topic: string) => AvroSchema | undefined);

function isMap(lookup: SchemaLookup): lookup is ReadonlyMap<string, AvroSchema> {
  return lookup instanceof Map;
}

/** Normalizes a SchemaLookup; with none, the schemas of contracts' `TOPIC_SPECS`. */
export function schemaLookup(schemas?: SchemaLookup): (topic: string) => AvroSchema | undefined {
  if (typeof schemas === 'function') return schemas;
  if (schemas && isMap(schemas)) return (topic) => schemas.get(topic);
  if (schemas) return (topic) => (Object.hasOwn(schemas, topic) ? schemas[topic] : undefined);
  return (topic) => TOPIC_SPECS.find((spec) => spec.topic === topic)?.schema;
}

/** Groups messages by topic for one `sendBatch`, keeping each topic's messages in call order. */
export function groupByTopic(
  items: readonly { topic: string; message: Message }[],
): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of items) {
    const list = byTopic.get(topic);
    if (list) list.push(message);
    else byTopic.set(topic, [message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** One sent record's topic and the partition the partitioner chose (if it was seen). */
export interface SentRecord {
  topic: string;
  partition: number | undefined;
}

/**
 * Each record's offset from a `sendBatch` answer: the broker reports one base offset per
 * topic-partition, and records of one partition are appended in the order they were sent.
 */
export function assignOffsets(
  records: readonly SentRecord[],
  acks: readonly KafkaRecordMetadata[],
): ({ topic: string; partition: number; offset: string } | undefined)[] {
  // Per topic-partition: its base offset and how many of its records were numbered so far.
  const bases = new Map<string, Map<number, { base: string; next: number }>>();
  for (const ack of acks) {
    const base = ack.baseOffset ?? ack.offset;
    if (base === undefined) continue;
    let byPartition = bases.get(ack.topicName);
    if (!byPartition) bases.set(ack.topicName, (byPartition = new Map()));
    byPartition.set(ack.partition, { base, next: 0 });
  }
  return records.map(({ topic, partition }) => {
    if (partition === undefined) return undefined;
    const entry = bases.get(topic)?.get(partition);
    if (!entry) return undefined;
    const index = entry.next;
    entry.next += 1;
    return { topic, partition, offset: addToOffset(entry.base, index) };
  });
}

/** `offset + n` for an int64 decimal string: plain numbers while exact, BigInt beyond. */
function addToOffset(offset: string, n: number): string {
  if (n === 0) return offset;
  const asNumber = Number(offset);
  const sum = asNumber + n;
  return Number.isSafeInteger(sum) ? String(sum) : (BigInt(offset) + BigInt(n)).toString();
}

function sizeOf(message: Message): number {
  const key = message.key ?? null;
  const keyBytes = key === null ? 0 : Buffer.byteLength(key);
  const value = message.value ?? null;
  return keyBytes + (value === null ? 0 : Buffer.byteLength(value));
}

/** Consecutive runs of `items` of at most `maxBytes` each (a bigger single item goes alone). */
export function splitByBytes<T extends { message: Message }>(items: T[], maxBytes: number): T[][] {
  const parts: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item.message);
    if (current.length > 0 && bytes + size > maxBytes) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
