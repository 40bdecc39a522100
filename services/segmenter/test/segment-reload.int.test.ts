import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

const DAY = 86_400_000;
const START = Date.UTC(2025, 5, 2, 9, 0, 0);
const stack = getStack();
const testKafka = createTestKafka(stack);
const iso = isolatedRedis(stack);
const logger = silentLogger();
const clock = new ManualClock(START);
const changesTopic = randomName('t-profile-changes');
const segmentTopic = randomName('t-segment-changes');
const dir = mkdtempSync(path.join(tmpdir(), 'segments-'));
const FILE = path.join(dir, 'big-spenders.yaml');
const bigSpenders = (threshold: string) =>
  `id: big-spenders\nname: Big spenders\ndescription: Order totals above a threshold in 60 days.\nrule:\n  event: Order Completed\n  sum: total\n  gt: ${threshold}\n  in_last: 60d\n`;
writeFileSync(FILE, bigSpenders('200'));
// The threshold is not part of the aggregate, so profiles built now fit every version.
const { set } = loadSegments(readSegmentFiles(dir));
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'segmenter-reload', logger });
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
let server: Server;
let base = '';

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
    changed: [...Object.keys(profile.aggregates).map((id) => `aggregates.${id}`), 'firstSeenAt'],
    profile,
    mergedFrom: [],
    mergedInto: null,
    tombstone: false,
  };
}

const send = (value: ProfileChange) =>
  producer.send<ProfileChange>(changesTopic, { key: value.customerId, value });
const of = (customerId: string) => seen.filter((c) => c.customerId === customerId);
interface SegmentsBody {
  segments: {
    id: string;
    version: { number: number };
    versions: { number: number; hash: string }[];
    size: number;
  }[];
  problems: string[];
  keptPrevious: string[];
  reevaluation: { state: string; done: number; total: number; segments: string[] };
}
const TOKEN = 'segmenter-test-token';
const segments = async () =>
  (await (
    await fetch(`${base}/v1/segments`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json()) as SegmentsBody;

beforeAll(async () => {
  await testKafka.createTopics([changesTopic, segmentTopic], { partitions: 1 });
  await producer.connect();
  const config = loadConfig(segmenterConfigSpec, {
    SEGMENTER_ADMIN_TOKEN: TOKEN,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    REDIS_PREFIX: iso.prefix.replace(/:$/, ''),
    SEGMENTER_PROFILE_CHANGES_TOPIC: changesTopic,
    SEGMENTER_SEGMENT_CHANGES_TOPIC: segmentTopic,
    SEGMENTER_GROUP_ID: randomName('segmenter'),
    SEGMENTER_SEGMENTS_DIR: dir,
    SEGMENTER_TIMER_POLL: '50ms',
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
  server = createServer(segmenter.httpHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await watcher?.close();
  await segmenter?.close();
  await producer.close();
  await testKafka.cleanup();
  await iso.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('editing a segment file while the segmenter runs (real Kafka, registry, Redis)', () => {
  it('creates a new version, keeps the old, re-evaluates stored members and publishes', async () => {
    await send(order('u:low', 150));
    await send(order('u:high', 250));
    await waitFor(() => of('u:high').length === 1, { description: 'high entered v1' });
    expect(of('u:high')[0]).toMatchObject({ change: 'entered', segmentVersion: 1, cause: 'event' });
    expect(of('u:low')).toEqual([]);

    writeFileSync(FILE, bigSpenders('100')); // the watcher picks it up
    await waitFor(() => of('u:low').length === 1, {
      timeoutMs: 20_000,
      description: 'low entered',
    });
    expect(of('u:low')[0]).toMatchObject({
      change: 'entered',
      segmentId: 'big-spenders',
      segmentVersion: 2,
      cause: 'definition',
    });
    await waitFor(async () => (await segments()).reevaluation.state === 'done', {
      description: 're-evaluation done',
    });
    const body = await segments();
    const seg = body.segments.find((s) => s.id === 'big-spenders');
    expect(seg?.version.number).toBe(2);
    expect(seg?.versions.map((v) => v.number)).toEqual([1, 2]);
    expect(seg?.size).toBe(2);
    expect(body.reevaluation).toMatchObject({ segments: ['big-spenders'], done: 2, total: 2 });
    // u:high stays a member: no second entry, nothing published for it
    expect(of('u:high')).toHaveLength(1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('pulse_segmenter_reevaluation_progress_ratio 1');
    expect(text).toContain('pulse_segmenter_reevaluated_profiles_total 2');
  });

  it('reports an invalid edit with file:line and keeps running the previous version', async () => {
    writeFileSync(FILE, bigSpenders('a lot'));
    await waitFor(async () => (await segments()).problems.length > 0, { description: 'problem' });
    const body = await segments();
    expect(body.problems[0]).toMatch(/^big-spenders\.yaml:7:\d+: /);
    expect(body.keptPrevious).toEqual(['big-spenders.yaml']);
    expect(body.segments.find((s) => s.id === 'big-spenders')?.version.number).toBe(2);
    // live updates still run on version 2 (threshold 100)
    await send(order('u:mid', 120));
    await waitFor(() => of('u:mid').length === 1, { description: 'mid entered' });
    expect(of('u:mid')[0]).toMatchObject({ change: 'entered', segmentVersion: 2, cause: 'event' });
  });
});
