import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  readFixture,
  SCHEMAS,
  TOPICS,
  wrapPayload,
  type EmailRecord,
  type PulseEvent,
  type SegmentChange,
} from '@pulse/contracts';
import { silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createKafka,
  createProducer,
  createSchemaRegistry,
  type PulseProducer,
} from '@pulse/kafka';
import { createTestKafka, getStack, randomName, type TestKafka } from '@pulse/testkit';
import { campaignSegments } from '../src/report-campaign-segments';
import { writeReport } from '../src/report-run';
import { readWholeTopic, readWholeTopicRecords } from '../src/topic-reader';

const stack = getStack();
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const kafka = createKafka({
  brokers: stack.kafkaBrokers,
  clientId: 'report-test',
  logger: silentLogger(),
});
const eventsTopic = randomName('events');
const emailsTopic = randomName('emails');
const segmentsTopic = randomName('segment-changes');
const T0 = Date.UTC(2026, 2, 1); // a Sunday: its week starts Monday 2026-02-23
const HOUR = 3_600_000;
const DAY = 86_400_000;
let testKafka: TestKafka;
let producer: PulseProducer;

const email = (i: number, holdout: boolean): EmailRecord => ({
  ...readFixture(TOPICS.emails, 'sent'),
  emailId: `em-${i}`,
  customerId: `u:c${i}`,
  campaignId: 'winback',
  variant: holdout ? null : 'A',
  outcome: holdout ? 'skipped' : 'sent',
  reason: holdout ? 'holdout' : null,
  at: T0,
});

/** The promo campaign has no file: its emails find their segment through the trigger. */
const promo = (i: number): EmailRecord => ({
  ...email(20 + i, false),
  emailId: `promo-${i}`,
  campaignId: 'promo',
  triggerId: `sc-vip-${i}`,
  at: T0 + 8 * DAY,
});

function segmentChange(
  i: number,
  segmentId: string,
  change: 'entered' | 'exited',
  at: number,
  id = `sc-${segmentId}-${i}-${change}`,
): SegmentChange {
  return {
    ...readFixture(TOPICS.segmentChanges, 'entered-by-event'),
    id,
    customerId: `u:c${i}`,
    segmentId,
    change,
    at,
  };
}

function engagement(
  i: number,
  type: 'opened' | 'link-clicked',
  sendId: string,
  at = T0 + HOUR,
): PulseEvent {
  const base = readFixture(TOPICS.events, `email-${type}`);
  const payload = Object.values(base.payload)[0] as Record<string, unknown>;
  return {
    ...base,
    id: `${type}-${sendId}`,
    userId: `c${i}`,
    occurredAt: at,
    payload: wrapPayload('EmailPayload', {
      ...(payload as object),
      send_id: sendId,
      campaign_id: sendId.startsWith('promo') ? 'promo' : 'winback',
    } as never),
  };
}

function order(i: number, total: number): PulseEvent {
  const base = readFixture(TOPICS.events, 'order-completed');
  const payload = Object.values(base.payload)[0] as Record<string, unknown>;
  return {
    ...base,
    id: `ord-ev-${i}`,
    userId: `c${i}`,
    occurredAt: T0 + DAY,
    payload: wrapPayload('OrderPayload', {
      ...(payload as object),
      order_id: `o-${i}`,
      total,
    } as never),
  };
}

beforeAll(async () => {
  testKafka = createTestKafka(stack);
  await testKafka.createTopics([eventsTopic, emailsTopic, segmentsTopic], { partitions: 2 });
  producer = createProducer({
    kafka,
    serde,
    schemas: {
      [eventsTopic]: SCHEMAS[TOPICS.events],
      [emailsTopic]: SCHEMAS[TOPICS.emails],
      [segmentsTopic]: SCHEMAS[TOPICS.segmentChanges],
    },
  });
  await producer.connect();
  for (let i = 0; i < 12; i += 1) {
    const holdout = i < 4;
    await producer.send<EmailRecord>(emailsTopic, { key: `c${i}`, value: email(i, holdout) });
    // half of the treated buy for 80, one held-out customer buys for 40
    if ((!holdout && i % 2 === 0) || i === 0)
      await producer.send<PulseEvent>(eventsTopic, {
        key: `c${i}`,
        value: order(i, holdout ? 40 : 80),
      });
    // all twelve were lapsed before the campaign (it targets lapsed); c4 leaves after buying
    await producer.send<SegmentChange>(segmentsTopic, {
      key: `u:c${i}`,
      value: segmentChange(i, 'lapsed', 'entered', T0 - 2 * HOUR),
    });
  }
  await producer.send<SegmentChange>(segmentsTopic, {
    key: 'u:c4',
    value: segmentChange(4, 'lapsed', 'exited', T0 + DAY + HOUR),
  });
  await producer.send<PulseEvent>(eventsTopic, {
    key: 'c4',
    value: engagement(4, 'opened', 'em-4'),
  });
  await producer.send<PulseEvent>(eventsTopic, {
    key: 'c5',
    value: engagement(5, 'link-clicked', 'em-5'),
  });
  for (let i = 0; i < 3; i += 1) {
    await producer.send<SegmentChange>(segmentsTopic, {
      key: `u:c${20 + i}`,
      value: segmentChange(20 + i, 'vip', 'entered', T0 + 8 * DAY - HOUR, `sc-vip-${i}`),
    });
    await producer.send<EmailRecord>(emailsTopic, { key: `c${20 + i}`, value: promo(i) });
  }
  await producer.send<PulseEvent>(eventsTopic, {
    key: 'c20',
    value: engagement(20, 'opened', 'promo-0', T0 + 8 * DAY + HOUR),
  });
  // c22 erased: a tombstone takes it out of every segment at the record's time
  await testKafka.sendRecords(segmentsTopic, [
    { key: 'u:c22', value: null, timestamp: String(T0 + 9 * DAY + HOUR) },
  ]);
});

