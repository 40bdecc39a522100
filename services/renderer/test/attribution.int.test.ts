import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SCHEMAS, wrapPayload } from '@pulse/contracts';
import type { PulseEvent } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
} from '@pulse/kafka';
import { createMetrics } from '@pulse/metrics';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import { stableBucket } from '@pulse/rules';
import { createTestKafka, getStack, isolatedRedis, randomName, waitFor } from '@pulse/testkit';
import { createAttributionHandler } from '../src/attribution';
import { createAttributionStore } from '../src/attribution-store';
import { rendererKeys } from '../src/keys';
import { createSmtpMailer } from '../src/mailer';
import { createOutcomeObserver } from '../src/outcome-observer';
import type { Renderer, TriggerIn } from '../src/renderer';
import { createRendererMetrics } from '../src/renderer-metrics';
import { enteredEngaged, profileFor, startProfileServer, testRenderer } from './harness';

const HOUR = 3_600_000;
const WINDOW = 7 * 24 * HOUR;
const NOW = Date.UTC(2025, 2, 14, 15, 0);
const stack = getStack();
const testKafka = createTestKafka(stack);
const isolated = isolatedRedis(stack);
const logger = silentLogger();
const run = randomName('ra');
const eventsTopic = randomName('t-ev-attr');
const clock = new ManualClock(NOW);
const redis = createRedis({ url: stack.redisUrl, logger });
const keys = rendererKeys(createKeyspace(isolated.prefix.replace(/:$/, '')));
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'renderer-attr-test', logger });
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const schemas = { [eventsTopic]: SCHEMAS['events.v1'] };
const producer = createProducer({ kafka, serde, schemas });
const mailer = createSmtpMailer({ url: stack.smtpUrl });
const metrics = createMetrics({ service: 'renderer', collectDefaults: false });
const store = createAttributionStore({ redis, keys, windowMs: WINDOW });
const closers: (() => Promise<void>)[] = [];
let renderer: Renderer;

/** Canonical ids as the renderer sees them; events.v1 carries the plain userId. */
const buyer = `${run}-buyer`;
const clicker = `${run}-clicker`;
/** A customer inside re-engagement-at-risk's 10% holdout. */
const control = (() => {
  for (let i = 0; ; i++) {
    const id = `${run}-control-${i}`;
    if (stableBucket(`u:${id}`, 're-engagement-at-risk:holdout') < 10) return id;
  }
})();

const base = (id: string, type: string, userId: string, at: number) => ({
  id,
  type,
  kind: 'track' as const,
  source: 'shop',
  occurredAt: at,
  receivedAt: at,
  userId,
  anonymousId: null,
  email: null,
  context: { page: null, userAgent: null, ip: null, locale: null, timezone: null, campaign: null },
});
const order = (
  id: string,
  userId: string,
  orderId: string,
  total: number,
  at: number,
): PulseEvent => ({
  ...base(id, 'Order Completed', userId, at),
  payload: wrapPayload('OrderPayload', {
    order_id: orderId,
    checkout_id: null,
    cart_id: null,
    affiliation: null,
    total,
    subtotal: null,
    revenue: null,
    shipping: null,
    tax: null,
    discount: null,
    coupon: null,
    currency: 'USD',
    products: [],
    extra: null,
  }),
});
const clicked = (id: string, userId: string, sendId: string, at: number): PulseEvent => ({
  ...base(id, 'Email Link Clicked', userId, at),
  payload: wrapPayload('EmailPayload', {
    send_id: sendId,
    message_id: null,
    campaign_id: 'engaged-preview',
    variant: null,
    provider: 'pixel',
    provider_event_id: null,
    url: 'https://shop.example.com',
    bounce_type: null,
    reason: null,
    suspected_machine: false,
  }),
});
const publish = (e: PulseEvent) => producer.send(eventsTopic, { key: e.userId, value: e });

/** A counter's value for these labels (0 when never incremented). */
async function value(what: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(`pulse_renderer_${what}_total`);
  const got = await metric?.get();
  const match = got?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return match?.value ?? 0;
}
const engaged = { campaign: 'engaged-preview', segment: 'engaged', arm: 'default' };

