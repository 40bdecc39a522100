import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock, silentLogger } from '@pulse/core';
import { closeRedis, createRedis } from '@pulse/redis';
import { stableBucket } from '@pulse/rules';
import { getStack, isolatedRedis, randomName, waitForEmails } from '@pulse/testkit';
import { createSmtpMailer } from '../src/mailer';
import type { Renderer, TriggerIn } from '../src/renderer';
import { profileFor, startProfileServer, testRenderer } from './harness';

const stack = getStack();
const isolated = isolatedRedis(stack);
const redis = createRedis({ url: stack.redisUrl, logger: silentLogger() });
const mailer = createSmtpMailer({ url: stack.smtpUrl });
const run = randomName('ro');
const NOW = Date.UTC(2025, 2, 14, 15, 0); // 15:00 UTC: outside the campaign's quiet hours
const CAMPAIGN = 're-engagement-at-risk';
const profiles: Record<string, unknown> = {};
let renderer: Renderer;
let closeProfiles: (() => Promise<void>) | undefined;

/** A customer id outside the campaign's 10% holdout, so the test gets an email to read. */
function treated(who: string): string {
  for (let i = 0; ; i++) {
    const id = `${run}-${who}-${i}`;
    if (stableBucket(id, `${CAMPAIGN}:holdout`) >= 10) return id;
  }
}
const addr = (id: string) => `${id}@example.com`;
const atRisk = (customerId: string): TriggerIn => ({
  id: `${customerId}-at-risk`,
  customerId,
  at: NOW,
  segment: { id: 'at-risk', change: 'entered' },
});
/** The product names of the "Picked for you" block, in order. */
const picks = (html: string): string[] =>
  [...(html.split('Picked for you')[1] ?? '').matchAll(/<a href="[^"]*"[^>]*>([^<]+)<\/a>/g)].map(
    (m) => m[1] ?? '',
  );

const offered = treated('offer');
const plain = treated('plain');

beforeAll(async () => {
  // A buyer of running shoes whose next best offer is Apparel, with a discount.
  const history = { orders: 3, products: ['prod-381'], categories: { 'Shoes/Running': 3 } };
  profiles[offered] = {
    ...profileFor(offered, addr(offered), {
      churnRisk: 0.82,
      nextBestOffer: { category: 'Apparel', productIds: ['prod-802'], discount: true },
    }),
    purchases: history,
  };
  profiles[plain] = { ...profileFor(plain, addr(plain)), purchases: history };
  const server = await startProfileServer(profiles);
  closeProfiles = server.close;
  renderer = testRenderer({
    redis,
    prefix: isolated.prefix,
    profileUrl: server.url,
    mailer,
    clock: new ManualClock(NOW),
  });
});

afterAll(async () => {
  await closeProfiles?.();
  mailer.close();
  await closeRedis(redis);
  await isolated.cleanup();
});

describe('next best offer in the re-engagement email (real Redis and SMTP)', () => {
  it('leads the recommendations with the offered category and shows the discount', async () => {
    const [outcome] = await renderer.handle(atRisk(offered));
    expect(outcome).toMatchObject({ campaignId: CAMPAIGN, outcome: 'sent' });
    const [mail] = await waitForEmails(stack, { to: addr(offered), count: 1 });
    expect(mail?.subject).toBe('Maya, a code just for you');
    const html = mail?.html ?? '';
    expect(html).toContain('We picked the best of Apparel for you');
    expect(html).toContain('20% off with code <strong>COMEBACK</strong>');
    // The offer's product, then the category's best seller, then the usual picks.
    expect(picks(html).slice(0, 2)).toEqual(['Wool Beanie', 'Running Socks (3 pack)']);
    expect(mail?.text).toContain('20% off with code COMEBACK');
  });

  it('without the trait falls back to the usual recommendations and the plain offer', async () => {
    const [outcome] = await renderer.handle(atRisk(plain));
    expect(outcome?.outcome).toBe('sent');
    const [mail] = await waitForEmails(stack, { to: addr(plain), count: 1 });
    expect(mail?.subject).toBe('Maya, we picked these for you');
    const html = mail?.html ?? '';
    expect(html).toContain('Come back for 20% off.');
    expect(html).not.toContain('COMEBACK');
    // Accessories of the running shoes (catalog relations) lead, as before the offer existed.
    expect(picks(html).slice(0, 2)).toEqual(['Running Socks (3 pack)', 'Shoe Care Kit']);
  });
});
