import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import { signEmailToken } from '../src/email-token';
import { startHarness, type IngestHarness } from './harness';

const SECRET = 'int-test-email-secret';
let h: IngestHarness;

beforeAll(async () => {
  h = await startHarness({ INGEST_EMAIL_TRACKING_SECRET: SECRET });
}, 60_000);

afterAll(async () => {
  await h?.stop();
}, 60_000);

const human = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605' };

describe('email open and click tracking', () => {
  it('publishes Email Opened for a signed open pixel', async () => {
    const from = (await h.mark()).events;
    const token = signEmailToken(SECRET, { s: 'send-7', p: 'cust-7', c: 'welcome' });
    const res = await fetch(`${h.url}/v1/email/open/${token}.gif`, { headers: human });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/gif');
    const [record] = await h.readEvents(1, from);
    expect(record?.key).toBe('cust-7');
    expect(record?.event).toMatchObject({ type: 'Email Opened', userId: 'cust-7' });
    expect(payloadAs(record!.event, 'EmailPayload')).toMatchObject({
      send_id: 'send-7',
      campaign_id: 'welcome',
      provider: 'pulse',
      suspected_machine: false,
    });
  });

  it('redirects a signed click to its link and publishes Email Link Clicked', async () => {
    const from = (await h.mark()).events;
    const url = 'https://shop.test/sale?utm_campaign=welcome';
    const token = signEmailToken(SECRET, { s: 'send-8', p: 'cust-8', c: 'welcome', u: url });
    const res = await fetch(`${h.url}/v1/email/click/${token}`, {
      redirect: 'manual',
      headers: human,
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(url);
    const [record] = await h.readEvents(1, from);
    expect(record?.event.type).toBe('Email Link Clicked');
    expect(payloadAs(record!.event, 'EmailPayload')?.url).toBe(url);
  });

  it('never redirects for a forged or unsigned link, and publishes nothing', async () => {
    const from = (await h.mark()).events;
    const forged = signEmailToken('attacker-secret', {
      s: 's',
      p: 'p',
      c: 'c',
      u: 'https://evil.test',
    });
    for (const token of [forged, 'garbage']) {
      const res = await fetch(`${h.url}/v1/email/click/${token}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    const open = await fetch(`${h.url}/v1/email/open/${forged}.gif`);
    expect(open.status).toBe(200);
    expect(await h.countEvents(from)).toBe(0);
  });
});
