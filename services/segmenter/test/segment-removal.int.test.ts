import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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
import { createSegmenterKeys } from '../src/keys';
import { createRemovalStore, REMOVED_REASON } from '../src/removal-store';
import { loadSegments, readSegmentFiles } from '../src/segment-files';

const DAY = 86_400_000;
const START = Date.UTC(2025, 5, 2, 9, 0, 0);
const TOKEN = 'removal-test-token';
const stack = getStack();
const testKafka = createTestKafka(stack);
const iso = isolatedRedis(stack);
const prefix = iso.prefix.replace(/:$/, '');
const logger = silentLogger();
const clock = new ManualClock(START);
const changesTopic = randomName('t-profile-changes');
const segmentTopic = randomName('t-segment-changes');
const dir = mkdtempSync(path.join(tmpdir(), 'segments-'));
const file = (name: string) => path.join(dir, `${name}.yaml`);
writeFileSync(
  file('big-spenders'),
  'id: big-spenders\nname: Big spenders\ndescription: Over 100 in 20 days.\nrule:\n  event: Order Completed\n  sum: total\n  gt: 100\n  in_last: 20d\n',
);
writeFileSync(
  file('buyers'),
  'id: buyers\nname: Buyers\ndescription: An order in 30 days.\nrule:\n  event: Order Completed\n  count: { at_least: 1 }\n  in_last: 30d\n',
);
writeFileSync(
  file('keep'),
  'id: keep\nname: Keep\ndescription: Stays.\nrule:\n  event: Order Completed\n  count: { at_least: 1 }\n  in_last: 90d\n',
);
const { set } = loadSegments(readSegmentFiles(dir));
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'segmenter-removal', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const schemas = {
  [changesTopic]: SCHEMAS['profile-changes.v1'],
  [segmentTopic]: SCHEMAS['segment-changes.v1'],
};
const producer = createProducer({ kafka, serde, schemas, logger });
const seen: SegmentChange[] = [];
const config = loadConfig(segmenterConfigSpec, {
  KAFKA_BROKERS: stack.kafkaBrokers.join(','),
  SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
  REDIS_URL: stack.redisUrl,
  REDIS_PREFIX: prefix,
  SEGMENTER_PROFILE_CHANGES_TOPIC: changesTopic,
  SEGMENTER_SEGMENT_CHANGES_TOPIC: segmentTopic,
  SEGMENTER_GROUP_ID: randomName('segmenter'),
  SEGMENTER_SEGMENTS_DIR: dir,
  SEGMENTER_TIMER_POLL: '50ms',
  SEGMENTER_SESSION_TIMEOUT: '6s',
  SEGMENTER_ADMIN_TOKEN: TOKEN,
});
let watcher: BatchConsumer;
let segmenter: Segmenter;

const start = () =>
  startSegmenter({
    config,
    logger,
    clock,
    metrics: createMetrics({ service: 'segmenter', collectDefaults: false }),
  });

