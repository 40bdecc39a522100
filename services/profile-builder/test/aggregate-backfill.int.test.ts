import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { SCHEMAS, type ProfileChange, type PulseEvent } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createKafka,
  createProducer,
  createSchemaRegistry,
  endOffsets,
  readRaw,
} from '@pulse/kafka';
import { createMetrics } from '@pulse/metrics';
import { loadSegmentSet, parseAggregate } from '@pulse/rules';
import { createTestKafka, getStack, isolatedRedis, randomName, waitFor } from '@pulse/testkit';
import { readReady } from '../src/aggregate-backfill-state';
import { committedOffsets } from '../src/backfill-reader';
import { configSpec } from '../src/config';
import { createEraser } from '../src/erasure';
import { createProfileKeys } from '../src/keys';
import { startProfileBuilder, type ProfileBuilder } from '../src/profile-builder';
import { loadAggregateSpecs } from '../src/segment-specs';
import { identifyEvent, productEvent, line } from '../src/test-events';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 1);
const stack = getStack();
const testKafka = createTestKafka(stack);
const iso = isolatedRedis(stack);
const prefix = iso.prefix.replace(/:$/, '');
const keys = createProfileKeys(prefix);
const logger = silentLogger();
const clock = new ManualClock(T0 + 20 * DAY);
const eventsTopic = randomName('t-events');
const changesTopic = randomName('t-profile-changes');
const groupId = randomName('pb');
const dir = mkdtempSync(path.join(tmpdir(), 'segments-'));
const CLICKERS =
  'id: clickers\nname: Clickers\ndescription: Clicked products twice in 30 days.\nrule:\n  event: Product Clicked\n  count: { at_least: 2 }\n  in_last: 30d\n';
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'pb-backfill', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const producer = createProducer({
  kafka,
  serde,
  logger,
  schemas: {
    [eventsTopic]: SCHEMAS['events.v1'],
    [changesTopic]: SCHEMAS['profile-changes.v1'],
  },
});
const running: ProfileBuilder[] = [];

const click = (who: Partial<PulseEvent>, day: number, id?: string): PulseEvent =>
  productEvent('Product Clicked', line(), {
    ...who,
    ...(id ? { id } : {}),
    occurredAt: T0 + day * DAY,
    receivedAt: T0 + day * DAY,
  });

async function produce(events: readonly PulseEvent[]): Promise<void> {
  for (const value of events)
    await producer.send<PulseEvent>(eventsTopic, {
      key: value.userId ?? value.anonymousId ?? value.id,
      value,
    });
}

async function start(metrics = createMetrics({ service: 'pb', collectDefaults: false })) {
  const config = loadConfig(configSpec, {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    PROFILE_KEY_PREFIX: prefix,
    PROFILE_GROUP_ID: groupId,
    PROFILE_EVENTS_TOPIC: eventsTopic,
    PROFILE_CHANGES_TOPIC: changesTopic,
    PROFILE_SEGMENTS_DIR: dir,
  });
  const builder = await startProfileBuilder({
    config,
    logger,
    clock,
    registry: metrics.registry,
    sessionTimeout: 6_000,
  });
  running.push(builder);
  return { builder, metrics };
}

/** Waits until the live group committed everything on events.v1 (then a close loses nothing). */
async function caughtUp(): Promise<void> {
  const ends = await endOffsets(kafka, eventsTopic);
  await waitFor(
    async () => {
      const done = await committedOffsets(kafka, groupId, eventsTopic);
      return ends.every((e) => (done.get(e.partition) ?? 0) >= Number(e.offset));
    },
    { timeoutMs: 30_000, description: 'profile builder caught up' },
  );
}

async function changes(): Promise<ProfileChange[]> {
  const ends = await endOffsets(kafka, changesTopic);
  const count = ends.reduce((s, e) => s + Number(e.offset), 0);
  const raw = await readRaw({ kafka, topic: changesTopic, count, timeoutMs: 30_000 });
  return Promise.all(
    raw
      .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset))
      .map(async (r) => (await serde.decode<ProfileChange>(r.value as Buffer)).value),
  );
}

