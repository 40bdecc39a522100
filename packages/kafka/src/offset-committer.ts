import type { Logger } from '@pulse/core';

/** Commits offsets for partitions of one consumer group (kafkajs's `commitOffsetsIfNecessary`). */
export type CommitOffsets = (offsets: {
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
}) => Promise<void>;

interface Wanted {
  topic: string;
  partition: number;
  /** The next offset to read: one past the last handled record. */
  offset: string;
  commit: CommitOffsets;
}

/**
 * Commits handled offsets off the handler's path: a batch's next fetch does not wait for the
 * coordinator's answer. At most one commit request is in flight; offsets asked for meanwhile are
 * coalesced (the newest per partition wins) into the next one. Only offsets whose records were
 * handled are ever asked for, so a crash redelivers from the last commit and loses nothing; a
 * failed commit (a rebalance took the partition) is logged and dropped — the new owner starts
 * from the last commit that succeeded and the handlers are idempotent.
 */
export class OffsetCommitter {
  private readonly wanted = new Map<string, Wanted>();
  private inFlight: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Asks for `offset` (next to read) of `topic`/`partition` to be committed soon. */
  request(commit: CommitOffsets, topic: string, partition: number, offset: string): void {
    this.wanted.set(`${topic}\u0000${partition}`, { topic, partition, offset, commit });
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = undefined;
    });
  }

  /** Resolves once everything asked for so far was committed (or failed and was logged). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async run(): Promise<void> {
    while (this.wanted.size > 0) {
      const batch = [...this.wanted.values()];
      this.wanted.clear();
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const { topic, partition, offset } of batch) {
        const list = byTopic.get(topic);
        if (list) list.push({ partition, offset });
        else byTopic.set(topic, [{ partition, offset }]);
      }
      const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
      // Any batch's commit function reaches the same group coordinator: use the newest.
      const { commit } = batch[batch.length - 1] as Wanted;
      try {
        await commit({ topics });
      } catch (err) {
        this.logger.warn(
          { err, topics },
          'offset commit failed; records after the last commit will be delivered again',
        );
      }
    }
  }
}
