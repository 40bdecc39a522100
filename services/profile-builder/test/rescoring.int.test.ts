import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { SCHEMAS, TOPICS, type ProfileChange, type PulseEvent } from '@pulse/contracts';
import { loadConfig } from '@pulse/config';
import { ManualClock, silentLogger } from '@pulse/core';
import { createAvroSerde, createKafka, createProducer, createSchemaRegistry } from '@pulse/kafka';
import { CHURN_FEATURES, CHURN_MODEL_FORMAT } from '@pulse/predict';
import { createRedis } from '@pulse/redis';
import { createTestKafka, getStack, isolatedRedis, randomName, waitFor } from '@pulse/testkit';
import { Registry } from 'prom-client';
import { configSpec } from '../src/config';
import { DAY_MS } from '../src/fold-options';
import { createProfileKeys } from '../src/keys';
import { loadPredictiveTraits } from '../src/predictive-traits';
import { startProfileBuilder } from '../src/profile-builder';
import { CHURN_RISK_PATH, churnRiskOf, createRescorer } from '../src/rescoring';
import type { RescoringConfig } from '../src/rescoring-config';
import { createRescoringMetrics } from '../src/rescoring-metrics';
import { createRescoreStore } from '../src/rescoring-store';
import { loadProfileScripts } from '../src/scripts';
import { createProfileStore } from '../src/store';
import { orderEvent } from '../src/test-events';
import { folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2025, 5, 1, 12);
const HOUR = 3_600_000;
const stack = getStack();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A churn model whose only weight is on recency: the longer since the last order, the riskier. */
function churnModelFile(): string {
  const n = CHURN_FEATURES.length;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'pulse-rescore-')), 'churn.json');
  writeFileSync(
    file,
    JSON.stringify({
      format: CHURN_MODEL_FORMAT,
      formatVersion: 1,
      version: 'test',
      threshold: 0.5,
      features: [...CHURN_FEATURES],
      fit: {
        intercept: 0,
        weights: Array.from({ length: n }, (_, i) => (i === 0 ? 2 : 0)),
        means: Array.from({ length: n }, (_, i) => (i === 0 ? Math.log1p(30) : 0)),
        scales: Array(n).fill(1),
      },
    }),
  );
  return file;
}

const CONFIG: RescoringConfig = {
  after: HOUR,
  interval: 60_000,
  batch: 2,
  lease: 5 * 60_000,
  minChange: 0.02,
};
const predictive = loadPredictiveTraits({
  churnModelFile: churnModelFile(),
  logger: silentLogger(),
});

const order = (customer: string) =>
  orderEvent(
    { order_id: `o-${customer}`, total: 50 },
    { userId: customer, occurredAt: NOW - DAY_MS, receivedAt: NOW - DAY_MS },
  );

/** A folder harness plus rescorer copies, each on its own connection, store and state cache. */
async function setUp() {
  const h: FolderHarness = await folderHarness(NOW);
  cleanups.push(() => h.cleanup());
  const keys = createProfileKeys(h.prefix);
  const published: ProfileChange[] = [];
  const copy = async () => {
    const redis = createRedis({
      url: stack.redisUrl,
      logger: silentLogger(),
      autoPipelining: false,
    });
    cleanups.push(() => redis.quit());
    const store = createProfileStore({
      redis,
      keys,
      scripts: loadProfileScripts(),
      markRetentionMs: 7 * DAY_MS,
    });
    await store.prepare();
    const queue = createRescoreStore(redis, keys);
    const rescorer = createRescorer({
      store,
      queue,
      score: predictive.forChange,
      publish: async (c) => void published.push(...c),
      config: CONFIG,
      clock: h.clock,
      logger: silentLogger(),
      metrics: createRescoringMetrics(),
    });
    return { rescorer, queue, store };
  };
  return { h, keys, published, copy };
}