afterAll(async () => {
  await producer?.close();
  await testKafka?.cleanup();
});

describe('pulse report on the real topics', () => {
  it('reads emails.v1 and events.v1 whole with readRaw and writes the table, CSV and HTML', async () => {
    const events = await readWholeTopic<PulseEvent>(kafka, serde, eventsTopic);
    const emails = await readWholeTopic<EmailRecord>(kafka, serde, emailsTopic);
    const changes = await readWholeTopicRecords<SegmentChange>(kafka, serde, segmentsTopic);
    expect([events.values.length, emails.values.length, changes.records.length]).toEqual([
      8, 15, 17,
    ]);
    const outDir = mkdtempSync(path.join(tmpdir(), 'pulse-report-'));
    const configDir = mkdtempSync(path.join(tmpdir(), 'pulse-report-config-'));
    mkdirSync(path.join(configDir, 'campaigns'));
    writeFileSync(
      path.join(configDir, 'campaigns', 'winback.yaml'),
      'id: winback\nname: Win back\ntrigger: { segment: lapsed, change: entered }\n',
    );
    const report = writeReport({
      events: events.values,
      emails: emails.values,
      segmentChanges: changes.records,
      campaignSegments: campaignSegments(path.join(configDir, 'campaigns')).segments,
      windowDays: 7,
      outDir,
      source: 'test',
      now: new Date(T0),
    });
    const treated = report.rows.find((r) => r.campaignId === 'winback' && r.arm === 'A');
    const holdout = report.rows.find((r) => r.holdout);
    expect(treated).toMatchObject({
      recipients: 8,
      converted: 4,
      revenuePerRecipient: 40,
      attributedOrders: 4,
    });
    expect(holdout).toMatchObject({ recipients: 4, converted: 1, revenuePerRecipient: 10 });
    expect(treated?.upliftRevenuePerRecipient?.estimate).toBeCloseTo(30);
    expect(readFileSync(report.csvFile, 'utf8').split('\n')).toContainEqual(
      expect.stringMatching(/^winback,A,false,8,/),
    );
    const html = readFileSync(report.htmlFile, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('winback · A');
  });

  it('breaks results down per segment, replays segment sizes and weekly engagement', async () => {
    const report = writeReport({
      events: (await readWholeTopic<PulseEvent>(kafka, serde, eventsTopic)).values,
      emails: (await readWholeTopic<EmailRecord>(kafka, serde, emailsTopic)).values,
      segmentChanges: (await readWholeTopicRecords<SegmentChange>(kafka, serde, segmentsTopic))
        .records,
      campaignSegments: new Map([['winback', 'lapsed']]),
      windowDays: 7,
      outDir: mkdtempSync(path.join(tmpdir(), 'pulse-report-')),
      source: 'test',
      now: new Date(T0),
    });
    // per segment: winback by its file, promo by the segment change that triggered it
    const lapsed = report.segments.find((s) => s.segmentId === 'lapsed');
    expect(lapsed).toMatchObject({
      campaigns: ['winback'],
      recipients: 8,
      opened: 2,
      clicked: 1,
      converted: 4,
      revenuePerRecipient: 40,
      holdoutRecipients: 4,
      holdoutRevenuePerRecipient: 10,
    });
    expect(lapsed?.upliftRevenuePerRecipient?.estimate).toBeCloseTo(30);
    const vip = report.segments.find((s) => s.segmentId === 'vip');
    expect(vip).toMatchObject({
      campaigns: ['promo'],
      recipients: 3,
      opened: 1,
      holdoutRecipients: 0,
    });
    expect(vip?.upliftRevenuePerRecipient).toBeNull();
    const segmentsCsv = readFileSync(report.segmentsCsvFile, 'utf8').split('\n');
    expect(segmentsCsv[1]).toMatch(
      /^lapsed,winback,8,0,2,1,4,0,0\.25,0\.125,0\.5,320,40,4,320,4,1,0\.25,10,30,/,
    );

    // sizes: eleven daily buckets from 2026-02-28 (the entries at T0 - 2h) to 2026-03-10 (the tombstone)
    expect(report.sizes.bucket).toBe('day');
    const sizes = (id: string) => report.sizes.segments.get(id)?.map((p) => p.size);
    expect(sizes('lapsed')).toEqual([12, 12, 11, 11, 11, 11, 11, 11, 11, 11, 11]);
    expect(sizes('vip')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 2]);
    const sizesCsv = readFileSync(report.sizesCsvFile, 'utf8').split('\n');
    expect(sizesCsv).toContain('lapsed,2026-02-28T00:00:00.000Z,day,12,12,0');
    expect(sizesCsv).toContain('lapsed,2026-03-02T00:00:00.000Z,day,11,0,1');
    expect(sizesCsv).toContain('vip,2026-03-10T00:00:00.000Z,day,2,0,1');

    // engagement: emails to members while members, by week of sending
    const engagementCsv = readFileSync(report.engagementCsvFile, 'utf8').split('\n');
    expect(engagementCsv.slice(1, 3)).toEqual([
      'lapsed,2026-02-23,8,0,2,1,0.25,0.125',
      'vip,2026-03-09,3,0,1,0,0.3333333333333333,0',
    ]);

    const html = readFileSync(report.htmlFile, 'utf8');
    for (const heading of ['Per segment', 'Segment sizes over time', 'Engagement of each segment'])
      expect(html).toContain(heading);
    expect(html.match(/<polyline/g)?.length).toBeGreaterThanOrEqual(2);
    expect(html).not.toMatch(/<script|<link|src="http/);
  });
});