beforeAll(async () => {
  await testKafka.createTopics([eventsTopic, changesTopic], { partitions: 2 });
  await producer.connect();
}, 60_000);

afterAll(async () => {
  for (const b of running) await b.close();
  await producer.close();
  await testKafka.cleanup();
  await iso.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('a segment that needs a new rule aggregate (real Kafka, registry, Redis)', () => {
  it('backfills it from events.v1 (merges folded in, erased left out, nothing counted twice)', async () => {
    const twice = click({ userId: 'ann' }, 1, randomName('dup'));
    await produce([
      click({ userId: 'ann' }, 0),
      twice,
      twice, // the same event delivered twice: it counts once, live and in the backfill
      click({ userId: 'ann' }, 2),
      click({ userId: 'bob' }, 3),
      click({ userId: null, anonymousId: 'anon-cy' }, 4),
      click({ userId: null, anonymousId: 'anon-cy' }, 5),
      identifyEvent({ email: 'cy@example.com' }, { userId: 'cy', anonymousId: 'anon-cy' }),
      click({ userId: 'dee' }, 6),
      click({ userId: 'dee' }, 7),
      click({ userId: 'eve' }, 8),
    ]);
    // No segment reads clicks yet: the first run maintains no rule aggregate.
    const first = await start();
    await waitFor(async () => (await first.builder.store.read('u:cy')).status === 'found', {
      description: 'cy merged',
    });
    await caughtUp();
    const eraser = createEraser({
      redis: first.builder.redis,
      keys,
      store: first.builder.store,
      clock,
      logger,
      publish: async () => {},
    });
    await eraser.erase('dee');
    await first.builder.close();
    // Arrives while the builder is down: the live fold will bring it, the backfill must not.
    await produce([click({ userId: 'bob' }, 9)]);

    writeFileSync(path.join(dir, 'clickers.yaml'), CLICKERS);
    const [spec] = loadAggregateSpecs(dir, logger);
    const id = spec?.id ?? '';
    expect((await readReady(iso.client, keys))?.has(id)).toBe(false);

    const second = await start(); // backfills before it consumes
    const ready = await readReady(iso.client, keys);
    expect(ready?.get(id)).toMatchObject({ horizonMs: spec?.horizonMs, backfilled: 4 });
    expect(await second.metrics.registry.metrics()).toContain(
      `pulse_profile_builder_rule_aggregate_ready{aggregate="${id}"} 1`,
    );
    await caughtUp();
    const count = async (customer: string) => {
      const [read] = await second.builder.store.readAggregates([customer], [id]);
      const text = read?.values[id];
      return text === undefined ? 0 : parseAggregate(text).n;
    };
    expect(await count('u:ann')).toBe(3);
    expect(await count('u:bob')).toBe(2); // 1 backfilled + 1 folded live
    expect(await count('u:cy')).toBe(2); // its anonymous clicks, merged
    expect(await count('u:eve')).toBe(1);
    expect((await second.builder.store.read('u:dee')).status).toBe('unknown'); // not resurrected

    // The rule engine on the last published snapshot of each customer: the right members.
    const { set } = loadSegmentSet([{ file: 'clickers.yaml', text: CLICKERS }]);
    const last = new Map<string, ProfileChange>();
    for (const c of await changes()) if (!c.tombstone) last.set(c.customerId, c);
    const members = [...last.values()]
      .filter(
        (c) =>
          set.evaluate({ customerId: c.customerId, profile: c.profile, now: clock.now() })[0]
            ?.member,
      )
      .map((c) => c.customerId)
      .sort();
    expect(members).toEqual(['u:ann', 'u:bob', 'u:cy']);
    const backfilled = (await changes()).filter((c) => c.eventId === null && !c.tombstone);
    expect(backfilled.map((c) => c.customerId).sort()).toEqual(['u:ann', 'u:bob', 'u:cy', 'u:eve']);
    expect(backfilled[0]?.changed).toEqual([`aggregates.${id}`]);
  });
});
