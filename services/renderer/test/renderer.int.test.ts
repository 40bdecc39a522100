import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock, silentLogger } from '@pulse/core';
import { dlqTopic, SCHEMAS } from '@pulse/contracts';
import type { EmailRecord, SegmentChange } from '@pulse/contracts';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
  parseDeadLetterHeaders,
} from '@pulse/kafka';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import {
  createTestKafka,
  getStack,
  isolatedRedis,
  listEmails,
  randomName,
  waitFor,
  waitForEmails,
} from '@pulse/testkit';
import { createTriggerHandler } from '../src/handler';
import { rendererKeys } from '../src/keys';
import { loadRendererConfig } from '../src/load-config';
import { staticContent } from '../src/live-config';
import { createSmtpMailer } from '../src/mailer';
import { createHttpProfileSource } from '../src/profile-source';
import { createRenderer } from '../src/renderer';
import { createSendLedger } from '../src/send-ledger';
import { createSuppressionStore } from '../src/suppression';
import { verifyUnsubscribe } from '../src/unsubscribe';
import { safetyOptions } from './harness';

const stack = getStack();
const testKafka = createTestKafka(stack);
const isolated = isolatedRedis(stack);
const logger = silentLogger();
const run = randomName('rn');
const segTopic = randomName('t-seg');
const evTopic = randomName('t-ev');
const emailsTopic = randomName('t-emails');
const groupId = randomName('g-renderer');
const dlq = dlqTopic(segTopic, groupId);
const NOW = Date.UTC(2025, 2, 14, 15, 0);
const clock = new ManualClock(NOW);
const redis = createRedis({ url: stack.redisUrl, logger });
const keys = rendererKeys(createKeyspace(isolated.prefix.replace(/:$/, '')));
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'renderer-test', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const schemas = {
  [segTopic]: SCHEMAS['segment-changes.v1'],
  [evTopic]: SCHEMAS['events.v1'],
  [emailsTopic]: SCHEMAS['emails.v1'],
};
const producer = createProducer({ kafka, serde, schemas });
const mailer = createSmtpMailer({ url: stack.smtpUrl });
const SECRET = 'test-secret';

const addr = (who: string) => `${run}-${who}@example.com`;
const profiles: Record<string, unknown> = {
  happy: {
    customerId: 'happy',
    identities: { emails: [addr('happy')] },
    traits: {
      first_name: 'Maya',
      state: 'CA',
      country: 'US',
      timezone: 'America/Los_Angeles',
      locale: 'en-US',
    },
    purchases: { orders: 4, products: ['prod-701'], categories: { 'Electronics/Audio': 1 } },
    browsing: { categories: {} },
    email: { unsubscribed: false, hardBounces: 0, complaints: 0 },
    derived: { productsViewedLast24h: [], categoryAffinity: [], email: { openRate: 0.2 } },
  },
  // A profile the renderer cannot render from (purchases.products is not a list).
  broken: {
    customerId: 'broken',
    identities: { emails: [addr('broken')] },
    traits: { first_name: 'Bo', country: 'US' },
    purchases: { orders: 1, products: 5, categories: {} },
  },
  fine: {
    customerId: 'fine',
    identities: { emails: [addr('fine')] },
    traits: { first_name: 'Fin', country: 'US' },
  },
  unsub: {
    customerId: 'unsub',
    identities: { emails: [addr('unsub')] },
    traits: { first_name: 'Ola', country: 'US' },
    email: { unsubscribed: true, hardBounces: 0, complaints: 0 },
  },
};
const server = createServer((req, res) => {
  const id = decodeURIComponent((req.url ?? '').replace('/v1/profiles/', ''));
  const p = profiles[id];
  res.writeHead(p ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(p ?? { error: 'unknown_customer' }));
});
let consumer: ReturnType<typeof createBatchConsumer<SegmentChange>> | undefined;

function change(customerId: string, id = `sc-${run}-${customerId}`): SegmentChange {
  return {
    id,
    customerId,
    segmentId: 'engaged',
    segmentVersion: 1,
    change: 'entered',
    at: NOW,
    cause: 'event',
    eventId: null,
    eventOccurredAt: null,
    reason: null,
  };
}

async function outcomes(count: number): Promise<EmailRecord[]> {
  const records = await testKafka.readRecords(emailsTopic, { count });
  return Promise.all(records.map(async (r) => (await serde.decode(r.value!)).value as EmailRecord));
}

