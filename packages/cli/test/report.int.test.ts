import { mkdtempSync, readFileSync } from 'node:fs';
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
import { writeReport } from '../src/report-run';
import { readWholeTopic } from '../src/topic-reader';

const stack = getStack();
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const kafka = createKafka({
  brokers: stack.kafkaBrokers,
  clientId: 'report-test',
  logger: silentLogger(),
});
const eventsTopic = randomName('events');
const emailsTopic = randomName('emails');
const T0 = Date.UTC(2026, 2, 1);
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
  await testKafka.createTopics([eventsTopic, emailsTopic], { partitions: 2 });
  producer = createProducer({
    kafka,
    serde,
    schemas: { [eventsTopic]: SCHEMAS[TOPICS.events], [emailsTopic]: SCHEMAS[TOPICS.emails] },
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
  }
});

afterAll(async () => {
  await producer?.close();
  await testKafka?.cleanup();
});

describe('pulse report on the real topics', () => {
  it('reads emails.v1 and events.v1 whole with readRaw and writes the table, CSV and HTML', async () => {
    const events = await readWholeTopic<PulseEvent>(kafka, serde, eventsTopic);
    const emails = await readWholeTopic<EmailRecord>(kafka, serde, emailsTopic);
    expect([events.values.length, emails.values.length]).toEqual([5, 12]);
    const outDir = mkdtempSync(path.join(tmpdir(), 'pulse-report-'));
    const report = writeReport({
      events: events.values,
      emails: emails.values,
      windowDays: 7,
      outDir,
      source: 'test',
      now: new Date(T0),
    });
    const treated = report.rows.find((r) => r.arm === 'A');
    const holdout = report.rows.find((r) => r.holdout);
    expect(treated).toMatchObject({
      recipients: 8,
      converted: 4,
      revenuePerRecipient: 40,
      attributedOrders: 4,
    });
    expect(holdout).toMatchObject({ recipients: 4, converted: 1, revenuePerRecipient: 10 });
    expect(treated?.upliftRevenuePerRecipient?.estimate).toBeCloseTo(30);
    expect(readFileSync(report.csvFile, 'utf8').split('\n')[1]).toMatch(/^winback,A,false,8,/);
    const html = readFileSync(report.htmlFile, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('winback · A');
  });
});
