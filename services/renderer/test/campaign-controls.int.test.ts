import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { campaignMain } from '@pulse/cli';
import type { EmailRecord } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import { stableBucket } from '@pulse/rules';
import { createScheduler } from '@pulse/scheduler';
import {
  getStack,
  isolatedRedis,
  listEmails,
  randomName,
  waitFor,
  waitForEmails,
} from '@pulse/testkit';
import { createAdminHandler } from '../src/admin-api';
import { createCampaignAdmin } from '../src/campaign-admin';
import { createHttpMembershipSource } from '../src/eligibility';
import { createReleaseHandler } from '../src/held-release';
import { rendererKeys } from '../src/keys';
import { staticContent } from '../src/live-config';
import { loadRendererConfig } from '../src/load-config';
import { createSmtpMailer } from '../src/mailer';
import { createHttpProfileSource } from '../src/profile-source';
import { createRenderer } from '../src/renderer';
import type { TriggerIn } from '../src/renderer';
import { createSendLedger } from '../src/send-ledger';
import { createSuppressionStore } from '../src/suppression';
import { CONFIG_DIR, profileFor, safetyOptions, startHttp, startProfileServer } from './harness';

const stack = getStack();
const isolated = isolatedRedis(stack);
const logger = silentLogger();
const redis = createRedis({ url: stack.redisUrl, logger });
const keyspace = createKeyspace(isolated.prefix.replace(/:$/, ''));
const keys = rendererKeys(keyspace);
const NOW = Date.UTC(2025, 2, 14, 15, 0); // 15:00 UTC: midnight in Tokyo (quiet hours)
const MORNING = Date.UTC(2025, 2, 14, 23, 0); // 08:00 in Tokyo
const DAY = 86_400_000;
const clock = new ManualClock(NOW);
const held = createScheduler({ redis, keyspace, name: 'renderer-held', logger, clock });
const mailer = createSmtpMailer({ url: stack.smtpUrl });
const run = randomName('cc');
const env = { ...process.env };
const addr = (who: string) => `${run}-${who}@example.com`;
const profiles: Record<string, Record<string, unknown>> = {};
const segmentsOf: Record<string, string[]> = {};
const released: EmailRecord[] = [];
const closers: (() => Promise<void>)[] = [];
const safety = safetyOptions(redis, keys);
let renderer: ReturnType<typeof createRenderer>;
let worker: ReturnType<typeof held.startWorker>;

const customer = (who: string, traits: Record<string, unknown> = {}) => {
  const id = `${run}-${who}`;
  profiles[id] = profileFor(id, addr(who), traits);
  return id;
};
const entered = (
  id: string,
  segment: string,
  at = clock.now(),
  tid = `${id}-${segment}-${at}`,
): TriggerIn => ({
  id: tid,
  customerId: id,
  at,
  segment: { id: segment, change: 'entered' },
});
const abandoned = (id: string): TriggerIn => ({
  id: `${id}-cart`,
  customerId: id,
  at: clock.now(),
  event: {
    type: 'Cart Abandoned',
    cart: {
      lines: [
        {
          product_id: 'prod-701',
          name: 'Trail Shoe',
          price: 90,
          quantity: 1,
          currency: 'USD',
          url: null,
          image_url: null,
        },
      ],
      value: 90,
      currency: 'USD',
    },
  },
});
const one = async (t: TriggerIn) => (await renderer.handle(t))[0];
const mails = async (who: string) => (await listEmails(stack, { to: addr(who) })).length;
const releasedFor = (id: string) => released.find((r) => r.customerId === id);

beforeAll(async () => {
  const profileServer = await startProfileServer(profiles);
  const segmenter = await startHttp((req, res) => {
    const id = decodeURIComponent((req.url ?? '').split('/')[3] ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        current: (segmentsOf[id] ?? []).map((segmentId) => ({ segmentId })),
        history: [],
      }),
    );
  });
  closers.push(profileServer.close, segmenter.close);
  renderer = createRenderer({
    content: staticContent(loadRendererConfig(CONFIG_DIR)),
    profiles: createHttpProfileSource({ baseUrl: profileServer.url }),
    ledger: createSendLedger({ redis, keys, leaseMs: 30_000, ttlMs: 30 * DAY }),
    suppressions: createSuppressionStore(redis, keys),
    ...safety,
    memberships: createHttpMembershipSource({ baseUrl: segmenter.url }),
    mailer,
    tracking: null,
    holds: held,
    clock,
    logger,
    owner: 'controls',
    leaseMs: 30_000,
    globalCap: { max: 0, perMs: DAY },
    unsubscribe: { secret: 's', baseUrl: 'https://shop.example.com', mailto: null },
    messageIdDomain: 'mail.shop.example.com',
    brand: 'Shop',
    shopUrl: 'https://shop.example.com',
  });
  worker = held.startWorker({
    handler: createReleaseHandler({
      renderer,
      logger,
      publish: async (o) => void released.push(o),
    }),
    pollMs: 50,
  });
  const admin = await startHttp(
    createAdminHandler({
      campaigns: createCampaignAdmin({ controls: safety.controls, timers: held, clock }),
      knownCampaign: (id) => loadRendererConfig(CONFIG_DIR).campaigns.some((c) => c.id === id),
      suppressionList: safety.suppressionList,
      adminToken: 'admin-token',
      logger,
    }),
  );
  closers.push(admin.close);
  process.env.RENDERER_URL = admin.url;
  process.env.RENDERER_ADMIN_TOKEN = 'admin-token';
});

afterAll(async () => {
  process.env = env;
  await held.close();
  for (const close of closers) await close();
  mailer.close();
  await closeRedis(redis);
  await isolated.cleanup();
});