describe('churn rescoring on Redis', () => {
  it('rescores quiet customers once each across two copies; only material changes publish', async () => {
    const { h, published, copy } = await setUp();
    const customers = ['c1', 'c2', 'c3', 'c4', 'c5'];
    await h.folder.foldBatch(customers.map(order));
    const live = h.published.map(predictive.forChange);
    const [a, b] = [await copy(), await copy()];
    await a.rescorer.noteScored(live);
    const before = new Map(live.map((c) => [c.customerId, c]));

    expect(await a.rescorer.tick()).toEqual({ published: 0, unchanged: 0, raced: 0, gone: 0 });
    h.clock.advance(60 * DAY_MS);
    const reports = await Promise.all([a.rescorer.tick(), b.rescorer.tick()]);
    expect(reports[0].published + reports[1].published).toBe(5);
    expect(new Set(published.map((c) => c.customerId)).size).toBe(5);
    expect(published).toHaveLength(5);
    for (const c of published) {
      const was = before.get(c.customerId) as ProfileChange; // every customer had a live change
      expect(c).toMatchObject({
        version: was.version + 1,
        eventId: null,
        changed: [CHURN_RISK_PATH],
        at: NOW + 60 * DAY_MS,
      });
      expect(churnRiskOf(c)).toBeGreaterThan((churnRiskOf(was) ?? 1) + 0.3);
      const stored = await h.store.read(c.customerId);
      expect(stored).toMatchObject({ status: 'found', version: c.version });
      if (stored.status === 'found') expect(stored.dump.p['!acked']).toBe(String(c.version));
    }

    // rescored just now: nothing is due; two hours on the score barely moves: nothing publishes
    expect(await a.rescorer.tick()).toEqual({ published: 0, unchanged: 0, raced: 0, gone: 0 });
    h.clock.advance(2 * HOUR);
    expect(await a.rescorer.tick()).toEqual({ published: 0, unchanged: 5, raced: 0, gone: 0 });
    expect(published).toHaveLength(5);
  });

  it('queues, once, the buyers scored before the job existed', async () => {
    const { h, published, copy } = await setUp();
    await h.folder.foldBatch(['s1', 's2', 's3'].map(order)); // never noted: no queue entries
    const { rescorer, queue } = await copy();
    expect(await rescorer.tick()).toEqual({ published: 0, unchanged: 0, raced: 0, gone: 0 });
    expect(await queue.seed(2)).toBe(3); // pages of two: the scan goes on past the first
    expect(await queue.seed()).toBe(0);
    const report = await rescorer.tick();
    expect(report.published).toBe(3); // no score kept for them: each publishes its first
    expect(new Set(published.map((c) => c.customerId))).toEqual(new Set(['u:s1', 'u:s2', 'u:s3']));
    expect(await rescorer.tick()).toEqual({ published: 0, unchanged: 0, raced: 0, gone: 0 });
  });

  it('drops customers that are gone without recreating them; a live change wins the bump', async () => {
    const { h, keys, copy } = await setUp();
    await h.folder.foldBatch([order('c1')]);
    const { rescorer, queue } = await copy();
    await queue.record([{ customerId: 'u:ghost', score: 0.4, at: NOW - DAY_MS }]);
    expect(await rescorer.tick()).toEqual({ published: 0, unchanged: 0, raced: 0, gone: 1 });
    const ghost = keys.customer('u:ghost')[0] as string;
    expect(await h.iso.client.exists(ghost)).toBe(0);
    expect(await h.iso.client.zscore(keys.rescoreDue(), 'u:ghost')).toBeNull();

    const read = await h.store.read('u:c1');
    const version = read.status === 'found' ? read.version : -1;
    expect(await queue.bump('u:c1', version - 1)).toEqual({ status: 'raced', version });
    expect(await queue.bump('u:c1', version)).toEqual({ status: 'bumped', version: version + 1 });
  });

  it('a customer claimed by a copy that died comes back when its lease runs out', async () => {
    const { h, published, copy } = await setUp();
    await h.folder.foldBatch([order('c1')]);
    const { rescorer, queue } = await copy();
    await rescorer.noteScored(h.published.map(predictive.forChange));
    h.clock.advance(60 * DAY_MS);
    const cutoff = h.clock.now() - CONFIG.after;
    expect((await queue.claim(cutoff, CONFIG.lease, 10)).map((c) => c.customerId)).toEqual([
      'u:c1',
    ]);
    // the claimer never finishes: the customer is leased, not due
    expect(await rescorer.tick()).toEqual({ published: 0, unchanged: 0, raced: 0, gone: 0 });
    h.clock.advance(CONFIG.lease);
    expect((await rescorer.tick()).published).toBe(1);
    expect(published.map((c) => c.customerId)).toEqual(['u:c1']);
  });
});

