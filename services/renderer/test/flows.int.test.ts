import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock, silentLogger } from '@pulse/core';
import { readFixture, SCHEMAS, payloadAs } from '@pulse/contracts';
import type { EmailRecord, PulseEvent } from '@pulse/contracts';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
} from '@pulse/kafka';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import { createScheduler } from '@pulse/scheduler';
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
import { createReleaseHandler } from '../src/held-release';
import { createUnsubscribeHandler } from '../src/http-api';
import { rendererKeys } from '../src/keys';
import { loadRendererConfig } from '../src/load-config';
import { staticContent } from '../src/live-config';
import { createSmtpMailer } from '../src/mailer';
import { createHttpProfileSource } from '../src/profile-source';
import { createRenderer, heldTimerId } from '../src/renderer';
import type { TriggerIn } from '../src/renderer';
import { createSendLedger } from '../src/send-ledger';
import { createSuppressionStore } from '../src/suppression';
import { signUnsubscribe } from '../src/unsubscribe';
import { CONFIG_DIR, profileFor, safetyOptions, startHttp, startProfileServer } from './harness';

const stack = getStack();
const testKafka = createTestKafka(stack);
const isolated = isolatedRedis(stack);
const logger = silentLogger();
const run = randomName('rf');
const evTopic = randomName('t-ev');
const emailsTopic = randomName('t-emails');
const NOW = Date.UTC(2025, 2, 14, 15, 0); // 15:00 UTC: day in UTC, midnight in Tokyo
const clock = new ManualClock(NOW);
const redis = createRedis({ url: stack.redisUrl, logger });
const keyspace = createKeyspace(isolated.prefix.replace(/:$/, ''));
const keys = rendererKeys(keyspace);
const held = createScheduler({ redis, keyspace, name: 'renderer-held', logger, clock });
const released: EmailRecord[] = [];
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'renderer-flows', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const schemas = { [evTopic]: SCHEMAS['events.v1'], [emailsTopic]: SCHEMAS['emails.v1'] };
const producer = createProducer({ kafka, serde, schemas });
const mailer = createSmtpMailer({ url: stack.smtpUrl });
const suppressions = createSuppressionStore(redis, keys);
const loaded = loadRendererConfig(CONFIG_DIR);
const SECRET = 'flows-secret';
const addr = (who: string) => `${run}-${who}@example.com`;
const profiles: Record<string, unknown> = {};
const customer = (id: string, traits: Record<string, unknown> = {}) => {
  profiles[id] = profileFor(id, addr(id), traits);
  return id;
};
const closers: (() => Promise<void>)[] = [];
let profileUrl = '';
let consumer: ReturnType<typeof createBatchConsumer<PulseEvent>> | undefined;

function rendererWith(globalMax: number) {
  return createRenderer({
    content: staticContent(loaded),
    tracking: null,
    profiles: createHttpProfileSource({ baseUrl: profileUrl }),
    ledger: createSendLedger({ redis, keys, leaseMs: 30_000, ttlMs: 30 * 86_400_000 }),
    suppressions,
    ...safetyOptions(redis, keys),
    mailer,
    holds: held,
    clock,
    logger,
    owner: 'flows',
    leaseMs: 30_000,
    globalCap: { max: globalMax, perMs: 86_400_000 },
    unsubscribe: { secret: SECRET, baseUrl: 'https://shop.example.com', mailto: null },
    messageIdDomain: 'mail.shop.example.com',
    brand: 'Shop',
    shopUrl: 'https://shop.example.com',
  });
}

const entered = (
  customerId: string,
  segment: string,
  id = `${run}-${customerId}-${segment}`,
): TriggerIn => ({
  id,
  customerId,
  at: clock.now(),
  segment: { id: segment, change: 'entered' },
});

beforeAll(async () => {
  await testKafka.createTopics([evTopic, emailsTopic], { partitions: 1 });
  const profilesServer = await startProfileServer(profiles);
  closers.push(profilesServer.close);
  profileUrl = profilesServer.url;
  consumer = createBatchConsumer<PulseEvent>({
    kafka,
    serde,
    producer,
    groupId: randomName('g-flows'),
    topics: [evTopic],
    readerSchemas: schemas,
    fromBeginning: true,
    handleBatch: createTriggerHandler({
      renderer: rendererWith(5),
      producer,
      eventTypes: new Set(['Cart Abandoned']),
      segmentChangesTopic: randomName('unused'),
      eventsTopic: evTopic,
      emailsTopic,
    }),
  });
  await consumer.start();
});

