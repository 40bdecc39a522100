import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { SCHEMAS } from '@pulse/contracts';
import type { EmailRecord, ProfileChange, SegmentChange } from '@pulse/contracts';
import { ManualClock, PulseError, silentLogger } from '@pulse/core';
import { createAvroSerde, createProducer, createSchemaRegistry, createKafka } from '@pulse/kafka';
import { createMetrics } from '@pulse/metrics';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import { ev, snapshotFrom } from '@pulse/rules';
import {
  createTestKafka,
  getStack,
  isolatedRedis,
  listEmails,
  randomName,
  waitFor,
  waitForEmails,
} from '@pulse/testkit';
// The segmenter runs for real, in-process, as its own integration tests start it.
import { startSegmenter, type Segmenter } from '../../segmenter/src/app';
import { segmenterConfigSpec } from '../../segmenter/src/config';
import { loadSegments, readSegmentFiles } from '../../segmenter/src/segment-files';
import { createCampaignControls } from '../src/campaign-controls';
import type { CompiledCampaign } from '../src/campaigns';
import { createHttpMembershipSource } from '../src/eligibility';
import { rendererKeys } from '../src/keys';
import { createLaunchBackfill } from '../src/launch-backfill';
import type { LaunchBackfillOptions } from '../src/launch-backfill';
import { staticContent } from '../src/live-config';
import { loadRendererConfig } from '../src/load-config';
import { createSmtpMailer } from '../src/mailer';
import type { Mailer } from '../src/mailer';
import type { Renderer } from '../src/renderer';
import { createHttpMemberSource } from '../src/segment-members';
import { fromSegmentChange } from '../src/triggers';
import { CONFIG_DIR, profileFor, startProfileServer, testRenderer } from './harness';

const HOUR = 3_600_000;
const START = Date.UTC(2025, 4, 12, 9, 0);
const TOKEN = 'segmenter-test-token';
const MEMBERS = 5;
const stack = getStack();
const testKafka = createTestKafka(stack);
const segmenterRedis = isolatedRedis(stack);
const rendererRedis = isolatedRedis(stack);
const logger = silentLogger();
const run = randomName('rb');
const changesTopic = randomName('t-profile-changes');
const segmentTopic = randomName('t-segment-changes');
const SEGMENTS = path.join(CONFIG_DIR, 'segments');
const { set } = loadSegments(readSegmentFiles(SEGMENTS));
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'renderer-backfill', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const producer = createProducer({
  kafka,
  serde,
  schemas: { [changesTopic]: SCHEMAS['profile-changes.v1'] },
});
const redis = createRedis({ url: stack.redisUrl, logger });
const keys = rendererKeys(createKeyspace(rendererRedis.prefix.replace(/:$/, '')));
const smtp = createSmtpMailer({ url: stack.smtpUrl });
let smtpSends = 0;
/** The real SMTP mailer, counting what reaches it. */
const mailer: Mailer = {
  send: (mail, control) => {
    smtpSends += 1;
    return smtp.send(mail, control);
  },
  close: () => smtp.close(),
};
const configDir = mkdtempSync(path.join(tmpdir(), 'pulse-backfill-'));
const ids = Array.from({ length: MEMBERS }, (_, i) => `u:${run}-m${i}`);
const addr = (id: string) => `${id.slice(2)}@example.com`;
const published: EmailRecord[] = [];
let segmenter: Segmenter;
let server: Server;
let segmenterUrl = '';
let closeProfiles: (() => Promise<void>) | undefined;
let renderer: Renderer;
let campaign: CompiledCampaign;

/** A launch backfill as one renderer copy (its own owner id) runs it. */
const backfillAs = (owner: string, over: Partial<LaunchBackfillOptions> = {}) =>
  createLaunchBackfill({
    redis,
    keys,
    controls: createCampaignControls(redis, keys),
    members: createHttpMemberSource({ baseUrl: segmenterUrl, adminToken: TOKEN }),
    handle: (campaignId, t) => renderer.handleFor(campaignId, t),
    publish: async (records) => void published.push(...records),
    logger,
    owner,
    pageSize: 4,
    leaseMs: 300,
    ...over,
  });

function visitor(customerId: string): ProfileChange {
  const profile = snapshotFrom(set.aggregates, { events: [ev('page', START - 2 * HOUR)] });
  return {
    customerId,
    version: 1,
    eventId: `${customerId}-e1`,
    eventType: 'page',
    eventOccurredAt: START - 2 * HOUR,
    at: START,
    changed: [...Object.keys(profile.aggregates).map((id) => `aggregates.${id}`)],
    profile,
    mergedFrom: [],
    mergedInto: null,
    tombstone: false,
  };
}

