import { Kafka, logLevel } from 'kafkajs';

/**
 * The baseline: a bare kafkajs consume -> produce relay (no decoding, no registry), committing
 * each fetched batch after it was produced (autoCommit off, so the commit is explicit: with
 * autoCommit off kafkajs's argument-less commitOffsetsIfNecessary() commits nothing). Returns records/s from the first batch to the last commit.
 */
export async function runBareRelay(options: {
  brokers: string[];
  from: string;
  to: string;
  groupId: string;
  records: number;
}): Promise<{ recordsPerSec: number; seconds: number }> {
  const kafka = new Kafka({
    clientId: 'bench-bare',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: options.groupId, maxBytes: 10 * 1024 * 1024 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: options.from, fromBeginning: true });
  let seen = 0;
  let started = 0;
  let finished = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
        if (!started) started = performance.now();
        const messages = batch.messages.map((m) => ({
          key: m.key,
          value: m.value,
          headers: m.headers,
        }));
        await producer.send({ topic: options.to, acks: -1, messages });
        const last = batch.messages[batch.messages.length - 1];
        if (last) {
          resolveOffset(last.offset);
          const next = (BigInt(last.offset) + 1n).toString();
          await commitOffsetsIfNecessary({
            topics: [
              { topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] },
            ],
          });
        }
        seen += batch.messages.length;
        if (seen >= options.records && !finished) {
          finished = performance.now();
          resolve();
        }
      },
    });
  });
  await done;
  await consumer.disconnect();
  await producer.disconnect();
  const seconds = (finished - started) / 1000;
  return { recordsPerSec: options.records / seconds, seconds };
}
