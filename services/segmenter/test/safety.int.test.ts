import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { SCHEMAS, type ProfileChange, type SegmentChange } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
  type BatchConsumer,
} from '@pulse/kafka';
import { createMetrics } from '@pulse/metrics';
import { ev, snapshotFrom } from '@pulse/rules';
import { createTestKafka, getStack, isolatedRedis, randomName, waitFor } from '@pulse/testkit';
import { startSegmenter, type Segmenter } from '../src/app';
import { segmenterConfigSpec } from '../src/config';
import { loadSegments, readSegmentFiles } from '../src/segment-files';

/*
 * Hysteresis. The harm: a customer whose 30-day spend hovers around $200 enters and leaves "Big spenders"
 * on every order, and each entry sends the same email again. The same segment with an exit bound
 * (enter above 200, leave below 180) enters once. The flap counter sees the first one.
 */
const DAY = 86_400_000;
const START = Date.UTC(2025, 4, 12, 9, 0, 0);
const stack = getStack();
const testKafka = createTestKafka(stack);
const iso = isolatedRedis(stack);
const logger = silentLogger();
const clock = new ManualClock(START);
const changesTopic = randomName('t-profile-changes');
const segmentTopic = randomName('t-segment-changes');
const dir = mkdtempSync(path.join(tmpdir(), 'pulse-hysteresis-'));
const rule = (exit: string) =>
  `rule:\n  event: Order Completed\n  sum: total\n  gt: 200\n  in_last: 30d\n${exit}`;
writeFileSync(path.join(dir, 'plain.yaml'), `id: plain\nname: P\ndescription: d\n${rule('')}`);
writeFileSync(
  path.join(dir, 'sticky.yaml'),
  `id: sticky\nname: S\ndescription: d\n${rule('  exit_below: 180\n')}`,
);
const { set } = loadSegments(readSegmentFiles(dir));
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'hysteresis-test', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const schemas = {
  [changesTopic]: SCHEMAS['profile-changes.v1'],
  [segmentTopic]: SCHEMAS['segment-changes.v1'],
};
const producer = createProducer({ kafka, serde, schemas, logger });
const seen: SegmentChange[] = [];
const metrics = createMetrics({ service: 'segmenter', collectDefaults: false });
let watcher: BatchConsumer;
let segmenter: Segmenter;

/** The customer's profile after `n` orders: its 30-day spend alternates 205, 195, 205... */
function change(customerId: string, version: number): ProfileChange {
  const events = [ev('Order Completed', START - DAY, { total: version % 2 === 1 ? 205 : 195 })];
  const profile = snapshotFrom(set.aggregates, { events });
  return {
    customerId,
    version,
    eventId: `${customerId}-e${version}`,
    eventType: 'Order Completed',
    eventOccurredAt: START - DAY,
    at: START,
    changed: Object.keys(profile.aggregates).map((id) => `aggregates.${id}`),
    profile,
    mergedFrom: [],
    mergedInto: null,
    tombstone: false,
  };
}

beforeAll(async () => {
  await testKafka.createTopics([changesTopic, segmentTopic], { partitions: 1 });
  await producer.connect();
  const config = loadConfig(segmenterConfigSpec, {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    REDIS_PREFIX: iso.prefix.replace(/:$/, ''),
    SEGMENTER_PROFILE_CHANGES_TOPIC: changesTopic,
    SEGMENTER_SEGMENT_CHANGES_TOPIC: segmentTopic,
    SEGMENTER_GROUP_ID: randomName('segmenter'),
    SEGMENTER_SEGMENTS_DIR: dir,
    SEGMENTER_WATCH_SEGMENTS: 'false',
    SEGMENTER_FLAP_WINDOW: '1d',
    SEGMENTER_SESSION_TIMEOUT: '6s',
  });
  segmenter = await startSegmenter({ config, logger, clock, metrics });
  watcher = createBatchConsumer<SegmentChange>({
    kafka,
    serde,
    producer,
    logger,
    groupId: randomName('watch'),
    topics: [segmentTopic],
    readerSchemas: schemas,
    fromBeginning: true,
    sessionTimeout: 6_000,
    handleBatch: async (records) => void seen.push(...records.map((r) => r.value)),
  });
  await watcher.start();
}, 60_000);

afterAll(async () => {
  await watcher?.close();
  await segmenter?.close();
  await producer.close();
  await testKafka.cleanup();
  await iso.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('hysteresis against the real Kafka and Redis', () => {
  it('a customer oscillating around the boundary flaps without an exit bound, not with one', async () => {
    const id = `u:${randomName('hover')}`;
    for (let v = 1; v <= 6; v++) {
      // One record at a time: each order is its own evaluation, as in production.
      await producer.send<ProfileChange>(changesTopic, { key: id, value: change(id, v) });
      await waitFor(
        async () => (await segmenter.store.states([id]))[0]?.version === v && seen.length > 0,
        { description: `version ${v} evaluated` },
      );
      clock.advance(60_000);
    }
    const of = (segmentId: string) =>
      seen.filter((c) => c.customerId === id && c.segmentId === segmentId).map((c) => c.change);
    await waitFor(() => of('plain').length === 6, { description: 'the plain segment flapping' });
    expect(of('plain')).toEqual(['entered', 'exited', 'entered', 'exited', 'entered', 'exited']);
    expect(of('sticky')).toEqual(['entered']);
    const text = await metrics.registry.metrics();
    expect(text).toContain('pulse_segmenter_segment_flaps_total{segment="plain"} 2');
    expect(text).not.toContain('pulse_segmenter_segment_flaps_total{segment="sticky"}');
    const stored = await segmenter.store.memberships(id);
    expect(stored.find((m) => m.segmentId === 'sticky')?.member).toBe(true);
  }, 60_000);
  it('an erasure tombstone exits every segment and drops the stored snapshot and history', async () => {
    const id = `e:${randomName('gone')}@example.com`;
    await producer.send<ProfileChange>(changesTopic, { key: id, value: change(id, 1) });
    await waitFor(() => seen.some((c) => c.customerId === id && c.change === 'entered'), {
      description: 'entered',
    });
    const tombstone: ProfileChange = {
      ...change(id, 2),
      eventId: null,
      eventType: null,
      eventOccurredAt: null,
      changed: ['identities'],
      profile: snapshotFrom([], {}),
      tombstone: true,
    };
    await producer.send<ProfileChange>(changesTopic, { key: id, value: tombstone });
    await waitFor(
      () => seen.filter((c) => c.customerId === id && c.change === 'exited').length === 2,
      { description: 'exits from both segments' },
    );
    await waitFor(async () => (await segmenter.store.profile(id)) === undefined, {
      description: 'snapshot dropped',
    });
    expect(await segmenter.store.memberships(id)).toEqual([]);
    expect(await segmenter.store.history(id, 10)).toEqual([]);
    // The watermark stays: the old record redelivered does not bring the customer back.
    await producer.send<ProfileChange>(changesTopic, { key: id, value: change(id, 1) });
    await producer.send<ProfileChange>(changesTopic, { key: id, value: change(id, 2) });
    // A later record on the same (single) partition: once it is evaluated, those were too.
    const probe = `u:${randomName('probe')}`;
    await producer.send<ProfileChange>(changesTopic, { key: probe, value: change(probe, 1) });
    await waitFor(() => seen.some((c) => c.customerId === probe), { description: 'the probe' });
    expect(await segmenter.store.profile(id)).toBeUndefined();
    expect(seen.filter((c) => c.customerId === id)).toHaveLength(4);
  }, 60_000);
});
