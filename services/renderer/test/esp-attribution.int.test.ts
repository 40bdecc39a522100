import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import { ManualClock, silentLogger } from '@pulse/core';
import { closeRedis, createRedis } from '@pulse/redis';
import { getStack, isolatedRedis, randomName, waitForEmails } from '@pulse/testkit';
import type { CapturedEmail } from '@pulse/testkit';
// Ingest's own harness runs the real ingest service in-process (random topics, real Kafka).
import { startHarness, type IngestHarness } from '../../ingest/test/harness';
import { createSmtpMailer } from '../src/mailer';
import { profileFor, startProfileServer, testRenderer } from './harness';

const stack = getStack();
const isolated = isolatedRedis(stack);
const redis = createRedis({ url: stack.redisUrl, logger: silentLogger() });
const mailer = createSmtpMailer({ url: stack.smtpUrl });
const run = randomName('ra');
const to = `${run}-maya@example.com`;
const MAILGUN_KEY = 'mailgun-signing-key';
const POSTMARK_AUTH = 'pm-user:pm-password';
const sendgrid = generateKeyPairSync('ec', { namedCurve: 'P-256' });
let ingest: IngestHarness;
let mail: CapturedEmail;
let emailId = '';
let closeProfiles: (() => Promise<void>) | undefined;

const header = (name: string) => String(mail.headers[name.toLowerCase()] ?? '');
const post = (provider: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${ingest.url}/v1/webhooks/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

beforeAll(async () => {
  ingest = await startHarness({
    INGEST_MAILGUN_SIGNING_KEY: MAILGUN_KEY,
    INGEST_POSTMARK_BASIC_AUTH: POSTMARK_AUTH,
    INGEST_SENDGRID_PUBLIC_KEY: sendgrid.publicKey
      .export({ type: 'spki', format: 'der' })
      .toString('base64'),
  });
  const profiles = await startProfileServer({ 'u:maya': profileFor('u:maya', to) });
  closeProfiles = profiles.close;
  const renderer = testRenderer({
    redis,
    prefix: isolated.prefix,
    profileUrl: profiles.url,
    mailer,
    clock: new ManualClock(Date.UTC(2025, 2, 14, 15, 0)),
  });
  const [sent] = await renderer.handle({
    id: `${run}-cart`,
    customerId: 'u:maya',
    at: Date.UTC(2025, 2, 14, 15, 0),
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
  expect(sent?.outcome).toBe('sent');
  emailId = sent!.emailId;
  mail = (await waitForEmails(stack, { to, count: 1 }))[0]!;
});

afterAll(async () => {
  await ingest?.stop();
  await closeProfiles?.();
  mailer.close();
  await closeRedis(redis);
  await isolated.cleanup();
});

describe('every ESP webhook event attributes to the send', () => {
  it('SendGrid, Mailgun and Postmark echo the ids the email carried; ingest publishes them', async () => {
    const secs = Math.floor(Date.now() / 1000);
    const from = await ingest.mark();
    // What each ESP does with the header it reads (and strips) at its SMTP relay:
    const uniqueArgs = (JSON.parse(header('X-SMTPAPI')) as { unique_args: Record<string, string> })
      .unique_args;
    const sgBody = JSON.stringify([
      { email: to, timestamp: secs, event: 'open', sg_event_id: randomUUID(), ...uniqueArgs },
    ]);
    const sgSig = sign('sha256', Buffer.from(`${secs}${sgBody}`), sendgrid.privateKey).toString(
      'base64',
    );
    const token = randomUUID();
    const mgBody = JSON.stringify({
      signature: {
        timestamp: String(secs),
        token,
        signature: createHmac('sha256', MAILGUN_KEY).update(`${secs}${token}`).digest('hex'),
      },
      'event-data': {
        id: randomUUID(),
        event: 'clicked',
        timestamp: secs,
        recipient: to,
        url: 'https://shop.example.com/cart',
        'user-variables': JSON.parse(header('X-Mailgun-Variables')) as unknown,
      },
    });
    const metadata = Object.fromEntries(
      Object.keys(mail.headers)
        .filter((h) => h.startsWith('x-pm-metadata-'))
        .map((h) => [h.slice('x-pm-metadata-'.length), header(h)]),
    );
    const pmBody = JSON.stringify({
      RecordType: 'Delivery',
      MessageID: randomUUID(),
      Recipient: to,
      DeliveredAt: new Date().toISOString(),
      Metadata: metadata,
    });
    const answers = await Promise.all([
      post('sendgrid', sgBody, {
        'x-twilio-email-event-webhook-signature': sgSig,
        'x-twilio-email-event-webhook-timestamp': String(secs),
      }),
      post('mailgun', mgBody),
      post('postmark', pmBody, {
        authorization: `Basic ${Buffer.from(POSTMARK_AUTH).toString('base64')}`,
      }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const events = await ingest.readEvents(3, from.events);
    const attributed = events
      .map(({ event }) => ({
        type: event.type,
        userId: event.userId,
        ...payloadAs(event, 'EmailPayload'),
      }))
      .sort((a, b) => a.type.localeCompare(b.type));
    expect(attributed).toHaveLength(3);
    for (const e of attributed)
      expect(e).toMatchObject({
        // The tag carries the canonical id `u:maya`: the event is about user `maya`.
        userId: 'maya',
        send_id: emailId,
        campaign_id: 'cart-abandon-1',
        variant: expect.stringMatching(/^[AB]$/),
      });
    // SES: tag values allow only [A-Za-z0-9_-]; the ids fit, the customer travels base64url.
    expect(header('X-SES-MESSAGE-TAGS')).toContain(`pulse_send_id=${emailId}`);
    expect(header('X-SES-MESSAGE-TAGS')).toContain(
      `pulse_customer_b64=${Buffer.from('u:maya').toString('base64url')}`,
    );
  });
});
