import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SCHEMAS, TOPICS, dlqTopic, type ProfileChange, type PulseEvent } from '@pulse/contracts';
import { loadConfig } from '@pulse/config';
import { ManualClock, silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createKafka,
  createProducer,
  createSchemaRegistry,
  type PulseProducer,
} from '@pulse/kafka';
import {
  createTestKafka,
  getStack,
  isolatedRedis,
  randomName,
  waitFor,
  type IsolatedRedis,
  type TestKafka,
} from '@pulse/testkit';
import { configSpec } from '../src/config';
import { DAY_MS } from '../src/fold-options';
import { startProfileBuilder, type ProfileBuilder } from '../src/profile-builder';
import { readProfile } from '../src/profile-reader';
import {
  customEvent,
  emailEvent,
  identifyEvent,
  line,
  orderEvent,
  pageEvent,
  productEvent,
} from '../src/test-events';
import { FOLD } from './harness';

const NOW = Date.UTC(2025, 2, 20, 12);
const stack = getStack();
const logger = silentLogger();
const clock = new ManualClock(NOW);
const eventsTopic = randomName('pb-events');
const changesTopic = randomName('pb-changes');
const ADMIN_TOKEN = 'pb-test-token';
let testKafka: TestKafka;
let producer: PulseProducer;
const cleanups: (() => Promise<unknown>)[] = [];

function generated(): PulseEvent[] {
  const events: PulseEvent[] = [];
  for (let c = 0; c < 6; c += 1) {
    const who = { userId: `cust-${c}`, anonymousId: null };
    const dev = { userId: null, anonymousId: `dev-${c}` };
    for (let i = 0; i < 5; i += 1) {
      events.push(
        productEvent(
          'Product Viewed',
          line({ product_id: `p${i}`, category: i % 2 ? 'Shoes' : 'Hats' }),
          { ...dev, occurredAt: NOW - i * DAY_MS },
        ),
      );
      events.push(
        orderEvent(
          { order_id: `o-${c}-${i}`, total: 10 * (c + 1) },
          { ...who, occurredAt: NOW - (i * 7 + c) * DAY_MS },
        ),
      );
    }
    events.push(emailEvent('Email Delivered', `s-${c}`, { ...who, occurredAt: NOW - DAY_MS }));
    events.push(emailEvent('Email Opened', `s-${c}`, { ...who, occurredAt: NOW - DAY_MS + 5 }));
    events.push(customEvent('Quiz Finished', { ...dev, occurredAt: NOW - 3 }));
    events.push(pageEvent('Blog', { ...dev, occurredAt: NOW - 2 }));
    events.push(
      identifyEvent(
        { email: `c${c}@example.com`, country: 'DE' },
        { userId: `cust-${c}`, anonymousId: `dev-${c}`, occurredAt: NOW - 1 },
      ),
    );
  }
  return events;
}

async function produce(events: PulseEvent[]): Promise<void> {
  await Promise.all(
    events.map((value) =>
      producer.send<PulseEvent>(eventsTopic, {
        key: value.userId ?? value.anonymousId ?? value.id,
        value,
      }),
    ),
  );
}

async function start(prefix: string, groupId: string): Promise<ProfileBuilder> {
  const config = loadConfig(configSpec, {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    PROFILE_KEY_PREFIX: prefix,
    PROFILE_GROUP_ID: groupId,
    PROFILE_EVENTS_TOPIC: eventsTopic,
    PROFILE_CHANGES_TOPIC: changesTopic,
    PROFILE_FX_RATES: 'EUR:1.1',
    PROFILE_ADMIN_TOKEN: ADMIN_TOKEN,
  });
  const builder = await startProfileBuilder({ config, logger, clock, sessionTimeout: 6_000 });
  cleanups.push(() => builder.close());
  return builder;
}

const view = async (b: ProfileBuilder, id: string) => readProfile(b.store, FOLD, id, NOW);

