import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@pulse/testkit';
import { createBatchConsumer, type ConsumedRecord, type RecordMetadata } from '../src/index';
import { createHarness, type Harness, type Thing } from './harness';

describe('producer → registry → batch consumer', () => {
  let h: Harness;
  beforeAll(() => {
    h = createHarness();
  });
  afterAll(async () => {
    await h.cleanup();
  }, 60_000);

  it('delivers Avro records decoded, in order per key, and commits them', async () => {
    const topic = await h.createTopic('pc', 3);
    const groupId = h.group('pc');
    const keys = Array.from({ length: 8 }, (_, i) => `customer-${i}`);
    const sent: { thing: Thing; meta: RecordMetadata }[] = [];
    // Concurrent sends share micro-batches; per key, call order must survive into the log.
    const pending = Array.from({ length: 240 }, (_, i) => {
      const thing: Thing = { key: keys[i % keys.length] ?? 'x', seq: i, poison: false };
      return h.producer
        .send<Thing>(topic, { key: thing.key, value: thing, headers: { 'x-seq': String(i) } })
        .then((meta) => sent.push({ thing, meta }));
    });
    await Promise.all(pending);

    const received: ConsumedRecord<Thing>[] = [];
    const consumer = createBatchConsumer<Thing>({
      kafka: h.kafka,
      serde: h.serde,
      producer: h.producer,
      groupId,
      topics: [topic],
      fromBeginning: true,
      sessionTimeout: 6_000,
      logger: h.logger,
      handleBatch: async (records) => {
        received.push(...records);
      },
    });
    try {
      await consumer.start();
      await waitFor(() => received.length >= sent.length, {
        timeoutMs: 60_000,
        description: 'all records consumed',
      });
      const end = await h.endOffsets(topic);
      await waitFor(
        async () => {
          const committed = await h.committed(groupId, topic);
          return [...end].every(([p, high]) => committed.get(p) === high);
        },
        { timeoutMs: 30_000, description: 'offsets committed up to the end' },
      );
    } finally {
      await consumer.close();
    }

    expect(received).toHaveLength(sent.length);
    for (const key of keys) {
      const seqs = received.filter((r) => r.key === key).map((r) => r.value.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength(240 / keys.length);
    }
    // Each send resolved with the partition and offset the record really has.
    const bySeq = new Map(received.map((r) => [r.value.seq, r]));
    for (const { thing, meta } of sent) {
      const got = bySeq.get(thing.seq);
      expect(got).toMatchObject({
        topic,
        partition: meta.partition,
        offset: meta.offset,
        key: thing.key,
      });
      expect(got?.value).toEqual(thing);
      expect(got?.headers['x-seq']).toBe(String(thing.seq));
      expect(got?.schemaId).toBeGreaterThan(0);
    }
  }, 90_000);

  it('close() lets the in-flight handler call finish, commits it, and stops there', async () => {
    const topic = await h.createTopic('close', 1);
    const groupId = h.group('close');
    for (let seq = 0; seq < 20; seq += 1) {
      await h.producer.send<Thing>(topic, { key: 'k', value: { key: 'k', seq, poison: false } });
    }
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handled: number[] = [];
    let aborted = false;
    const consumer = createBatchConsumer<Thing>({
      kafka: h.kafka,
      serde: h.serde,
      producer: h.producer,
      groupId,
      topics: [topic],
      fromBeginning: true,
      sessionTimeout: 6_000,
      maxRecordsPerCall: 5,
      logger: h.logger,
      handleBatch: async (records, ctx) => {
        entered();
        await gate;
        aborted ||= ctx.signal.aborted;
        handled.push(...records.map((r) => r.value.seq));
      },
    });
    await consumer.start();
    await inHandler;
    const closing = consumer.close();
    expect(consumer.close()).toBe(closing);
    release();
    await closing;

    expect(handled).toEqual([0, 1, 2, 3, 4]);
    expect(aborted).toBe(false);
    expect((await h.committed(groupId, topic)).get(0)).toBe(5n);
  }, 90_000);
});
