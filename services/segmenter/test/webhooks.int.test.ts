import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { SCHEMAS, dlqTopic, type ProfileChange, type SegmentChange } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import { createAvroSerde, createKafka, createProducer, createSchemaRegistry } from '@pulse/kafka';
import { createMetrics } from '@pulse/metrics';
import { ev, snapshotFrom } from '@pulse/rules';
import { createTestKafka, getStack, isolatedRedis, randomName, waitFor } from '@pulse/testkit';
import { startSegmenter, type Segmenter } from '../src/app';
import { segmenterConfigSpec } from '../src/config';
import { loadSegments, readSegmentFiles } from '../src/segment-files';
import { DESTINATION_HEADER } from '../src/webhooks/dispatcher';
import { SIGNATURE_HEADER, verifySignature } from '../src/webhooks/signature';

/*
 * Segment entries delivered to a real local HTTP receiver through the segmenter's webhook
 * consumer: signed (the receiver checks the HMAC), retried after a 500, and dead-lettered to
 * Kafka after repeated failure, so a dead receiver neither loses changes silently nor blocks.
 */
const DAY = 86_400_000;
const START = Date.UTC(2025, 4, 12, 9, 0, 0);
const SECRET = 'whsec-test-1';
const stack = getStack();
const testKafka = createTestKafka(stack);
const iso = isolatedRedis(stack);
const logger = silentLogger();
const clock = new ManualClock(Date.now()); // signatures carry the send time: keep it real
const changesTopic = randomName('t-profile-changes');
const segmentTopic = randomName('t-segment-changes');
const webhookGroup = randomName('webhooks');
const dir = mkdtempSync(path.join(tmpdir(), 'pulse-webhooks-'));
writeFileSync(
  path.join(dir, 'big.yaml'),
  'id: big\nname: Big\ndescription: d\nrule:\n  event: Order Completed\n  sum: total\n  gt: 200\n  in: all_time\n',
);
const { set } = loadSegments(readSegmentFiles(dir));
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'webhooks-test', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const schemas = { [changesTopic]: SCHEMAS['profile-changes.v1'] };
const producer = createProducer({ kafka, serde, schemas, logger });
const metrics = createMetrics({ service: 'segmenter', collectDefaults: false });

interface Received {
  path: string;
  body: string;
  signature: string | undefined;
  valid: boolean;
}
const received: Received[] = [];
let server: Server;
let segmenter: Segmenter;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function change(customerId: string, total: number): ProfileChange {
  const profile = snapshotFrom(set.aggregates, {
    events: [ev('Order Completed', START - DAY, { total })],
  });
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

beforeAll(async () => {
  // /crm fails the first attempt of each change with a 500; /ads is down for good.
  const attempts = new Map<string, number>();
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const signature = req.headers[SIGNATURE_HEADER] as string | undefined;
      const valid = verifySignature({ secret: SECRET, body, header: signature, nowMs: Date.now() });
      received.push({ path: req.url ?? '', body, signature, valid });
      const key = `${req.url}|${String(req.headers['pulse-webhook-id'])}`;
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      res.statusCode = req.url === '/crm' && n > 1 ? 200 : req.url === '/crm' ? 500 : 503;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = path.join(dir, 'webhooks.yaml');
  writeFileSync(
    file,
    [
      'destinations:',
      `  - { id: crm, url: "${base}/crm", secret_env: TEST_WEBHOOK_SECRET, segments: [big] }`,
      `  - { id: ads, url: "${base}/ads", secret: ${SECRET}, segments: "*", changes: [entered] }`,
    ].join('\n'),
  );
  process.env.TEST_WEBHOOK_SECRET = SECRET;
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
    SEGMENTER_SESSION_TIMEOUT: '6s',
    SEGMENTER_WEBHOOKS_FILE: file,
    SEGMENTER_WEBHOOK_GROUP_ID: webhookGroup,
    SEGMENTER_WEBHOOK_ATTEMPTS: '3',
    SEGMENTER_WEBHOOK_BACKOFF: '20ms',
    SEGMENTER_WEBHOOK_TIMEOUT: '2s',
  });
  segmenter = await startSegmenter({ config, logger, clock, metrics });
  // The webhook group starts at the latest offset: wait until it owns the partition.
  const admin = testKafka.kafka.admin();
  await admin.connect();
  await waitFor(
    async () => (await admin.describeGroups([webhookGroup])).groups[0]?.state === 'Stable',
    { description: 'the webhook consumer group is stable' },
  );
  await admin.disconnect();
}, 60_000);

afterAll(async () => {
  await segmenter?.close();
  await producer.close();
  await new Promise((resolve) => server?.close(resolve));
  await testKafka.deleteTopics([dlqTopic(segmentTopic, webhookGroup)]).catch(() => undefined);
  await testKafka.cleanup();
  await iso.cleanup();
  rmSync(dir, { recursive: true, force: true });
  delete process.env.TEST_WEBHOOK_SECRET;
});

describe('segment changes to webhooks', () => {
  it('delivers signed, retries after a 500, dead-letters after repeated failure', async () => {
    const id = `u:${randomName('buyer')}`;
    await producer.send<ProfileChange>(changesTopic, { key: id, value: change(id, 250) });

    // crm: a 500, then the retry is accepted; every request is signed and verifies.
    await waitFor(() => received.filter((r) => r.path === '/crm').length === 2, {
      description: 'the crm retry',
    });
    const crm = received.filter((r) => r.path === '/crm');
    expect(crm.every((r) => r.valid)).toBe(true);
    expect(crm[0]?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(crm[1]?.body ?? '{}')).toMatchObject({
      type: 'segment.entered',
      customerId: id,
      segmentId: 'big',
      segmentVersion: 1,
      cause: 'event',
    });
    // A body altered in transit, or a wrong secret, does not verify.
    const header = crm[1]?.signature;
    const nowMs = Date.now();
    const body = crm[1]?.body ?? '';
    expect(verifySignature({ secret: SECRET, body: `${body} `, header, nowMs })).toBe(false);
    expect(verifySignature({ secret: 'other', body, header, nowMs })).toBe(false);
    expect(verifySignature({ secret: SECRET, body, header, nowMs: nowMs + 3_600_000 })).toBe(false);

    // ads: 3 attempts, all 503, then the change is dead-lettered to Kafka naming the destination.
    const [dead] = await testKafka.readRecords(dlqTopic(segmentTopic, webhookGroup), { count: 1 });
    expect(received.filter((r) => r.path === '/ads')).toHaveLength(3);
    expect(dead?.headers[DESTINATION_HEADER]?.toString()).toBe('ads');
    expect(dead?.headers['pulse.dlq.reason']?.toString()).toBe('HTTP 503');
    const decoded = await serde.decode<SegmentChange>(dead?.value as Buffer);
    expect(decoded.value).toMatchObject({ customerId: id, segmentId: 'big', change: 'entered' });

    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'pulse_segmenter_webhook_deliveries_total{destination="crm",outcome="delivered"} 1',
    );
    expect(text).toContain(
      'pulse_segmenter_webhook_deliveries_total{destination="ads",outcome="dead_lettered"} 1',
    );
    expect(text).toContain('pulse_segmenter_webhook_retries_total{destination="ads"} 2');
  }, 60_000);
});
