import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
const START = Date.UTC(2025, 4, 12, 9, 0, 0);
const stack = getStack();
const testKafka = createTestKafka(stack);
const iso = isolatedRedis(stack);
const logger = silentLogger();
const clock = new ManualClock(START);
const changesTopic = randomName('t-profile-changes');
const segmentTopic = randomName('t-segment-changes');
const SEGMENTS = `${__dirname}/../../../config/segments`;
const { set } = loadSegments(readSegmentFiles(SEGMENTS));
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'segmenter-test', logger });
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

function change(
  customerId: string,
  version: number,
  events: ReturnType<typeof ev>[],
): ProfileChange {
  const profile = snapshotFrom(set.aggregates, { events });
  return {
    customerId,
    version,
    eventId: `${customerId}-e${version}`,
    eventType: events.at(-1)?.type ?? null,
    eventOccurredAt: events.at(-1)?.occurredAt ?? null,
    at: START,
    changed: [
      ...Object.keys(profile.aggregates).map((id) => `aggregates.${id}`),
      'firstSeenAt',
      'lastSeenAt',
    ],
    profile,
    mergedFrom: [],
    mergedInto: null,
    tombstone: false,
  };
}

const send = (value: ProfileChange) =>
  producer.send<ProfileChange>(changesTopic, { key: value.customerId, value });
const of = (customerId: string, segmentId: string) =>
  seen.filter((c) => c.customerId === customerId && c.segmentId === segmentId);
const TOKEN = 'segmenter-test-token';
const getJson = async (path: string) =>
  (
    await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json() as Promise<Record<string, unknown>>;

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
    SEGMENTER_SEGMENTS_DIR: SEGMENTS,
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
});

describe('segmenter against the real Kafka, registry and Redis', () => {
  const visit = START - 2 * 3_600_000;

  it('publishes entered on a profile change, with the segment version and the trigger', async () => {
    await send(change('u:ann', 1, [ev('page', visit)]));
    await waitFor(() => of('u:ann', 'recent-visitors').length === 1, { description: 'entered' });
    const [entered] = of('u:ann', 'recent-visitors');
    expect(entered).toMatchObject({
      change: 'entered',
      cause: 'event',
      segmentVersion: set.get('recent-visitors')?.version.number,
      eventId: 'u:ann-e1',
      eventOccurredAt: visit,
      at: START,
    });
    // The member count is settled in Redis after the publish is acked, so a reader that saw the
    // record can be a moment ahead of the gauge: wait for it rather than race it.
    const membersLine = 'pulse_segmenter_segment_members{segment="recent-visitors"} 1';
    await waitFor(async () => (await metrics.registry.metrics()).includes(membersLine), {
      description: 'the members gauge',
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('pulse_segmenter_segment_entries_total{segment="recent-visitors"} 1');
    expect(text).toContain(membersLine);
    const members = await getJson('/v1/segments/recent-visitors/members');
    expect(members).toMatchObject({ total: 1, members: [{ customerId: 'u:ann', since: START }] });
  });

  it('exits at the instant the 7-day window lapses (a scheduled re-check, no scan)', async () => {
    const due = visit + 7 * DAY;
    clock.set(due);
    await waitFor(() => of('u:ann', 'recent-visitors').length === 2, { description: 'exited' });
    expect(of('u:ann', 'recent-visitors')[1]).toMatchObject({
      change: 'exited',
      cause: 'clock',
      at: due,
    });
    const profile = await getJson('/v1/profiles/u%3Aann/segments');
    const current = (profile.current as { segmentId: string }[]).map((m) => m.segmentId);
    expect(current).not.toContain('recent-visitors');
    expect(
      (profile.history as SegmentChange[]).filter((h) => h.segmentId === 'recent-visitors'),
    ).toHaveLength(2);
    // sizes over time: 1 in the hour Ann entered, 0 in the hour she left
    const sizes = await getJson('/v1/segments/recent-visitors/sizes');
    const hour = (t: number) => Math.floor(t / 3_600_000) * 3_600_000;
    expect(sizes).toEqual({
      segmentId: 'recent-visitors',
      hourly: [
        { hour: hour(START), size: 1 },
        { hour: hour(due), size: 0 },
      ],
    });
  });

  it('changes nothing when a profile change is delivered again', async () => {
    const before = seen.filter((c) => c.customerId === 'u:ann').length;
    await send(change('u:ann', 1, [ev('page', visit)]));
    // Same partition: once a later record's effect is seen, the redelivery was processed.
    await send(change('u:bob', 1, [ev('page', clock.now() - 1000)]));
    await waitFor(() => of('u:bob', 'recent-visitors').length === 1, { description: 'marker' });
    expect(seen.filter((c) => c.customerId === 'u:ann')).toHaveLength(before);
    const segments = await getJson('/v1/segments');
    const rv = (segments.segments as { id: string; size: number }[]).find(
      (s) => s.id === 'recent-visitors',
    );
    expect(rv?.size).toBe(1);
  });
});
