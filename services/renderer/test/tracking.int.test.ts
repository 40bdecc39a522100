import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import { verifyEmailToken } from '@pulse/email-token';
import { closeRedis, createRedis } from '@pulse/redis';
import { getStack, isolatedRedis, randomName, waitForEmails } from '@pulse/testkit';
// Ingest's own harness runs the real ingest service in-process (random topics, real Kafka).
import { startHarness, type IngestHarness } from '../../ingest/test/harness';
import { createSmtpMailer } from '../src/mailer';
import { enteredEngaged, profileFor, startProfileServer, testRenderer } from './harness';

const stack = getStack();
const isolated = isolatedRedis(stack);
const redis = createRedis({ url: stack.redisUrl, logger: silentLogger() });
const mailer = createSmtpMailer({ url: stack.smtpUrl });
const SECRET = randomName('tracking-secret');
const run = randomName('rt');
const NOW = Date.UTC(2025, 2, 14, 15, 0);
const to = `${run}-maya@example.com`;
const human = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605' };
let ingest: IngestHarness;
let closeProfiles: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ingest = await startHarness({ INGEST_EMAIL_TRACKING_SECRET: SECRET });
  const profiles = await startProfileServer({
    maya: {
      ...profileFor('maya', to, { state: 'CA' }),
      purchases: { orders: 4, products: ['prod-701'], categories: { 'Electronics/Audio': 1 } },
    },
  });
  closeProfiles = profiles.close;
  const renderer = testRenderer({
    redis,
    prefix: isolated.prefix,
    profileUrl: profiles.url,
    mailer,
    clock: new ManualClock(NOW),
    tracking: { baseUrl: ingest.url, secret: SECRET },
  });
  const [outcome] = await renderer.handle(enteredEngaged('maya', `${run}-t1`, NOW));
  expect(outcome?.outcome).toBe('sent');
}, 60_000);

afterAll(async () => {
  await ingest?.stop();
  await closeProfiles?.();
  mailer.close();
  await closeRedis(redis);
  await isolated.cleanup();
}, 60_000);

describe('open and click tracking through the real ingest', () => {
  it("a sent email's click link 302s to the original URL and Email Link Clicked lands in events.v1", async () => {
    const [mail] = await waitForEmails(stack, { to, count: 1 });
    const html = mail?.html ?? '';
    const clicks = [...html.matchAll(/href="([^"]*\/v1\/email\/click\/([^"]+))"/g)];
    expect(clicks.length).toBeGreaterThan(0);
    // Every http(s) link is tracked except the unsubscribe link.
    const plain = [...html.matchAll(/href="(https?:[^"]+)"/g)].map((m) => m[1]!);
    expect(plain.filter((u) => !u.startsWith(ingest.url))).toEqual(
      plain.filter((u) => u.includes('/v1/unsubscribe')),
    );
    const [link, token] = [clicks[0]![1]!, clicks[0]![2]!];
    const claims = verifyEmailToken(SECRET, token);
    expect(claims).toMatchObject({ p: 'maya', c: 'engaged-preview' });
    expect(claims?.u).toMatch(/^https:\/\/shop\.example\.com/);

    const from = (await ingest.mark()).events;
    const res = await fetch(link, { redirect: 'manual', headers: human });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(claims?.u);
    const [record] = await ingest.readEvents(1, from);
    expect(record?.key).toBe('maya');
    expect(record?.event).toMatchObject({ type: 'Email Link Clicked', userId: 'maya' });
    expect(payloadAs(record!.event, 'EmailPayload')).toMatchObject({
      send_id: claims?.s,
      campaign_id: 'engaged-preview',
      url: claims?.u,
      suspected_machine: false,
    });
  });

  it("the email's open pixel answers a GIF and publishes Email Opened for the send", async () => {
    const [mail] = await waitForEmails(stack, { to, count: 1 });
    const pixel = /<img src="([^"]*\/v1\/email\/open\/[^"]+)"/.exec(mail?.html ?? '')?.[1];
    expect(pixel).toBeDefined();
    const from = (await ingest.mark()).events;
    const res = await fetch(pixel!, { headers: human });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/gif');
    const [record] = await ingest.readEvents(1, from);
    expect(record?.event).toMatchObject({ type: 'Email Opened', userId: 'maya' });
    expect(payloadAs(record!.event, 'EmailPayload')?.campaign_id).toBe('engaged-preview');
  });
});