beforeAll(async () => {
  // The shipped templates, catalog and consent, with one campaign launched for existing members.
  for (const part of ['templates', 'catalog', 'consent.yaml'])
    cpSync(path.join(CONFIG_DIR, part), path.join(configDir, part), { recursive: true });
  mkdirSync(path.join(configDir, 'campaigns'));
  writeFileSync(
    path.join(configDir, 'campaigns', 'visitors.yaml'),
    [
      `id: visitors-${run}`,
      'name: Hello to Recent Visitors',
      'trigger: { segment: recent-visitors, change: entered }',
      'template: exclusive-preview',
      "subject: 'Hello {{firstName}}'",
      "from: 'Shop <hello@shop.example.com>'",
      'category: marketing',
      'launch: existing-members',
      '',
    ].join('\n'),
  );
  const content = staticContent(loadRendererConfig(configDir));
  campaign = content.current().campaigns[0]!;

  await testKafka.createTopics([changesTopic, segmentTopic], { partitions: 1 });
  await producer.connect();
  const config = loadConfig(segmenterConfigSpec, {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    REDIS_PREFIX: segmenterRedis.prefix.replace(/:$/, ''),
    SEGMENTER_PROFILE_CHANGES_TOPIC: changesTopic,
    SEGMENTER_SEGMENT_CHANGES_TOPIC: segmentTopic,
    SEGMENTER_GROUP_ID: randomName('segmenter'),
    SEGMENTER_SEGMENTS_DIR: SEGMENTS,
    SEGMENTER_TIMER_POLL: '50ms',
    SEGMENTER_SESSION_TIMEOUT: '6s',
    SEGMENTER_ADMIN_TOKEN: TOKEN,
  });
  const metrics = createMetrics({ service: 'segmenter', collectDefaults: false });
  segmenter = await startSegmenter({ config, logger, clock: new ManualClock(START), metrics });
  server = createServer(segmenter.httpHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  segmenterUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const profiles = await startProfileServer(
    Object.fromEntries(ids.map((id) => [id, profileFor(id, addr(id))])),
  );
  closeProfiles = profiles.close;
  renderer = testRenderer({
    redis,
    prefix: rendererRedis.prefix,
    profileUrl: profiles.url,
    mailer,
    clock: new ManualClock(START + HOUR),
    content,
    memberships: createHttpMembershipSource({ baseUrl: segmenterUrl, adminToken: TOKEN }),
  });
  for (const id of ids) await producer.send(changesTopic, { key: id, value: visitor(id) });
  await waitFor(
    async () => {
      const page = await createHttpMemberSource({ baseUrl: segmenterUrl, adminToken: TOKEN }).page(
        'recent-visitors',
        0,
        10,
      );
      return page?.total === MEMBERS;
    },
    { description: 'the members in the segmenter', timeoutMs: 30_000 },
  );
}, 90_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await segmenter?.close();
  await producer.close();
  await closeProfiles?.();
  mailer.close();
  await closeRedis(redis);
  await testKafka.cleanup();
  await segmenterRedis.cleanup();
  await rendererRedis.cleanup();
  rmSync(configDir, { recursive: true, force: true });
});

describe('launch: existing-members mails the segment members read from the segmenter', () => {
  it('mails each member once, through a crash mid-way, a relaunch and the topic triggers', async () => {
    // First copy: launches the campaign (creating the job) and crashes at its fifth email,
    // after the first page's cursor was stored, leaving its lease behind.
    let handled = 0;
    const crashing = backfillAs('copy-1', {
      handle: async (campaignId, t) => {
        if (++handled === 5)
          throw new PulseError('TEST_CRASH', 'simulated crash', { retriable: true });
        return renderer.handleFor(campaignId, t);
      },
    });
    await crashing.launch(campaign, START + HOUR);
    expect(await crashing.pending(campaign.id)).toBe(true);
    await expect(crashing.run(campaign, new AbortController().signal)).rejects.toThrow(
      'simulated crash',
    );
    expect(smtpSends).toBe(4);

    // Second copy: waits out the lease, resumes from the stored cursor (re-reading one member).
    const second = backfillAs('copy-2');
    await waitFor(
      async () => (await second.run(campaign, new AbortController().signal)).status === 'done',
      { description: 'the backfill finished by the second copy', timeoutMs: 10_000 },
    );
    for (const id of ids) await waitForEmails(stack, { to: addr(id), count: 1 });
    expect(smtpSends).toBe(MEMBERS);
    const sent = new Set(published.filter((r) => r.outcome === 'sent').map((r) => r.emailId));
    expect(sent.size).toBe(MEMBERS);
    expect(published.every((r) => r.campaignId === campaign.id)).toBe(true);

    // A relaunch (a restart) creates no new job; a forced rerun from the start sends nothing.
    await second.launch(campaign, START + 2 * HOUR);
    expect((await second.run(campaign, new AbortController().signal)).status).toBe('none');
    await redis.hset(keys.campaignBackfill(campaign.id), 'state', 'pending', 'offset', 0);
    expect((await second.run(campaign, new AbortController().signal)).status).toBe('done');

    // The segment changes of the same entries, from the segmenter's topic: already mailed.
    let changes: SegmentChange[] = [];
    await waitFor(
      async () => {
        const written = (await testKafka.endOffsets(segmentTopic)).reduce(
          (n, p) => n + Number(p.offset),
          0,
        );
        if (written === 0) return false;
        const records = await testKafka.readRecords(segmentTopic, { count: written });
        const all = await Promise.all(
          records.map(async (r) => (await serde.decode(r.value!)).value as SegmentChange),
        );
        changes = all.filter((c) => c.segmentId === 'recent-visitors' && c.change === 'entered');
        return changes.length === MEMBERS;
      },
      { description: "the members' segment changes on the topic" },
    );
    for (const change of changes) {
      const [outcome] = await renderer.handle(fromSegmentChange(change));
      expect(outcome).toMatchObject({ outcome: 'skipped' });
      expect(outcome?.reason).toMatch(/^segment entry already mailed \(em-/);
    }
    expect(smtpSends).toBe(MEMBERS);
    for (const id of ids) expect(await listEmails(stack, { to: addr(id) })).toHaveLength(1);
  });
});
