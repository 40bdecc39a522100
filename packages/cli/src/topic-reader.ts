import type { AvroSerde, KafkaClient } from '@pulse/kafka';
import { readRaw } from '@pulse/kafka';

/**
 * Every record on `topic` now, decoded through the registry: `readRaw` (a throwaway group,
 * nothing committed) asked for exactly the records between each partition's low and high
 * watermark at the start, so it resolves once it has them all. Records that do not decode are
 * counted, not thrown (a tool reading history should not stop on one bad record).
 */
export async function readWholeTopic<T>(
  kafka: KafkaClient,
  serde: AvroSerde,
  topic: string,
  timeoutMs = 120_000,
): Promise<{ values: T[]; undecodable: number }> {
  const admin = kafka.kafkajs.admin();
  let count: number;
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    count = offsets.reduce((s, o) => s + (Number(o.high) - Number(o.low)), 0);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (count === 0) return { values: [], undecodable: 0 };
  const records = await readRaw({ kafka, topic, count, timeoutMs });
  const values: T[] = [];
  let undecodable = 0;
  for (const r of records) {
    if (r.value === null) continue;
    try {
      values.push((await serde.decode<T>(r.value)).value);
    } catch {
      undecodable += 1;
    }
  }
  return { values, undecodable };
}
