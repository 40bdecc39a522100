import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dlqTopic } from '@pulse/contracts';
import { PulseError } from '@pulse/core';
import { waitFor } from '@pulse/testkit';
import { Registry } from 'prom-client';
import {
  CONSUMER_METRICS,
  DLQ_HEADERS,
  KafkaErrorCode,
  createBatchConsumer,
  frame,
  parseDeadLetterHeaders,
  type BatchConsumer,
  type BatchHandler,
} from '../src/index';
import { THING_SCHEMA, createHarness, type Harness, type Thing } from './harness';

/** Sum of a metric's samples whose labels include `labels`. */
async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('dead letters and retries', () => {
  let h: Harness;
  const consumers: BatchConsumer[] = [];
  beforeAll(() => {
    h = createHarness();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.close()));
    await h.cleanup();
  }, 60_000);

  function consume(
    topic: string,
    groupId: string,
    handleBatch: BatchHandler<Thing>,
    registry: Registry,
  ) {
    const consumer = createBatchConsumer<Thing>({
      kafka: h.kafka,
      serde: h.serde,
      producer: h.producer,
      groupId,
      topics: [topic],
      fromBeginning: true,
      sessionTimeout: 6_000,
      retry: { initialMs: 20, maxMs: 200 },
      registry,
      logger: h.logger,
      handleBatch,
    });
    consumers.push(consumer);
    return consumer;
  }

  async function committedThrough(groupId: string, topic: string): Promise<void> {
    const end = await h.endOffsets(topic);
    await waitFor(
      async () => {
        const committed = await h.committed(groupId, topic);
        return [...end].every(([p, high]) => committed.get(p) === high);
      },
      { timeoutMs: 60_000, description: `group ${groupId} committed ${topic} to the end` },
    );
  }

  it('dead-letters garbage, unknown schema ids and poison records with their original bytes; the rest is processed and committed', async () => {
    const topic = await h.createTopic('dlq', 1);
    const groupId = h.group('dlq');
    const encode = await h.serde.encoder<Thing>(topic, THING_SCHEMA);
    const thing = (seq: number, poison = false): Thing => ({ key: `k${seq}`, seq, poison });
    const garbage = Buffer.from('definitely not avro');
    const unknownId = frame(0x7ffffff0, Buffer.from([2, 0x61]));
    const poisonBytes = encode(thing(6, true));
    const origin = { 'x-origin': 'dlq-test' };
    // One partition, so offsets are the send order: 2, 4 and 6 are the bad ones.
    const sends = [
      () => h.producer.send<Thing>(topic, { key: 'k0', value: thing(0) }),
      () => h.producer.send<Thing>(topic, { key: 'k1', value: thing(1) }),
      () => h.producer.sendRaw(topic, { key: 'garbage', value: garbage, headers: origin }),
      () => h.producer.send<Thing>(topic, { key: 'k3', value: thing(3) }),
      () => h.producer.sendRaw(topic, { key: 'unknown', value: unknownId, headers: origin }),
      () => h.producer.send<Thing>(topic, { key: 'k5', value: thing(5) }),
      () => h.producer.sendRaw(topic, { key: 'poison', value: poisonBytes, headers: origin }),
      () => h.producer.send<Thing>(topic, { key: 'k7', value: thing(7) }),
    ];
    const offsets: string[] = [];
    for (const send of sends) offsets.push((await send()).offset);
    expect(offsets).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);

    const handled = new Set<number>();
    const metrics = new Registry();
    const consumer = consume(
      topic,
      groupId,
      async (records) => {
        if (records.some((r) => r.value.poison)) {
          throw new PulseError('TEST_POISON', 'this record cannot be applied');
        }
        records.forEach((r) => handled.add(r.value.seq));
      },
      metrics,
    );
    await consumer.start();

    const dead = await h.readRaw(dlqTopic(topic, groupId), 3);
    await committedThrough(groupId, topic);
    expect([...handled].sort()).toEqual([0, 1, 3, 5, 7]);

    const byOffset = new Map(dead.map((d) => [String(d.headers[DLQ_HEADERS.offset]), d]));
    const expected = [
      { offset: '2', code: KafkaErrorCode.BAD_MAGIC_BYTE, key: 'garbage', value: garbage },
      { offset: '4', code: KafkaErrorCode.UNKNOWN_SCHEMA_ID, key: 'unknown', value: unknownId },
      { offset: '6', code: 'TEST_POISON', key: 'poison', value: poisonBytes },
    ];
    for (const want of expected) {
      const letter = byOffset.get(want.offset);
      expect(letter?.key?.toString()).toBe(want.key);
      expect(letter?.value?.equals(want.value)).toBe(true);
      expect(letter?.headers['x-origin']?.toString()).toBe('dlq-test');
      const info = parseDeadLetterHeaders(letter?.headers ?? {});
      expect(info).toMatchObject({
        code: want.code,
        topic,
        partition: 0,
        offset: want.offset,
        groupId,
      });
      expect(info?.reason.length).toBeGreaterThan(0);
      expect(Number.isNaN(info?.at)).toBe(false);
    }
    expect(byOffset.get('6')?.headers[DLQ_HEADERS.reason]?.toString()).toBe(
      'this record cannot be applied',
    );
    expect(
      await metricValue(metrics, CONSUMER_METRICS.deadLetters, { consumergroup: groupId, topic }),
    ).toBe(3);
  }, 120_000);

  it('retries a transient handler failure until it succeeds, dead-lettering nothing', async () => {
    const topic = await h.createTopic('retry', 1);
    const groupId = h.group('retry');
    for (let seq = 0; seq < 5; seq += 1) {
      await h.producer.send<Thing>(topic, {
        key: `k${seq}`,
        value: { key: `k${seq}`, seq, poison: false },
      });
    }
    let failuresLeft = 2;
    const attempts: number[] = [];
    const handled: number[] = [];
    const metrics = new Registry();
    const consumer = consume(
      topic,
      groupId,
      async (records, ctx) => {
        attempts.push(ctx.attempt);
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new PulseError('TEST_BUSY', 'downstream busy', { retriable: true });
        }
        handled.push(...records.map((r) => r.value.seq));
      },
      metrics,
    );
    await consumer.start();

    await committedThrough(groupId, topic);
    expect(handled).toEqual([0, 1, 2, 3, 4]);
    expect(attempts.slice(0, 3)).toEqual([0, 1, 2]);
    const dlqEnd = await h.endOffsets(dlqTopic(topic, groupId));
    expect([...dlqEnd.values()].every((high) => high === 0n)).toBe(true);
    const labels = { consumergroup: groupId, topic };
    expect(
      await metricValue(metrics, CONSUMER_METRICS.retries, { ...labels, operation: 'handler' }),
    ).toBe(2);
    expect(await metricValue(metrics, CONSUMER_METRICS.deadLetters, labels)).toBe(0);
    expect(await metricValue(metrics, CONSUMER_METRICS.lag, { ...labels, partition: '0' })).toBe(0);
    expect(await metricValue(metrics, CONSUMER_METRICS.records, labels)).toBe(5);
  }, 120_000);
});
