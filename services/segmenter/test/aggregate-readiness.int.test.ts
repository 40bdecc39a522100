import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
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
const TOKEN = 'readiness-test-token';
const stack = getStack();
const testKafka = createTestKafka(stack);
const iso = isolatedRedis(stack);
const prefix = iso.prefix.replace(/:$/, '');
const profilePrefix = `${prefix}:pb`;
const readyKey = `${profilePrefix}:agg:ready`;
const logger = silentLogger();
const clock = new ManualClock(START);
const changesTopic = randomName('t-profile-changes');
const segmentTopic = randomName('t-segment-changes');
const dir = mkdtempSync(path.join(tmpdir(), 'segments-'));
writeFileSync(
  path.join(dir, 'clickers.yaml'),
  'id: clickers\nname: Clickers\ndescription: Two clicks in 30 days.\nrule:\n  event: Product Clicked\n  count: { at_least: 2 }\n  in_last: 30d\n',
);
const { set } = loadSegments(readSegmentFiles(dir));
const spec = set.aggregates[0];
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'segmenter-ready', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const schemas = {
  [changesTopic]: SCHEMAS['profile-changes.v1'],
  [segmentTopic]: SCHEMAS['segment-changes.v1'],
};
const producer = createProducer({ kafka, serde, schemas, logger });
const seen: SegmentChange[] = [];
let watcher: BatchConsumer;
let segmenter: Segmenter;

function clicks(customerId: string, n: number): ProfileChange {
  const events = Array.from({ length: n }, (_, i) => ev('Product Clicked', START - (i + 1) * DAY));
  const profile = snapshotFrom(set.aggregates, { events });
  return {
    customerId,
    version: 1,
    eventId: `${customerId}-e1`,
    eventType: 'Product Clicked',
    eventOccurredAt: START - DAY,
    at: START,
    changed: Object.keys(profile.aggregates).map((id) => `aggregates.${id}`),
    profile,
    mergedFrom: [],
    mergedInto: null,
    tombstone: false,
  };
}

async function segmentsBody(): Promise<{ waitingForAggregates: string[] }> {
  const server = createServer(segmenter.httpHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/v1/segments`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return (await res.json()) as { waitingForAggregates: string[] };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

beforeAll(async () => {
  await testKafka.createTopics([changesTopic, segmentTopic], { partitions: 1 });
  await producer.connect();
  // A profile builder that keeps the record but has not backfilled the clicks aggregate yet.
  await iso.client.hset(readyKey, '!since', START);
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
    SEGMENTER_PROFILE_KEY_PREFIX: profilePrefix,
    SEGMENTER_AGGREGATE_POLL: '100ms',
  });
  segmenter = await startSegmenter({
    config,
    logger,
    clock,
    metrics: createMetrics({ service: 'segmenter', collectDefaults: false }),
  });
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

describe('a segment whose rule aggregate is not backfilled yet (real Kafka, Redis)', () => {
  it('decides nothing until the profile builder marks it ready, then re-evaluates', async () => {
    expect((await segmentsBody()).waitingForAggregates).toEqual(['clickers']);
    await producer.send<ProfileChange>(changesTopic, { key: 'u:ann', value: clicks('u:ann', 3) });
    await producer.send<ProfileChange>(changesTopic, { key: 'u:bob', value: clicks('u:bob', 1) });
    // The profiles are stored (so the release can re-evaluate them), but no one entered.
    await waitFor(
      async () => (await segmenter.store.states(['u:ann', 'u:bob'])).every((s) => s.version === 1),
      { description: 'profiles stored' },
    );
    // written with the profile version in one script: a held segment left no membership
    expect(await segmenter.store.memberships('u:ann')).toEqual([]);
    expect(seen).toEqual([]);

    await iso.client.hset(
      readyKey,
      spec?.id ?? '',
      JSON.stringify({ horizonMs: spec?.horizonMs, readyAt: START, backfilled: 2 }),
    );
    await waitFor(() => seen.some((c) => c.customerId === 'u:ann'), {
      timeoutMs: 20_000,
      description: 'ann entered after the release',
    });
    expect(seen.filter((c) => c.customerId === 'u:ann')).toEqual([
      expect.objectContaining({ segmentId: 'clickers', change: 'entered', cause: 'definition' }),
    ]);
    expect((await segmentsBody()).waitingForAggregates).toEqual([]);
    expect(seen.filter((c) => c.customerId === 'u:bob')).toEqual([]);
  });
});