describe('pause / resume / kill (pulse campaign, admin API, Redis flag read per send)', () => {
  it('holds a paused campaign’s emails and sends them on resume; a kill suppresses them', async () => {
    const before = customer('before');
    segmentsOf[before] = ['engaged'];
    expect((await one(entered(before, 'engaged')))?.outcome).toBe('sent');
    expect(await campaignMain(['pause', 'engaged-preview'])).toBe(0);
    // The very next send after the call returns is held: no reload, no restart, no delay.
    const during = customer('during');
    segmentsOf[during] = ['engaged'];
    const paused = await one(entered(during, 'engaged'));
    expect(paused).toMatchObject({ outcome: 'held', reason: 'campaign paused' });
    expect(await mails('during')).toBe(0);
    expect(await campaignMain(['resume', 'engaged-preview'])).toBe(0);
    worker.wake();
    await waitFor(() => releasedFor(during) !== undefined, {
      description: 'paused email released',
    });
    expect(releasedFor(during)).toMatchObject({ emailId: paused?.emailId, outcome: 'sent' });
    await waitForEmails(stack, { to: addr('during'), count: 1 });

    // An email parked by a pause is released by the kill, and recorded suppressed.
    expect(await campaignMain(['pause', 'engaged-preview'])).toBe(0);
    const parked = customer('parked');
    segmentsOf[parked] = ['engaged'];
    expect((await one(entered(parked, 'engaged')))?.outcome).toBe('held');
    expect(await campaignMain(['kill', 'engaged-preview'])).toBe(0);
    worker.wake();
    await waitFor(() => releasedFor(parked) !== undefined, {
      description: 'parked email released',
    });
    expect(releasedFor(parked)).toMatchObject({ outcome: 'suppressed', reason: 'campaign killed' });
    const killed = customer('killed');
    segmentsOf[killed] = ['engaged'];
    expect(await one(entered(killed, 'engaged'))).toMatchObject({
      outcome: 'suppressed',
      reason: 'campaign killed',
    });
    expect([await mails('killed'), await mails('parked')]).toEqual([0, 0]);
    expect(await campaignMain(['resume', 'engaged-preview'])).toBe(0);
    expect(await campaignMain(['pause', 'no-such-campaign'])).toBe(1);
  });
});

describe('launch policy and re-eligibility', () => {
  it('new-entrants-only skips members who entered before the launch', async () => {
    // loyalty-offer: launch new-entrants-only, 10% holdout (customers outside it are picked).
    const pick = (who: string) => {
      let n = 0;
      while (stableBucket(`${run}-${who}${n}`, 'loyalty-offer:holdout') < 10) n += 1;
      return customer(`${who}${n}`);
    };
    const fresh = pick('fresh');
    await safety.controls.launchedAt('loyalty-offer', NOW); // the campaign goes live now
    const old = pick('old');
    segmentsOf[old] = segmentsOf[fresh] = ['loyal-customers'];
    const stale = await one(entered(old, 'loyal-customers', NOW - 3 * DAY));
    expect(stale?.outcome).toBe('skipped');
    expect(stale?.reason).toMatch(/before the campaign launched.*new-entrants-only/);
    expect((await one(entered(fresh, 'loyal-customers', NOW)))?.outcome).toBe('sent');
    expect(await mails(old.slice(run.length + 1))).toBe(0);
  });

  it('reeligible: once — re-entering New Customers does not send a second welcome', async () => {
    const id = customer('welcome');
    segmentsOf[id] = ['rfm-new-customers'];
    expect((await one(entered(id, 'rfm-new-customers', NOW)))?.outcome).toBe('sent');
    const again = await one(entered(id, 'rfm-new-customers', NOW + 60 * DAY));
    expect(again?.outcome).toBe('skipped');
    expect(again?.reason).toMatch(/already got welcome-new-customer.*reeligible: once/);
    expect(await mails('welcome')).toBe(1);
  });
});

describe('held emails re-check eligibility at release', () => {
  it('drops a held cart reminder after an order and a held segment email after the exit', async () => {
    clock.set(NOW);
    const tz = { timezone: 'Asia/Tokyo' };
    const [buyer, waiting] = [customer('buyer', tz), customer('waiting', tz)];
    const [leaver, stayer] = [customer('leaver', tz), customer('stayer', tz)];
    segmentsOf[leaver] = segmentsOf[stayer] = ['frequent-buyers'];
    const heldNow = [
      await one(abandoned(buyer)),
      await one(abandoned(waiting)),
      await one(entered(leaver, 'frequent-buyers')),
      await one(entered(stayer, 'frequent-buyers')),
    ];
    expect(heldNow.map((r) => [r?.outcome, r?.heldUntil])).toEqual(
      Array(4).fill(['held', MORNING]),
    );
    profiles[buyer]!.purchases = {
      orders: 3,
      products: [],
      categories: {},
      lastPurchaseAt: NOW + 3_600_000,
    };
    segmentsOf[leaver] = [];
    clock.set(MORNING);
    worker.wake();
    const ids = [buyer, waiting, leaver, stayer];
    await waitFor(() => ids.every((id) => releasedFor(id)), { description: 'all four released' });
    expect(ids.map((id) => releasedFor(id)?.outcome)).toEqual([
      'skipped',
      'sent',
      'skipped',
      'sent',
    ]);
    expect(releasedFor(buyer)?.reason).toMatch(/^ordered at .* after the cart was abandoned$/);
    expect(releasedFor(leaver)?.reason).toBe('no longer in segment frequent-buyers');
    await waitForEmails(stack, { to: addr('stayer'), count: 1 });
    await waitForEmails(stack, { to: addr('waiting'), count: 1 });
    expect([await mails('buyer'), await mails('leaver')]).toEqual([0, 0]);
  });
});