describe('churn rescoring in the service', () => {
  const eventsTopic = randomName('rescore-events');
  const changesTopic = randomName('rescore-changes');
  const testKafka = createTestKafka(stack);
  afterAll(() => testKafka.cleanup());

  it("a quiet customer's churnRisk rises with time and the change reaches profile-changes.v1", async () => {
    await testKafka.createTopics([eventsTopic, changesTopic], { partitions: 2 });
    const redis = isolatedRedis(stack);
    cleanups.push(() => redis.cleanup());
    const clock = new ManualClock(NOW);
    const registry = new Registry();
    const config = loadConfig(configSpec, {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      REDIS_URL: stack.redisUrl,
      PROFILE_KEY_PREFIX: redis.prefix.replace(/:$/, ''),
      PROFILE_GROUP_ID: randomName('rescore-pb'),
      PROFILE_EVENTS_TOPIC: eventsTopic,
      PROFILE_CHANGES_TOPIC: changesTopic,
      PROFILE_CHURN_MODEL: churnModelFile(),
      PROFILE_RESCORE_AFTER: '1h',
      PROFILE_RESCORE_INTERVAL: '50ms',
    });
    const builder = await startProfileBuilder({
      config,
      logger: silentLogger(),
      clock,
      registry,
      sessionTimeout: 6_000,
    });
    cleanups.push(() => builder.close());
    expect(builder.rescoring).toBeDefined();
    const kafka = createKafka({
      brokers: stack.kafkaBrokers,
      clientId: 'rescore-test',
      logger: silentLogger(),
    });
    const serde = createAvroSerde({
      registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }),
    });
    const producer = createProducer({
      kafka,
      serde,
      schemas: { [eventsTopic]: SCHEMAS[TOPICS.events] },
    });
    await producer.connect();
    cleanups.push(() => producer.close());
    await producer.send<PulseEvent>(eventsTopic, { key: 'quiet', value: order('quiet') });

    const decode = async (count: number) =>
      Promise.all(
        (await testKafka.readRecords(changesTopic, { count })).map(
          async (r) => (await serde.decode<ProfileChange>(r.value)).value,
        ),
      );
    const [first] = await decode(1);
    const fresh = first ? churnRiskOf(first) : null;
    expect(fresh).not.toBeNull();

    clock.advance(90 * DAY_MS); // no events: only time passes
    const changes = await decode(2);
    const rescored = changes.find((c) => c.version === (first?.version ?? 0) + 1);
    expect(rescored).toMatchObject({
      customerId: 'u:quiet',
      eventId: null,
      changed: [CHURN_RISK_PATH],
      at: NOW + 90 * DAY_MS,
    });
    expect(churnRiskOf(rescored as ProfileChange)).toBeGreaterThan((fresh ?? 1) + 0.3);
    await waitFor(
      async () =>
        (await registry.getSingleMetricAsString('pulse_profile_builder_rescored_total')).includes(
          'outcome="published"} 1',
        ),
      { description: 'the published rescore counted' },
    );
  });
});
