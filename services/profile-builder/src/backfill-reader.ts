import { PulseError, type Logger } from '@pulse/core';
import { toPulseError, type AvroSerde, type KafkaClient } from '@pulse/kafka';

/** A record of the replay, decoded, with where it sits. */
export interface ReplayedRecord<T> {
  partition: number;
  offset: number;
  value: T;
}

export interface ReplayOptions<T> {
  kafka: KafkaClient;
  serde: AvroSerde;
  topic: string;
  logger: Logger;
  /** Called per fetched batch, in partition order; the replay waits for it. */
  onBatch(records: readonly ReplayedRecord<T>[]): Promise<void>;
  /** Give up (READ_TIMEOUT) when no record arrived for this long. Default 60 s. */
  idleTimeoutMs?: number;
}

/**
 * The next offset the consumer group has committed per partition (what it already folded);
 * a partition it never committed is absent.
 */
export async function committedOffsets(
  kafka: KafkaClient,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const admin = kafka.kafkajs.admin();
  try {
    await admin.connect();
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(
      (entry?.partitions ?? [])
        .filter((p) => Number(p.offset) >= 0)
        .map((p) => [p.partition, Number(p.offset)]),
    );
  } catch (err) {
    throw toPulseError(err, `could not read the offsets of ${groupId} on ${topic}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Replays `topic` from the start up to its end as of the call (records appended later are left
 * to the live consumer), with a throwaway consumer group that commits nothing and is deleted
 * afterwards. Records that do not decode are skipped (the live consumer dead-letters them).
 * Returns how many records were replayed and skipped.
 */
export async function replayTopic<T>(
  options: ReplayOptions<T>,
): Promise<{ records: number; undecodable: number }> {
  const { kafka, topic, logger } = options;
  const admin = kafka.kafkajs.admin();
  const groupId = `pulse-backfill-${process.pid}-${Date.now().toString(36)}`;
  const consumer = kafka.kafkajs.consumer({ groupId, sessionTimeout: 30_000 });
  let records = 0;
  let undecodable = 0;
  try {
    await admin.connect();
    const ends = new Map(
      (await admin.fetchTopicOffsets(topic))
        .filter((o) => Number(o.high) > Number(o.low))
        .map((o) => [o.partition, Number(o.high)]),
    );
    if (ends.size === 0) return { records, undecodable };
    const open = new Set(ends.keys());
    let timer: NodeJS.Timeout | undefined;
    let failed = false;
    await new Promise<void>((resolve, reject) => {
      const idle = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () =>
            reject(
              new PulseError('READ_TIMEOUT', `replaying ${topic}: no record for a while`, {
                retriable: true,
                details: { records, open: [...open] },
              }),
            ),
          options.idleTimeoutMs ?? 60_000,
        );
      };
      idle();
      void (async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch, heartbeat }) => {
            // After a failure nothing more is folded: a retried batch would count twice.
            if (failed) return;
            idle();
            const end = ends.get(batch.partition) ?? 0;
            const out: ReplayedRecord<T>[] = [];
            for (const m of batch.messages) {
              const offset = Number(m.offset);
              if (offset >= end || m.value === null) continue;
              try {
                out.push({
                  partition: batch.partition,
                  offset,
                  value: (await options.serde.decode<T>(m.value)).value,
                });
              } catch {
                undecodable += 1;
              }
            }
            try {
              await options.onBatch(out);
            } catch (err) {
              failed = true;
              reject(err);
              return;
            }
            records += out.length;
            await heartbeat();
            const last = Number(batch.lastOffset());
            if (last >= end - 1 && open.delete(batch.partition) && open.size === 0) resolve();
          },
        });
      })().catch(reject);
    }).finally(() => clearTimeout(timer));
    logger.info({ topic, records, undecodable }, 'replay done');
    return { records, undecodable };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