function order(customerId: string, total: number): ProfileChange {
  const events = [ev('Order Completed', START - DAY, { total })];
  const profile = snapshotFrom(set.aggregates, { events });
  return {
    customerId,
    version: 1,
    eventId: `${customerId}-e1`,
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

const of = (customerId: string, segmentId: string, change?: string) =>
  seen.filter(
    (c) =>
      c.customerId === customerId &&
      c.segmentId === segmentId &&
      (change === undefined || c.change === change),
  );

/** GET on the segmenter's read API through its handler (with the token). */
async function api(url: string): Promise<Record<string, unknown>> {
  const { createServer } = await import('node:http');
  const server = createServer(segmenter.httpHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}${url}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return (await res.json()) as Record<string, unknown>;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

interface SegmentsBody {
  segments: { id: string }[];
  removed: {
    id: string;
    version: { number: number };
    removedAt: number;
    size: number;
    exits: { state: string; exited: number };
    versions: { number: number; removedAt?: number }[];
  }[];
  removal: { state: string; segments: string[] };
}

beforeAll(async () => {
  await testKafka.createTopics([changesTopic, segmentTopic], { partitions: 1 });
  await producer.connect();
  segmenter = await start();
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

const MEMBERS = ['u:ann', 'u:bob', 'u:cy'];

describe('deleting a segment file (real Kafka, registry, Redis)', () => {
  it('exits every member once, clears memberships and re-checks, keeps the history', async () => {
    for (const [i, id] of MEMBERS.entries())
      await producer.send<ProfileChange>(changesTopic, { key: id, value: order(id, 150 + i) });
    await producer.send<ProfileChange>(changesTopic, {
      key: 'u:low',
      value: order('u:low', 20),
    });
    await waitFor(() => MEMBERS.every((id) => of(id, 'big-spenders', 'entered').length === 1), {
      description: 'members entered big-spenders',
    });
    // its 20-day window is the earliest flip: the re-check is big-spenders'
    await waitFor(
      async () => (await segmenter.scheduler.get('u:ann'))?.dueAt === START - DAY + 20 * DAY,
      { description: 'the 20-day window re-check scheduled' },
    );

    unlinkSync(file('big-spenders')); // the watcher reloads

    await waitFor(() => MEMBERS.every((id) => of(id, 'big-spenders', 'exited').length === 1), {
      timeoutMs: 20_000,
      description: 'every member exited',
    });
    await waitFor(
      async () => ((await api('/v1/segments')) as unknown as SegmentsBody).removal.state === 'done',
      { description: 'removal done' },
    );
    for (const id of MEMBERS)
      expect(of(id, 'big-spenders', 'exited')[0]).toMatchObject({
        cause: 'definition',
        segmentVersion: 1,
        reason: REMOVED_REASON,
        id: `${id}:big-spenders:removed:1:exited`,
      });
    expect(of('u:low', 'big-spenders')).toEqual([]);
    // the other segments were left alone
    for (const id of [...MEMBERS, 'u:low']) expect(of(id, 'keep', 'exited')).toEqual([]);

    const body = (await api('/v1/segments')) as unknown as SegmentsBody;
    expect(body.segments.map((s) => s.id).sort()).toEqual(['buyers', 'keep']);
    const removed = body.removed.find((r) => r.id === 'big-spenders');
    expect(removed).toMatchObject({
      version: { number: 1 },
      size: 0,
      exits: { state: 'done', exited: 3 },
    });
    expect(removed?.versions.at(-1)?.removedAt).toBe(removed?.removedAt);
    expect(await segmenter.store.sizes(['big-spenders'])).toEqual([0]);

    // memberships and the re-check of the removed segment are gone; history keeps the exit
    const profile = await api('/v1/profiles/u%3Aann/segments');
    const current = (profile.current as { segmentId: string }[]).map((m) => m.segmentId).sort();
    expect(current).toEqual(['buyers', 'keep']);
    expect((profile.history as SegmentChange[])[0]).toMatchObject({
      segmentId: 'big-spenders',
      change: 'exited',
      reason: REMOVED_REASON,
    });
    const seg = (await segmenter.store.memberships('u:ann')).map((m) => m.segmentId).sort();
    expect(seg).toEqual(['buyers', 'keep']);
    // the re-check now waits for the next flip of the remaining segments (buyers: 30 days)
    expect((await segmenter.scheduler.get('u:ann'))?.dueAt).toBe(START - DAY + 30 * DAY);
  });

  it('resumes an interrupted removal at start: no member exits twice', async () => {
    await segmenter.close();
    unlinkSync(file('buyers')); // deleted while the service is down
    // A crash mid-way: the removal was recorded and u:ann's exit written, never published.
    const redis = iso.client;
    const removals = createRemovalStore({
      redis,
      keys: createSegmenterKeys(prefix),
      historyLimit: 500,
    });
    await removals.prepare();
    const record = {
      segmentId: 'buyers',
      hash: set.get('buyers')?.version.hash ?? '',
      number: 1,
      file: 'buyers.yaml',
      removedAt: clock.now(),
      state: 'running' as const,
      done: 0,
      total: 0,
      exited: 0,
      finishedAt: null,
    };
    await removals.save(record);
    const [first] = await removals.remove(['u:ann'], record);
    expect(first?.exited).toBe(true);
    expect(of('u:ann', 'buyers', 'exited')).toEqual([]);

    segmenter = await start();

    await waitFor(() => MEMBERS.every((id) => of(id, 'buyers', 'exited').length >= 1), {
      timeoutMs: 20_000,
      description: 'every buyer exited',
    });
    await waitFor(
      async () => ((await api('/v1/segments')) as unknown as SegmentsBody).removal.state === 'done',
      { description: 'resumed removal done' },
    );
    for (const id of MEMBERS) expect(of(id, 'buyers', 'exited')).toHaveLength(1);
    expect((await segmenter.scheduler.get('u:bob'))?.dueAt).toBe(START - DAY + 90 * DAY);
    expect(of('u:ann', 'buyers', 'exited')[0]?.id).toBe('u:ann:buyers:removed:1:exited');
    const body = (await api('/v1/segments')) as unknown as SegmentsBody;
    expect(body.segments.map((s) => s.id)).toEqual(['keep']);
    expect(body.removed.map((r) => [r.id, r.size, r.exits.state])).toEqual([
      ['big-spenders', 0, 'done'],
      ['buyers', 0, 'done'],
    ]);
    // big-spenders was not removed again
    for (const id of MEMBERS) expect(of(id, 'big-spenders', 'exited')).toHaveLength(1);
  });
});