beforeAll(async () => {
  await testKafka.createTopics([eventsTopic], { partitions: 1 });
  const profiles = await startProfileServer({
    [`u:${buyer}`]: profileFor(`u:${buyer}`, `${buyer}@example.com`),
    [`u:${clicker}`]: profileFor(`u:${clicker}`, `${clicker}@example.com`),
    [`u:${control}`]: profileFor(`u:${control}`, `${control}@example.com`),
  });
  closers.push(profiles.close);
  renderer = testRenderer({
    redis,
    prefix: isolated.prefix,
    profileUrl: profiles.url,
    mailer,
    clock,
    observe: createOutcomeObserver({
      metrics: createRendererMetrics(metrics),
      attribution: store,
      windowMs: WINDOW,
      clock,
    }),
  });
  const consumer = createBatchConsumer<PulseEvent>({
    kafka,
    serde,
    producer,
    groupId: randomName('g-attr'),
    topics: [eventsTopic],
    readerSchemas: schemas,
    fromBeginning: true,
    sessionTimeout: 6_000,
    handleBatch: createAttributionHandler({
      store,
      metrics: createRendererMetrics(metrics),
      windowMs: WINDOW,
      logger,
    }),
  });
  await consumer.start();
  closers.push(() => consumer.close());
}, 60_000);

afterAll(async () => {
  for (const close of closers) await close();
  await producer.close();
  mailer.close();
  await closeRedis(redis);
  await testKafka.cleanup();
  await isolated.cleanup();
});

describe('live attribution against real Kafka and Redis', () => {
  it('a send then an order: one conversion with its revenue, once however often the order arrives', async () => {
    // the segment change came from an event received 3 s before the renderer's clock
    const trigger = { ...enteredEngaged(`u:${buyer}`, `${run}-t-buyer`, NOW), origin: NOW - 3_000 };
    const [sent] = await renderer.handle(trigger);
    expect(sent?.outcome).toBe('sent');
    expect(await value('emails', { ...engaged, outcome: 'sent' })).toBe(1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('pulse_renderer_event_to_email_seconds_count 1');
    expect(text).toContain('pulse_renderer_event_to_email_seconds_sum 3');
    const first = order(`${run}-o1`, buyer, `${run}-order-1`, 120, NOW + 2 * HOUR);
    await publish(first);
    await waitFor(async () => (await value('conversions', engaged)) === 1, {
      description: 'the conversion counted',
    });
    expect(await value('conversion_revenue', engaged)).toBe(120);
    expect(await value('attributed_orders', { ...engaged, touch: 'send' })).toBe(1);
    expect(await value('attributed_revenue', { ...engaged, touch: 'send' })).toBe(120);

    // Redelivered, and the same order reported again by another source (new event id): both
    // are processed before the clicker's events behind them on the one partition.
    await publish(first);
    await publish(order(`${run}-o1-backend`, buyer, `${run}-order-1`, 120, NOW + 2 * HOUR));
    const [mailed] = await renderer.handle(enteredEngaged(`u:${clicker}`, `${run}-t-clicker`, NOW));
    expect(mailed?.outcome).toBe('sent');
    await publish(clicked(`${run}-c1`, clicker, mailed!.emailId, NOW + HOUR));
    await publish(order(`${run}-o2`, clicker, `${run}-order-2`, 40, NOW + 3 * HOUR));
    await waitFor(
      async () => (await value('attributed_orders', { ...engaged, touch: 'click' })) === 1,
      {
        description: "the clicker's order credited to the click",
      },
    );
    expect(await value('email_engagements', { ...engaged, kind: 'clicked' })).toBe(1);
    expect(await value('conversions', engaged)).toBe(2);
    expect(await value('conversion_revenue', engaged)).toBe(160);
    expect(await value('attributed_orders', { ...engaged, touch: 'send' })).toBe(1);
  });

  it('counts the holdout group the same way, so uplift can be graphed live', async () => {
    const t: TriggerIn = {
      id: `${run}-t-control`,
      customerId: `u:${control}`,
      at: NOW,
      segment: { id: 'at-risk', change: 'entered' },
    };
    const [decision] = await renderer.handle(t);
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'holdout' });
    const held = { campaign: 're-engagement-at-risk', segment: 'at-risk', arm: 'holdout' };
    expect(await value('emails', { ...held, outcome: 'holdout' })).toBe(1);
    await publish(order(`${run}-o3`, control, `${run}-order-3`, 55, NOW + HOUR));
    await waitFor(async () => (await value('conversions', held)) === 1, {
      description: 'the held-out conversion',
    });
    expect(await value('conversion_revenue', held)).toBe(55);
    // A redelivered trigger returns the stored decision: not counted twice.
    await renderer.handle(t);
    expect(await value('emails', { ...held, outcome: 'holdout' })).toBe(1);
  });
});
