import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SCHEMAS } from '@pulse/contracts';
import type { ProfileChange } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
} from '@pulse/kafka';
import { createMetrics } from '@pulse/metrics';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import { createScheduler } from '@pulse/scheduler';
import { createTestKafka, getStack, isolatedRedis, randomName, waitFor } from '@pulse/testkit';
import { createAttributionStore } from '../src/attribution-store';
import { createErasureHandler, createRendererEraser } from '../src/erasure';
import { rendererKeys } from '../src/keys';
import { createSmtpMailer } from '../src/mailer';
import { createOutcomeObserver } from '../src/outcome-observer';
import { heldTimerId } from '../src/renderer';
import type { Renderer, TriggerIn } from '../src/renderer';
import { createRendererMetrics } from '../src/renderer-metrics';
import { createSuppressionStore } from '../src/suppression';
import { enteredEngaged, profileFor, startProfileServer, testRenderer } from './harness';

const NOW = Date.UTC(2025, 2, 14, 15, 0); // midnight in Tokyo: quiet hours hold the email
const WINDOW = 7 * 86_400_000;
const stack = getStack();
const testKafka = createTestKafka(stack);
const isolated = isolatedRedis(stack);
const logger = silentLogger();
const run = randomName('re');
const changesTopic = randomName('t-profile-changes');
const clock = new ManualClock(NOW);
const redis = createRedis({ url: stack.redisUrl, logger });
const keyspace = createKeyspace(isolated.prefix.replace(/:$/, ''));
const keys = rendererKeys(keyspace);
const held = createScheduler({ redis, keyspace, name: 'renderer-held', logger, clock });
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'renderer-erase-test', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const schemas = { [changesTopic]: SCHEMAS['profile-changes.v1'] };
const producer = createProducer({ kafka, serde, schemas });
const mailer = createSmtpMailer({ url: stack.smtpUrl });
const suppressions = createSuppressionStore(redis, keys);
const closers: (() => Promise<void>)[] = [];
// Canonical ids may be email addresses (`e:`): none of it may stay in Redis in clear.
const erased = `e:${run}-gone@example.com`;
const kept = `u:${run}-kept`;
let renderer: Renderer;

const tombstone = (customerId: string, mergedInto: string | null): ProfileChange => ({
  customerId,
  version: 9,
  eventId: null,
  eventType: null,
  eventOccurredAt: null,
  at: NOW,
  changed: ['identities'],
  profile: {
    email: null,
    userIds: [],
    anonymousIds: [],
    firstSeenAt: null,
    lastSeenAt: null,
    traits: {},
    aggregates: {},
  },
  mergedFrom: [],
  mergedInto,
  tombstone: true,
});
const inactive = (customerId: string): TriggerIn => ({
  id: `${customerId}-inactive`,
  customerId,
  at: NOW,
  segment: { id: 'inactive-buyers', change: 'entered' },
});
/** Every key of the test's keyspace that names `text`. */
async function keysNaming(text: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${keyspace.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    found.push(...batch.filter((k) => k.includes(text)));
  } while (cursor !== '0');
  return found;
}

beforeAll(async () => {
  await testKafka.createTopics([changesTopic], { partitions: 1 });
  const tokyo = { timezone: 'Asia/Tokyo' };
  const profiles = await startProfileServer({
    [erased]: profileFor(erased, `${run}-gone@example.com`, tokyo),
    [kept]: profileFor(kept, `${run}-kept@example.com`, tokyo),
  });
  closers.push(profiles.close);
  renderer = testRenderer({
    redis,
    prefix: isolated.prefix,
    profileUrl: profiles.url,
    mailer,
    clock,
    holds: held,
    observe: createOutcomeObserver({
      metrics: createRendererMetrics(
        createMetrics({ service: 'renderer', collectDefaults: false }),
      ),
      attribution: createAttributionStore({ redis, keys, windowMs: WINDOW }),
      windowMs: WINDOW,
      clock,
    }),
  });
  const consumer = createBatchConsumer<ProfileChange>({
    kafka,
    serde,
    producer,
    groupId: randomName('g-erasure'),
    topics: [changesTopic],
    readerSchemas: schemas,
    fromBeginning: true,
    sessionTimeout: 6_000,
    handleBatch: createErasureHandler({
      eraser: createRendererEraser({
        redis,
        keys,
        suppressions,
        timers: held,
        campaignIds: () => ['engaged-preview', 're-engagement-inactive'],
      }),
      logger,
    }),
  });
  await consumer.start();
  closers.push(() => consumer.close());
}, 60_000);

afterAll(async () => {
  for (const close of closers) await close();
  await held.close();
  await producer.close();
  mailer.close();
  await closeRedis(redis);
  await testKafka.cleanup();
  await isolated.cleanup();
});

describe('erasure reaches the renderer (real Kafka, Redis, scheduler)', () => {
  it("deletes an erased customer's send records, caps, attribution and held emails, keeping the unsubscribe hashed", async () => {
    const sends = await Promise.all(
      [erased, kept].map(async (id) => ({
        sent: (await renderer.handle(enteredEngaged(id, `${id}-engaged`, NOW)))[0],
        held: (await renderer.handle(inactive(id)))[0],
      })),
    );
    for (const s of sends) {
      expect(s.sent?.outcome).toBe('sent');
      expect(s.held?.outcome).toBe('held');
    }
    const heldTimer = heldTimerId(sends[0]!.held!.emailId);
    expect(await held.get(heldTimer)).toBeDefined();
    await suppressions.unsubscribe(erased, NOW + 1);
    expect((await keysNaming(`${run}-gone`)).length).toBeGreaterThan(5);

    // A merge's tombstone is not an erasure: the surviving data of `kept` stays.
    await producer.send(changesTopic, { key: kept, value: tombstone(kept, `u:${run}-other`) });
    await producer.send(changesTopic, { key: erased, value: tombstone(erased, null) });
    await waitFor(async () => (await keysNaming(`${run}-gone`)).length === 0, {
      description: "no key names the erased customer's id any more",
    });
    expect(await held.get(heldTimer)).toBeUndefined();
    // What must stay for safety stays, hashed: the customer remains unsubscribed.
    expect(await suppressions.get(erased)).toEqual({ unsubscribedAt: NOW + 1 });
    // Nothing of the other customer was touched (its tombstone was read first).
    expect(await held.get(heldTimerId(sends[1]!.held!.emailId))).toBeDefined();
    expect((await keysNaming(`${run}-kept`)).length).toBeGreaterThan(5);
    // A late trigger for the erased id (its record gone) is still stopped by the hashed unsubscribe.
    const again = await renderer.handle(enteredEngaged(erased, `${erased}-engaged`, NOW));
    expect(again[0]?.outcome).toBe('suppressed');
  });
});
