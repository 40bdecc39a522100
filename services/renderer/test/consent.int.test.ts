import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { suppressMain } from '@pulse/cli';
import { ManualClock, silentLogger } from '@pulse/core';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import { getStack, isolatedRedis, listEmails, randomName } from '@pulse/testkit';
import { createAdminHandler } from '../src/admin-api';
import { createCampaignAdmin } from '../src/campaign-admin';
import { createCampaignControls } from '../src/campaign-controls';
import { rendererKeys } from '../src/keys';
import { createSmtpMailer } from '../src/mailer';
import { createSuppressionList } from '../src/suppression-list';
import type { Renderer } from '../src/renderer';
import { profileFor, startHttp, startProfileServer, testRenderer } from './harness';

const stack = getStack();
const isolated = isolatedRedis(stack);
const redis = createRedis({ url: stack.redisUrl, logger: silentLogger() });
const keys = rendererKeys(createKeyspace(isolated.prefix.replace(/:$/, '')));
const mailer = createSmtpMailer({ url: stack.smtpUrl });
const run = randomName('rc');
const NOW = Date.UTC(2025, 2, 14, 15, 0);
const clock = new ManualClock(NOW);
const dir = mkdtempSync(path.join(tmpdir(), 'pulse-suppress-'));
const env = { ...process.env };
const addr = (who: string) => `${run}-${who}@example.com`;
const profiles: Record<string, unknown> = {};
const customer = (id: string, traits: Record<string, unknown>) => {
  profiles[id] = profileFor(id, addr(id), traits);
  return id;
};
const closers: (() => Promise<void>)[] = [];
let renderer: Renderer;
let adminUrl = '';

const enter = async (id: string, segment = 'engaged') => {
  const [r] = await renderer.handle({
    id: `${run}-${id}-${segment}`,
    customerId: id,
    at: clock.now(),
    segment: { id: segment, change: 'entered' },
  });
  return r;
};
const subjects = async (id: string) =>
  (await listEmails(stack, { to: addr(id) })).map((m) => m.subject);

beforeAll(async () => {
  const server = await startProfileServer(profiles);
  closers.push(server.close);
  renderer = testRenderer({
    redis,
    prefix: isolated.prefix,
    profileUrl: server.url,
    mailer,
    clock,
  });
  const controls = createCampaignControls(redis, keys);
  const admin = await startHttp(
    createAdminHandler({
      campaigns: createCampaignAdmin({
        controls,
        timers: { get: async () => undefined, schedule: async () => 'created' },
        clock,
      }),
      knownCampaign: () => true,
      suppressionList: createSuppressionList(redis, keys),
      adminToken: 'admin-token',
      logger: silentLogger(),
    }),
  );
  closers.push(admin.close);
  adminUrl = admin.url;
  process.env.RENDERER_URL = admin.url;
  process.env.RENDERER_ADMIN_TOKEN = 'admin-token';
});

afterAll(async () => {
  process.env = env;
  for (const close of closers) await close();
  mailer.close();
  await closeRedis(redis);
  await isolated.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('consent per country (config/consent.yaml)', () => {
  it('mails marketing to a German only with recorded consent, to an American unless withdrawn; transactional to all', async () => {
    const deNone = customer('de-none', { country: 'DE' });
    const deYes = customer('de-yes', { country: 'DE', consent_email_marketing: true });
    const usNone = customer('us-none', { country: 'US' });
    const usNo = customer('us-no', { country: 'US', consent_email_marketing: false });
    const outcomes = [
      await enter(deNone),
      await enter(deYes),
      await enter(usNone),
      await enter(usNo),
    ];
    expect(outcomes.map((o) => o?.outcome)).toEqual(['suppressed', 'sent', 'sent', 'suppressed']);
    expect(outcomes[0]?.reason).toBe(
      'no recorded consent to marketing email (opt-in regime, country DE)',
    );
    expect(outcomes[3]?.reason).toBe('no consent to marketing email');
    // The welcome is transactional: consent rules do not apply to it.
    expect((await enter(deNone, 'rfm-new-customers'))?.outcome).toBe('sent');
    expect(await subjects(deNone)).toEqual(['Welcome, Maya!']);
    expect(await subjects(deYes)).toEqual(['A first look, just for you, Maya']);
    expect(await subjects(usNone)).toEqual(['A first look, just for you, Maya']);
    expect(await subjects(usNo)).toEqual([]);
  });
});

describe('imported suppression lists', () => {
  it('pulse suppress import loads addresses and hashes; listed customers get no marketing email', async () => {
    const plain = customer('listed-plain', {});
    const hashed = customer('listed-hash', {});
    const clear = customer('not-listed', {});
    const csv = path.join(dir, 'old-esp.csv');
    writeFileSync(csv, `name,email\nAnn,${addr(plain).toUpperCase()}\nBad,not-an-address\n`);
    const ndjson = path.join(dir, 'partner.ndjson');
    const sha = createHash('sha256').update(addr(hashed)).digest('hex');
    writeFileSync(ndjson, `${JSON.stringify({ sha256: sha })}\n`);
    expect(await suppressMain(['import', csv])).toBe(1); // one line rejected, the rest loaded
    expect(await suppressMain(['import', ndjson, '--source', 'partner'])).toBe(0);
    const [a, b, c] = [await enter(plain), await enter(hashed), await enter(clear)];
    expect([a?.outcome, b?.outcome, c?.outcome]).toEqual(['suppressed', 'suppressed', 'sent']);
    expect(a?.reason).toBe('on imported suppression list "old-esp.csv"');
    expect(b?.reason).toBe('on imported suppression list "partner"');
    expect(await subjects(plain)).toEqual([]);
    expect(await subjects(hashed)).toEqual([]);
    expect(await subjects(clear)).toHaveLength(1);
    // Scope marketing (the default): a transactional email still goes out.
    expect((await enter(plain, 'rfm-new-customers'))?.outcome).toBe('sent');
  });

  it('refuses an import without the admin token', async () => {
    const res = await fetch(`${adminUrl}/v1/suppressions?format=csv`, {
      method: 'POST',
      body: 'x@y.zz\n',
    });
    expect(res.status).toBe(401);
  });
});
