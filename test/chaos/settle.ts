import type { KafkaClient } from '@pulse/kafka';
import type { LedgerEntry } from './load';
import { counterName } from './oracle';

/** A consumer group and the topics it reads. */
export interface GroupTopics {
  groupId: string;
  topics: string[];
}

/** Records not yet consumed by the groups, summed (a group that committed nothing counts all). */
export async function totalLag(
  kafka: KafkaClient,
  groups: readonly GroupTopics[],
): Promise<number> {
  const admin = kafka.kafkajs.admin();
  await admin.connect();
  try {
    let lag = 0;
    for (const { groupId, topics } of groups) {
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const at = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
          lag += Number(end.high) - Math.max(at, Number(end.low));
        }
      }
    }
    return lag;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** End offsets of topics, summed: unchanged between two looks means nothing was written. */
export async function topicSizes(kafka: KafkaClient, topics: readonly string[]): Promise<number> {
  const admin = kafka.kafkajs.admin();
  await admin.connect();
  try {
    let size = 0;
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic)) size += Number(p.high);
    return size;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Counters each customer must reach at least: its acknowledged events. */
export function expectedMinimum(ledger: readonly LedgerEntry[]): Map<string, Map<string, number>> {
  const min = new Map<string, Map<string, number>>();
  for (const { event, acked } of ledger) {
    const counter = counterName(event.type);
    if (!acked || !counter) continue;
    const counters = min.get(event.customer) ?? new Map<string, number>();
    counters.set(counter, (counters.get(counter) ?? 0) + 1);
    min.set(event.customer, counters);
  }
  return min;
}

/** The customers whose counters are still below what was acknowledged. */
export function behind(
  min: Map<string, Map<string, number>>,
  got: Map<string, Map<string, number>>,
): string[] {
  const late: string[] = [];
  for (const [customer, counters] of min)
    for (const [name, value] of counters)
      if ((got.get(customer)?.get(name) ?? 0) < value) {
        late.push(customer);
        break;
      }
  return late;
}