afterAll(async () => {
  await consumer?.close();
  await held.close();
  await producer.close();
  mailer.close();
  for (const close of closers) await close();
  await closeRedis(redis);
  await testKafka.cleanup();
  await isolated.cleanup();
});

describe('renderer flows against real Kafka, Redis and SMTP', () => {
  it('mails a Cart Abandoned event from events.v1 listing the cart items, records it on emails.v1', async () => {
    const id = customer('cart', { first_name: 'Noor' });
    const fixture = readFixture('events.v1', 'cart-abandoned');
    const event: PulseEvent = {
      ...fixture,
      id: `${run}-cart`,
      userId: id,
      occurredAt: NOW - 60_000,
    };
    await producer.send(evTopic, { key: id, value: event });
    const [mail] = await waitForEmails(stack, { to: addr(id), count: 1 });
    const cart = payloadAs(fixture, 'CartAbandonedPayload')!;
    const item = cart.products[0]!;
    expect(mail?.subject).toMatch(
      new RegExp(`^(Your ${item.name} is waiting, Noor|Noor, still thinking about it\\?)$`),
    );
    expect(mail?.html).toContain(String(item.name));
    expect(mail?.html).toContain('$89.90');
    expect(mail?.html).toContain('https://shop.example.com/cart');
    expect(mail?.text).toContain(String(item.name));
    expect(mail?.text).toContain('1 item');
    const [record] = await testKafka.readRecords(emailsTopic, { count: 1 });
    const outcome = (await serde.decode(record!.value!)).value as EmailRecord;
    expect(outcome).toMatchObject({
      customerId: id,
      campaignId: 'cart-abandon-1',
      triggerId: event.id,
      outcome: 'sent',
      to: addr(id),
      subject: mail?.subject,
    });
    expect(['A', 'B']).toContain(outcome.variant);
  });

  it('caps marketing mail per customer across campaigns, never transactional mail', async () => {
    const renderer = rendererWith(1);
    const id = customer('global');
    const [first] = await renderer.handle(entered(id, 'engaged'));
    const [second] = await renderer.handle(entered(id, 'frequent-buyers'));
    const [welcome] = await renderer.handle(entered(id, 'rfm-new-customers'));
    expect([first?.outcome, second?.outcome, welcome?.outcome]).toEqual(['sent', 'capped', 'sent']);
    expect(second?.reason).toBe('global frequency cap');
    clock.advance(86_400_000 + 1);
    const [later] = await renderer.handle(entered(id, 'frequent-buyers', `${run}-later`));
    expect(later?.outcome).toBe('sent');
    expect((await listEmails(stack, { to: addr(id) })).map((m) => m.subject).sort()).toEqual(
      [
        "This week's deals, picked for you",
        'A first look, just for you, Maya',
        'Welcome, Maya!',
      ].sort(),
    );
  });

  it('caps one campaign per customer over its own window', async () => {
    const renderer = rendererWith(0);
    const id = customer('campaign');
    const [a] = await renderer.handle(entered(id, 'engaged', `${run}-c1`));
    clock.advance(60_000); // a re-entry a minute later (one entry is mailed once, capped or not)
    const [b] = await renderer.handle(entered(id, 'engaged', `${run}-c2`));
    expect([a?.outcome, b?.outcome, b?.reason]).toEqual([
      'sent',
      'capped',
      'campaign frequency cap',
    ]);
    clock.advance(7 * 86_400_000 + 1);
    const [c] = await renderer.handle(entered(id, 'engaged', `${run}-c3`));
    expect(c?.outcome).toBe('sent');
    expect(await listEmails(stack, { to: addr(id) })).toHaveLength(2);
  });

  it("holds mail during quiet hours in the recipient's time zone, then re-checks and sends it at release", async () => {
    clock.set(NOW);
    const renderer = rendererWith(0);
    const worker = held.startWorker({
      handler: createReleaseHandler({
        renderer,
        logger,
        publish: async (o) => {
          released.push(o);
        },
      }),
      pollMs: 50,
    });
    const id = customer('tokyo', { timezone: 'Asia/Tokyo' }); // 00:00 local
    const gone = customer('tokyo-gone', { timezone: 'Asia/Tokyo' });
    const [first] = await renderer.handle(entered(id, 'frequent-buyers'));
    const morning = Date.UTC(2025, 2, 14, 23, 0); // 08:00 in Tokyo
    expect(first).toMatchObject({
      outcome: 'held',
      reason: 'quiet hours in Asia/Tokyo',
      heldUntil: morning,
    });
    const [again] = await renderer.handle(entered(id, 'frequent-buyers')); // redelivery
    expect(again).toEqual(first);
    expect(await held.get(heldTimerId(first!.emailId))).toMatchObject({ dueAt: morning });
    const [other] = await renderer.handle(entered(gone, 'frequent-buyers'));
    expect(other?.outcome).toBe('held');
    await suppressions.unsubscribe(gone, clock.now()); // unsubscribes while held

    const utc = customer('utc'); // 15:00 local: not quiet
    const [sent] = await renderer.handle(entered(utc, 'frequent-buyers'));
    expect(sent?.outcome).toBe('sent');
    expect(await listEmails(stack, { to: addr(id) })).toHaveLength(0);

    clock.set(morning - 60_000);
    const before = worker.passes();
    worker.wake();
    await waitFor(() => worker.passes() > before + 1, {
      description: 'a claim pass after the move',
    });
    expect(released).toEqual([]); // never early
    clock.set(morning);
    worker.wake();
    await waitFor(() => released.length === 2, { description: 'both held emails released' });
    const byCustomer = Object.fromEntries(released.map((o) => [o.customerId, o]));
    expect(byCustomer[id]).toMatchObject({ emailId: first?.emailId, outcome: 'sent', at: morning });
    expect(byCustomer[gone]).toMatchObject({ outcome: 'suppressed', reason: 'unsubscribed' });
    await waitForEmails(stack, { to: addr(id), count: 1 });
    expect(await listEmails(stack, { to: addr(gone) })).toHaveLength(0);
    await waitFor(async () => (await held.get(heldTimerId(first!.emailId))) === undefined, {
      description: 'timer acknowledged',
    });
    const [late] = await renderer.handle(entered(id, 'frequent-buyers')); // redelivered after
    expect(late).toEqual(byCustomer[id]);
  });

  it('one-click unsubscribes by POST without cookies, shows a page on GET, then suppresses marketing', async () => {
    const published: PulseEvent[] = [];
    const api = await startHttp(
      createUnsubscribeHandler({
        secret: SECRET,
        suppressions,
        clock,
        logger,
        publish: async (e) => {
          await producer.send(evTopic, { key: e.userId, value: e });
          published.push(e);
        },
      }),
    );
    closers.push(api.close);
    const id = customer('leaver');
    const token = signUnsubscribe(SECRET, {
      customerId: id,
      campaignId: 'engaged-preview',
      emailId: 'em-x',
    });
    const url = `${api.url}/v1/unsubscribe?t=${token}`;

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await suppressions.get(id)).unsubscribedAt).toBeNull(); // GET changes nothing

    expect((await fetch(`${api.url}/v1/unsubscribe?t=${token}x`, { method: 'POST' })).status).toBe(
      400,
    );
    const post = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(post.status).toBe(200);
    expect(await post.text()).toContain('You are unsubscribed');
    expect((await suppressions.get(id)).unsubscribedAt).toBe(clock.now());
    expect(published).toEqual([
      expect.objectContaining({ id: 'unsub:em-x', type: 'Email Unsubscribed', userId: id }),
    ]);

    const renderer = rendererWith(0);
    const [marketing] = await renderer.handle(entered(id, 'engaged'));
    const [transactional] = await renderer.handle(entered(id, 'rfm-new-customers'));
    expect([marketing?.outcome, marketing?.reason]).toEqual(['suppressed', 'unsubscribed']);
    expect(transactional?.outcome).toBe('sent');
  });
});