function comparable(v: Awaited<ReturnType<typeof view>>): unknown {
  if (!v) return v;
  const { affinityRaw, derived, ...all } = v;
  const rest: Partial<typeof all> = { ...all };
  delete rest.version;
  return {
    ...rest,
    derived: { ...derived, categoryAffinity: derived.categoryAffinity.map((c) => c.category) },
    affinityRaw: Object.keys(affinityRaw),
  };
}

let live: ProfileBuilder;
let liveRedis: IsolatedRedis;
const events = generated();

beforeAll(async () => {
  testKafka = createTestKafka(stack);
  await testKafka.createTopics([eventsTopic, changesTopic], { partitions: 2 });
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'pb-test', logger });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }),
  });
  producer = createProducer({
    kafka,
    serde,
    logger,
    schemas: { [eventsTopic]: SCHEMAS[TOPICS.events] },
  });
  liveRedis = isolatedRedis(stack);
  live = await start(liveRedis.prefix.replace(/:$/, ''), randomName('pb-live'));
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await producer.close();
  await liveRedis.cleanup();
  await testKafka.cleanup();
});

describe('profile-builder on Kafka and Redis', () => {
  it('folds events.v1 into profiles, publishes changes, dead-letters nonsense, serves the read API', async () => {
    const bad = productEvent('Product Added', line({ quantity: -3 }), { userId: 'cust-0' });
    await produce([...events, bad]);
    for (let c = 0; c < 6; c += 1) {
      await waitFor(
        async () =>
          (await view(live, `c${c}@example.com`))?.purchases.orders === 5 &&
          (await view(live, `dev-${c}`))?.browsing.pageViews === 1,
        { description: `customer ${c} folded` },
      );
    }
    const p = await view(live, 'dev-2');
    expect(p).toMatchObject({
      customerId: 'u:cust-2',
      purchases: { orders: 5, spent: 150 },
      browsing: { productViews: 5 },
      traits: { country: 'DE' },
    });
    expect(p?.customEvents['Quiz Finished']?.count).toBe(1);

    const dead = await testKafka.readRecords(dlqTopic(eventsTopic, live.config.groupId), {
      count: 1,
    });
    expect(String(dead[0]?.headers['pulse.dlq.reason'])).toContain('negative quantity -3');

    const serde = createAvroSerde({
      registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }),
    });
    // At least one change per customer (one per customer per batch); a merge (when the anonymous
    // profile existed before the identify, which depends on partition timing) adds a tombstone.
    const records = await testKafka.readRecords(changesTopic, { count: 6 });
    const changes = await Promise.all(
      records.map(async (r) => (await serde.decode<ProfileChange>(r.value)).value),
    );
    expect(
      changes
        .filter((c) => !c.tombstone)
        .every((c) => c.profile.aggregates.purchases !== undefined),
    ).toBe(true);
    for (const t of changes.filter((c) => c.tombstone)) {
      expect(t.mergedInto).toBe(t.customerId.replace('a:dev-', 'u:cust-'));
    }

    const server: Server = createServer(live.httpHandler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // a TCP server's address
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const found = await fetch(`${base}/v1/profiles/c3%40example.com`, { headers });
    expect(found.status).toBe(200);
    expect(((await found.json()) as { customerId: string }).customerId).toBe('u:cust-3');
    expect((await fetch(`${base}/v1/profiles/nobody`, { headers })).status).toBe(404);
    expect((await fetch(`${base}/v1/profiles/c3%40example.com`)).status).toBe(401);
  });

  it('rebuilds from the earliest offset into a fresh prefix the same profiles as the live fold', async () => {
    const fresh = isolatedRedis(stack);
    cleanups.push(() => fresh.cleanup());
    const replay = await start(fresh.prefix.replace(/:$/, ''), randomName('pb-replay'));
    for (let c = 0; c < 6; c += 1) {
      const id = `cust-${c}`;
      await waitFor(
        async () =>
          JSON.stringify(comparable(await view(replay, id))) ===
          JSON.stringify(comparable(await view(live, id))),
        { description: `replayed ${id} equals live` },
      );
      expect(comparable(await view(replay, `dev-${c}`))).toEqual(
        comparable(await view(live, `dev-${c}`)),
      );
    }
  });
});
