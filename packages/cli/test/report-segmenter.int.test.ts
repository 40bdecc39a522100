import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { SCHEMAS, type ProfileChange } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import { createAvroSerde, createKafka, createProducer, createSchemaRegistry } from '@pulse/kafka';
import { createMetrics } from '@pulse/metrics';
import { sizeSeriesFromHistory } from '@pulse/predict';
import { ev, snapshotFrom } from '@pulse/rules';
import { createTestKafka, getStack, isolatedRedis, randomName, waitFor } from '@pulse/testkit';
// The segmenter runs for real, in-process, as its own integration tests start it.
import { startSegmenter, type Segmenter } from '../../../services/segmenter/src/app';
import { segmenterConfigSpec } from '../../../services/segmenter/src/config';
import { loadSegments, readSegmentFiles } from '../../../services/segmenter/src/segment-files';
import { segmenterSizeHistory } from '../src/report-segmenter';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 2, 9, 0);
const TOKEN = 'report-segmenter-token';
const SEGMENTS = path.resolve(__dirname, '..', '..', '..', 'config', 'segments');
const stack = getStack();
const testKafka = createTestKafka(stack);
const redis = isolatedRedis(stack);
const logger = silentLogger();
const changesTopic = randomName('t-profile-changes');
const segmentTopic = randomName('t-segment-changes');
const { set } = loadSegments(readSegmentFiles(SEGMENTS));
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'report-segmenter', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const producer = createProducer({
  kafka,
  serde,
  schemas: { [changesTopic]: SCHEMAS['profile-changes.v1'] },
});
const clock = new ManualClock(START);
let segmenter: Segmenter;
let server: Server;
let url = '';

/** A visit two hours before `at`: the customer is (or stays) a Recent Visitor. */
function visitor(customerId: string, version: number, at: number): ProfileChange {
  const profile = snapshotFrom(set.aggregates, { events: [ev('page', at - 2 * HOUR)] });
  return {
    customerId,
    version,
    eventId: `${customerId}-e${version}`,
    eventType: 'page',
    eventOccurredAt: at - 2 * HOUR,
    at,
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
    REDIS_PREFIX: redis.prefix.replace(/:$/, ''),
    SEGMENTER_PROFILE_CHANGES_TOPIC: changesTopic,
    SEGMENTER_SEGMENT_CHANGES_TOPIC: segmentTopic,
    SEGMENTER_GROUP_ID: randomName('segmenter'),
    SEGMENTER_SEGMENTS_DIR: SEGMENTS,
    SEGMENTER_TIMER_POLL: '50ms',
    SEGMENTER_SESSION_TIMEOUT: '6s',
    SEGMENTER_ADMIN_TOKEN: TOKEN,
  });
  const metrics = createMetrics({ service: 'segmenter', collectDefaults: false });
  segmenter = await startSegmenter({ config, logger, clock, metrics });
  server = createServer(segmenter.httpHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 90_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await segmenter?.close();
  await producer.close();
  await testKafka.cleanup();
  await redis.cleanup();
});

describe('pulse report --segmenter', () => {
  it("reads a running segmenter's hourly size history into the sizes-over-time series", async () => {
    const members = async () =>
      (await segmenterSizeHistory(url, TOKEN)).get('recent-visitors')?.at(-1)?.size ?? 0;
    await producer.send(changesTopic, { key: 'u:ann', value: visitor('u:ann', 1, START) });
    await waitFor(async () => (await members()) === 1, { description: 'Ann entered' });
    clock.set(START + 3 * HOUR);
    await producer.send(changesTopic, {
      key: 'u:bob',
      value: visitor('u:bob', 1, START + 3 * HOUR),
    });
    await waitFor(async () => (await members()) === 2, { description: 'Bob entered' });

    const history = await segmenterSizeHistory(url, TOKEN);
    expect(history.get('recent-visitors')).toEqual([
      { hour: START, size: 1 },
      { hour: START + 3 * HOUR, size: 2 },
    ]);
    expect([...history.keys()]).toEqual(expect.arrayContaining(set.segments.map((s) => s.id)));
    const series = sizeSeriesFromHistory(history);
    expect(series.segments.get('recent-visitors')?.map((p) => p.size)).toEqual([1, 1, 1, 2]);
  });

  it('says what the segmenter answered when the token is wrong', async () => {
    await expect(segmenterSizeHistory(url, 'wrong')).rejects.toThrow(/answered 401/);
  });
});
