import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import { mailgunSignature, sendgridHeaders, sendgridKeys, snsSigner } from './esp-signing';
import { startHarness, type IngestHarness } from './harness';

const sg = sendgridKeys();
const sns = snsSigner();
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-events';
let h: IngestHarness;

beforeAll(async () => {
  h = await startHarness({
    INGEST_SENDGRID_PUBLIC_KEY: sg.publicKey,
    INGEST_MAILGUN_SIGNING_KEY: 'mg-int-key',
    INGEST_POSTMARK_BASIC_AUTH: 'pulse:pm-int-secret',
    INGEST_SES_TOPIC_ARNS: TOPIC,
    INGEST_SNS_CERT_DIR: sns.dir,
  });
}, 60_000);

afterAll(async () => {
  await h?.stop();
}, 60_000);

const seconds = () => Math.floor(h.clock.now() / 1000);

function post(provider: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${h.url}/v1/webhooks/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

describe('ESP webhooks', () => {
  it('SendGrid: publishes verified events keyed by customer, once per sg_event_id', async () => {
    const from = (await h.mark()).events;
    const body =
      `[{"email":"maya@example.com","timestamp":${seconds()},"event":"delivered","sg_event_id":"int-sg-1",` +
      `"sg_message_id":"m1","pulse_customer_id":"user-1042","pulse_campaign_id":"cart-1"},\r\n` +
      `{"email":"Maya@Example.com","timestamp":${seconds()},"event":"open","sg_event_id":"int-sg-2","sg_machine_open":true}]`;
    const res = await post('sendgrid', body, sendgridHeaders(sg.privateKey, body, seconds()));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 2, published: 2, duplicates: 0 });
    const records = await h.readEvents(2, from);
    const delivered = records.find((r) => r.event.type === 'Email Delivered')!;
    expect(delivered.key).toBe('user-1042');
    expect(payloadAs(delivered.event, 'EmailPayload')).toMatchObject({
      provider: 'sendgrid',
      provider_event_id: 'int-sg-1',
      campaign_id: 'cart-1',
    });
    const opened = records.find((r) => r.event.type === 'Email Opened')!;
    expect(opened.key).toBe('maya@example.com');
    expect(payloadAs(opened.event, 'EmailPayload')?.suspected_machine).toBe(true);

    // SendGrid retries the same events: acknowledged, not published again.
    const again = await post('sendgrid', body, sendgridHeaders(sg.privateKey, body, seconds()));
    expect(await again.json()).toMatchObject({ published: 0, duplicates: 2 });
    expect(await h.countEvents(from)).toBe(2);
  });

  it('Mailgun: publishes a verified event and refuses the replayed token', async () => {
    const from = (await h.mark()).events;
    const body = JSON.stringify({
      signature: mailgunSignature('mg-int-key', seconds()),
      'event-data': {
        id: 'int-mg-1',
        event: 'complained',
        timestamp: seconds(),
        recipient: 'bob@example.com',
        'user-variables': { pulse_customer_id: 'cust-bob' },
      },
    });
    expect((await post('mailgun', body)).status).toBe(200);
    const replay = await post('mailgun', body);
    expect(replay.status).toBe(403);
    expect(await replay.json()).toMatchObject({ error: 'replayed_token' });
    const [record] = await h.readEvents(1, from);
    expect(record).toMatchObject({ key: 'cust-bob', event: { type: 'Email Marked as Spam' } });
    expect(await h.countEvents(from)).toBe(1);
  });

  it('Postmark: Basic auth from the webhook URL', async () => {
    const from = (await h.mark()).events;
    const body = JSON.stringify({
      RecordType: 'SubscriptionChange',
      MessageID: 'pm-int-1',
      Recipient: 'ann@example.com',
      ChangedAt: new Date(h.clock.now()).toISOString(),
      SuppressSending: true,
      SuppressionReason: 'ManualSuppression',
    });
    const authorization = `Basic ${Buffer.from('pulse:pm-int-secret').toString('base64')}`;
    expect((await post('postmark', body, { authorization })).status).toBe(200);
    const [record] = await h.readEvents(1, from);
    expect(record).toMatchObject({ key: 'ann@example.com', event: { type: 'Email Unsubscribed' } });
  });

  it('SES via SNS: verified with the configured certificate, one event per recipient', async () => {
    const from = (await h.mark()).events;
    const at = new Date(h.clock.now()).toISOString();
    const message = sns.sign(
      {
        Type: 'Notification',
        MessageId: 'int-sns-1',
        TopicArn: TOPIC,
        Timestamp: at,
        Message: JSON.stringify({
          eventType: 'Bounce',
          mail: {
            messageId: 'ses-1',
            timestamp: at,
            destination: ['a@example.com', 'b@example.com'],
          },
          bounce: {
            timestamp: at,
            bounceType: 'Permanent',
            bouncedRecipients: [
              { emailAddress: 'a@example.com', diagnosticCode: '550 5.1.1' },
              { emailAddress: 'b@example.com' },
            ],
          },
        }),
      },
      '2',
    );
    // SNS posts text/plain.
    const res = await post('ses', JSON.stringify(message), { 'content-type': 'text/plain' });
    expect(res.status).toBe(200);
    const records = await h.readEvents(2, from);
    expect(records.map((r) => r.key).sort()).toEqual(['a@example.com', 'b@example.com']);
    const a = records.find((r) => r.key === 'a@example.com')!.event;
    expect(payloadAs(a, 'EmailPayload')).toMatchObject({
      bounce_type: 'hard',
      reason: '550 5.1.1',
    });
  });

  it('bad signature, stale timestamp, malformed body, unknown provider: precise 4xx, nothing published', async () => {
    const from = (await h.mark()).events;
    const body = `[{"email":"x@example.com","timestamp":${seconds()},"event":"delivered","sg_event_id":"int-sg-bad"}]`;
    const forged = sendgridHeaders(sendgridKeys().privateKey, body, seconds());
    const bad = await post('sendgrid', body, forged);
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ error: 'invalid_signature' });
    const stale = await post(
      'sendgrid',
      body,
      sendgridHeaders(sg.privateKey, body, seconds() - 3600),
    );
    expect(await stale.json()).toMatchObject({ error: 'stale_timestamp' });
    const malformed =
      '[{"email":"x@example.com","timestamp":"yesterday","event":"open","sg_event_id":"e"}]';
    const res = await post(
      'sendgrid',
      malformed,
      sendgridHeaders(sg.privateKey, malformed, seconds()),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_field', field: '0.timestamp' });
    expect((await post('sparkpost', '[]')).status).toBe(404);
    expect(await h.countEvents(from)).toBe(0);
  });
});