beforeAll(async () => {
  await testKafka.createTopics([segTopic, evTopic, emailsTopic, dlq], { partitions: 1 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const loaded = loadRendererConfig(path.resolve(__dirname, '../../../config'));
  const renderer = createRenderer({
    content: staticContent(loaded),
    tracking: null,
    profiles: createHttpProfileSource({ baseUrl: `http://127.0.0.1:${port}` }),
    ledger: createSendLedger({ redis, keys, leaseMs: 30_000, ttlMs: 3_600_000 }),
    suppressions: createSuppressionStore(redis, keys),
    ...safetyOptions(redis, keys),
    mailer,
    holds: { schedule: async () => 'created' }, // nothing here is held
    clock,
    logger,
    owner: 'test-owner',
    leaseMs: 30_000,
    globalCap: { max: 5, perMs: 86_400_000 },
    unsubscribe: {
      secret: SECRET,
      baseUrl: 'https://shop.example.com',
      mailto: 'unsubscribe@shop.example.com',
    },
    messageIdDomain: 'mail.shop.example.com',
    brand: 'Shop',
    shopUrl: 'https://shop.example.com',
  });
  consumer = createBatchConsumer<SegmentChange>({
    kafka,
    serde,
    producer,
    groupId,
    topics: [segTopic],
    readerSchemas: schemas,
    fromBeginning: true,
    handleBatch: createTriggerHandler({
      renderer,
      producer,
      eventTypes: new Set(['Cart Abandoned']),
      segmentChangesTopic: segTopic,
      eventsTopic: evTopic,
      emailsTopic,
    }) as never,
  });
  await consumer.start();
});

afterAll(async () => {
  await consumer?.close();
  await producer.close();
  mailer.close();
  server.close();
  await closeRedis(redis);
  await testKafka.cleanup();
  await isolated.cleanup();
});

describe('renderer against real Kafka, registry, Redis and SMTP', () => {
  it('sends one personalized email with one-click unsubscribe, once even when redelivered, and suppresses', async () => {
    await producer.send(segTopic, { key: 'happy', value: change('happy') });
    const [mail] = await waitForEmails(stack, { to: addr('happy'), count: 1 });
    expect(mail?.subject).toBe('A first look, just for you, Maya');
    expect(mail?.html).toContain('Maya, a preview just for you');
    expect(mail?.html).toContain('California exclusive');
    expect(mail?.html).toContain('Headphone Case');
    expect(mail?.text).toContain('Maya, a preview just for you');
    // maildev's parsed headers leave out List-*: read the raw message (folded lines unfolded).
    const raw = (
      await (await fetch(`${stack.maildevUrl}/api/email/${mail!.id}/source`)).text()
    ).replace(/\r?\n[ \t]+/g, ' ');
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const headers = { 'list-unsubscribe': /^List-Unsubscribe: (.*)$/m.exec(raw)?.[1] };
    const link =
      /<(https:\/\/shop\.example\.com\/v1\/unsubscribe\?t=([^>]+))>, <mailto:unsubscribe@shop\.example\.com>/.exec(
        String(headers['list-unsubscribe']),
      );
    expect(verifyUnsubscribe(SECRET, link?.[2] ?? '')).toMatchObject({
      customerId: 'happy',
      campaignId: 'engaged-preview',
    });

    await producer.send(segTopic, { key: 'happy', value: change('happy') });
    await producer.send(segTopic, { key: 'unsub', value: change('unsub') });
    const out = await outcomes(3);
    expect(out.map((o) => [o.customerId, o.outcome])).toEqual([
      ['happy', 'sent'],
      ['happy', 'sent'],
      ['unsub', 'suppressed'],
    ]);
    expect(out[1]).toEqual(out[0]);
    expect(out[0]?.messageId).toBe(`<${out[0]?.emailId}@mail.shop.example.com>`);
    expect(out[2]?.reason).toBe('unsubscribed');
    await waitFor(async () => (await listEmails(stack, { to: addr('happy') })).length === 1, {
      description: 'still one email',
    });
    expect(await listEmails(stack, { to: addr('happy') })).toHaveLength(1);
    expect(await listEmails(stack, { to: addr('unsub') })).toHaveLength(0);
  });

  it('dead-letters a render error for one profile with the reason, and mails the next one', async () => {
    await producer.send(segTopic, { key: 'broken', value: change('broken') });
    await producer.send(segTopic, { key: 'fine', value: change('fine') });
    const [letter] = await testKafka.readRecords(dlq, { count: 1 });
    const info = parseDeadLetterHeaders(letter?.headers ?? {});
    expect(info).toMatchObject({ code: 'RENDERER_RENDER_FAILED', topic: segTopic, groupId });
    expect(info?.reason).toMatch(/^render of engaged-preview for broken failed: /);
    const original = (await serde.decode(letter!.value!)).value as SegmentChange;
    expect(original).toMatchObject({ customerId: 'broken', id: change('broken').id });
    const [mail] = await waitForEmails(stack, { to: addr('fine'), count: 1 });
    expect(mail?.subject).toBe('A first look, just for you, Fin');
    expect(await listEmails(stack, { to: addr('broken') })).toHaveLength(0);
  });
});
