import type { KafkaClient } from '@pulse/kafka';
import {
  parseDlqTopicName,
  replayGroupId,
  type DlqTopicName,
  type PartitionState,
} from './dlq-topics';

/**
 * The few admin calls `pulse dlq` needs (topic listing, offsets, committing the replay group's
 * position), in one place. They reach through `KafkaClient.kafkajs` because @pulse/kafka has no
 * admin wrapper for them yet; moving them there is a small follow-up.
 */
export interface DlqAdmin {
  /** Every `<topic>.dlq.<group>` topic, sorted by name. */
  dlqTopics(): Promise<DlqTopicName[]>;
  /** Low/high offsets and the replay group's committed offset, per partition. */
  partitions(dlqTopic: string): Promise<PartitionState[]>;
  /** Records `offsets` (next offset to replay, per partition) as the replay group's position. */
  commitReplayed(
    dlqTopic: string,
    offsets: readonly { partition: number; offset: string }[],
  ): Promise<void>;
  close(): Promise<void>;
}

export async function connectDlqAdmin(kafka: KafkaClient): Promise<DlqAdmin> {
  const admin = kafka.kafkajs.admin();
  await admin.connect();
  let closing: Promise<void> | undefined;
  return {
    async dlqTopics() {
      const names = await admin.listTopics();
      return names
        .map(parseDlqTopicName)
        .filter((name): name is DlqTopicName => name !== undefined)
        .sort((a, b) => a.dlqTopic.localeCompare(b.dlqTopic));
    },
    async partitions(dlqTopic) {
      const [offsets, committed] = await Promise.all([
        admin.fetchTopicOffsets(dlqTopic),
        admin.fetchOffsets({ groupId: replayGroupId(dlqTopic), topics: [dlqTopic] }),
      ]);
      const done = new Map<number, string>();
      for (const p of committed[0]?.partitions ?? []) done.set(p.partition, p.offset);
      return offsets
        .map(({ partition, low, high }) => ({
          partition,
          low,
          high,
          committed: done.get(partition) ?? '-1',
        }))
        .sort((a, b) => a.partition - b.partition);
    },
    async commitReplayed(dlqTopic, offsets) {
      if (offsets.length === 0) return;
      await admin.setOffsets({
        groupId: replayGroupId(dlqTopic),
        topic: dlqTopic,
        partitions: offsets.map(({ partition, offset }) => ({ partition, offset })),
      });
    },
    close: () => (closing ??= admin.disconnect().catch(() => undefined)),
  };
}
