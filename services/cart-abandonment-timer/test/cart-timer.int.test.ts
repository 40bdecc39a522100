import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock, silentLogger } from '@pulse/core';
import { SCHEMAS } from '@pulse/contracts';
import type { PulseEvent } from '@pulse/contracts';
import { createAvroSerde, createKafka, createProducer, createSchemaRegistry } from '@pulse/kafka';
import type { ConsumedRecord } from '@pulse/kafka';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import { createScheduler } from '@pulse/scheduler';
import type { FiredTimer } from '@pulse/scheduler';
import { createTestKafka, getStack, isolatedRedis, randomName, waitFor } from '@pulse/testkit';
import { createAbandonFirer } from '../src/abandon-firer';
import { createCartEventHandler } from '../src/cart-events';
import { createCartStore } from '../src/cart-store';
import { timerId } from '../src/timer-plan';
import { orderCompleted, productAdded } from './helpers';

const DELAY = 30 * 60_000;
const stack = getStack();
const testKafka = createTestKafka(stack);
const isolated = isolatedRedis(stack);
const topic = randomName('t-cart-events');
const logger = silentLogger();
const redis = createRedis({ url: stack.redisUrl, logger });
const keyspace = createKeyspace(isolated.prefix.replace(/:$/, ''));
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'cart-timer-test', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const producer = createProducer({ kafka, serde, schemas: { [topic]: SCHEMAS['events.v1'] } });
const start = 1_750_000_000_000;
const clock = new ManualClock(start);
const store = createCartStore({ redis, keyspace, ttlMs: 3_600_000 });
const scheduler = createScheduler({ redis, keyspace, name: 'cart', shards: 4, logger, clock });
const handle = createCartEventHandler({ store, scheduler, stages: [DELAY] });
let offset = 0;

/** Delivers events to the handler as the consumer would (one partition, rising offsets). */
async function deliver(...events: PulseEvent[]): Promise<void> {
  const records: ConsumedRecord<PulseEvent>[] = events.map((value) => ({
    topic,
    partition: 0,
    offset: String(offset++),
    key: value.userId,
    value,
    headers: {},
    timestamp: value.receivedAt,
    schemaId: 1,
  }));
  const aborter = new AbortController();
  await handle(records, {
    topic,
    partition: 0,
    heartbeat: async () => {},
    signal: aborter.signal,
    attempt: 0,
  });
}

beforeAll(async () => {
  await testKafka.createTopics([topic], { partitions: 1 });
});

afterAll(async () => {
  await scheduler.close();
  await producer.close();
  await closeRedis(redis);
  await testKafka.cleanup();
  await isolated.cleanup();
});

describe('cart-abandonment timer against the real Redis and Kafka', () => {
  it('judges out-of-order events by event time', async () => {
    await deliver(productAdded('late', start + 5_000), productAdded('late', start + 1_000, 'p2'));
    expect((await scheduler.get(timerId('late')))?.dueAt).toBe(start + 5_000 + DELAY);
    // An order that happened before the latest activity leaves the newer item in the cart...
    await deliver(orderCompleted('late', start + 3_000));
    expect((await scheduler.get(timerId('late')))?.dueAt).toBe(start + 5_000 + DELAY);
    // ...an order after it cancels, and an older add arriving afterwards does not revive it.
    await deliver(orderCompleted('late', start + 6_000), productAdded('late', start + 5_500, 'p3'));
    expect(await scheduler.get(timerId('late'))).toBeUndefined();
  });

  it('publishes no Cart Abandoned when the order lands while the timer fires', async () => {
    await deliver(productAdded('racer', start), productAdded('quiet', start));
    let paused: FiredTimer | undefined;
    let resume: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      resume = resolve;
    });
    const published: string[] = [];
    const worker = scheduler.startWorker({
      pollMs: 20,
      handler: createAbandonFirer({
        store,
        scheduler,
        producer,
        topic,
        stages: [DELAY],
        logger,
        onPublished: (id) => published.push(id),
        beforeCheck: async (timer) => {
          if (timer.id !== timerId('racer')) return;
          paused = timer;
          await gate;
        },
      }),
    });
    const fromOffsets = await testKafka.endOffsets(topic);
    clock.set(start + DELAY);
    worker.wake();
    await waitFor(() => paused !== undefined && published.length === 1, {
      description: 'racer claimed, quiet published',
    });
    // The order happened before the timer was due, but is processed while the timer fires.
    await deliver(orderCompleted('racer', start + DELAY - 1));
    resume();
    await waitFor(async () => (await scheduler.get(timerId('racer'))) === undefined, {
      description: 'racer timer gone',
    });
    await waitFor(async () => (await scheduler.get(timerId('quiet'))) === undefined, {
      description: 'quiet timer gone',
    });
    const records = await testKafka.readRecords(topic, { count: 1, from: fromOffsets });
    expect(records.map((r) => r.key?.toString())).toEqual(['quiet']);
    const ends = await testKafka.endOffsets(topic);
    const written = ends.reduce(
      (n, e, i) => n + Number(e.offset) - Number(fromOffsets[i]?.offset ?? 0),
      0,
    );
    expect(written).toBe(1);
    expect(published).toEqual([`cart:quiet@${start + DELAY}`]);
    expect(paused?.firedAt).toBeGreaterThanOrEqual(start + DELAY);
  });
});
