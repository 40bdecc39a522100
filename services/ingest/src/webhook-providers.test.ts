import { describe, expect, it } from '@jest/globals';
import { mailgunSignature, sendgridHeaders, sendgridKeys, snsSigner } from '../test/esp-signing';
import { toPulseEvent } from './esp-events';
import { createWebhookProviders } from './webhook-providers';
import type { WebhookProvider, WebhookResult } from './webhook';

const NOW = Date.parse('2026-03-14T10:00:00.000Z');
const nowS = NOW / 1000;
const sg = sendgridKeys();
const sns = snsSigner();
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-events';
const providers = createWebhookProviders({
  webhookMaxAge: 600_000,
  sendgridPublicKey: sg.publicKey,
  mailgunSigningKey: 'mg-key',
  postmarkBasicAuth: 'pm:secret',
  sesTopicArns: [TOPIC],
  snsCertDir: sns.dir,
});
const provider = (name: string) => providers.find((p) => p.name === name) as WebhookProvider;

async function handle(
  name: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<WebhookResult> {
  return provider(name).handle({ headers, body: Buffer.from(body), now: NOW });
}

function refusal(result: WebhookResult) {
  if (result.ok) throw new Error('expected a refusal');
  return result.refusal;
}

function accepted(result: WebhookResult) {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
  return result;
}

describe('SendGrid', () => {
  // SendGrid separates events with \r\n: only the raw bytes verify.
  const body =
    '[{"email":"Maya@Example.com","timestamp":1773482000,"event":"bounce","type":"bounce",' +
    '"sg_event_id":"sg-1","sg_message_id":"m1","reason":"550 no such user",' +
    '"pulse_customer_id":"user-1042","pulse_send_id":"em-1"},\r\n' +
    '{"email":"maya@example.com","timestamp":1773482001,"event":"processed","sg_event_id":"sg-2"}]';

  it('verifies the ECDSA signature over timestamp + raw body and maps the events', async () => {
    const result = accepted(
      await handle('sendgrid', body, sendgridHeaders(sg.privateKey, body, nowS)),
    );
    expect(result.ignored).toBe(1);
    const event = toPulseEvent(result.events[0]!, NOW);
    expect(event.ok && event.value).toMatchObject({
      id: 'sendgrid:sg-1',
      type: 'Email Bounced',
      source: 'sendgrid',
      userId: 'user-1042',
      email: 'maya@example.com',
      occurredAt: 1773482000_000,
      payload: {
        'pulse.events.EmailPayload': {
          provider: 'sendgrid',
          provider_event_id: 'sg-1',
          send_id: 'em-1',
          bounce_type: 'hard',
          reason: '550 no such user',
        },
      },
    });
  });

  it('refuses a re-serialized body, a wrong key, a missing header and a stale timestamp', async () => {
    const headers = sendgridHeaders(sg.privateKey, body, nowS);
    const reserialized = JSON.stringify(JSON.parse(body));
    expect(refusal(await handle('sendgrid', reserialized, headers))).toMatchObject({
      status: 403,
      error: 'invalid_signature',
    });
    const other = sendgridKeys();
    expect(
      refusal(await handle('sendgrid', body, sendgridHeaders(other.privateKey, body, nowS))).error,
    ).toBe('invalid_signature');
    expect(refusal(await handle('sendgrid', body, {}))).toMatchObject({
      status: 401,
      error: 'missing_signature',
    });
    const old = sendgridHeaders(sg.privateKey, body, nowS - 3600);
    expect(refusal(await handle('sendgrid', body, old))).toMatchObject({
      status: 403,
      error: 'stale_timestamp',
    });
  });

  it('names the field of a malformed event', async () => {
    const bad = '[{"email":"a@b.co","timestamp":1,"event":"open"}]';
    expect(
      refusal(await handle('sendgrid', bad, sendgridHeaders(sg.privateKey, bad, nowS))),
    ).toMatchObject({ status: 400, error: 'invalid_field', field: '0.sg_event_id' });
  });
});

describe('Mailgun', () => {
  const body = (signature: object, data: object = {}) =>
    JSON.stringify({
      signature,
      'event-data': {
        id: 'mg-evt-1',
        event: 'failed',
        severity: 'temporary',
        timestamp: nowS - 5,
        recipient: 'bob@example.com',
        'delivery-status': { description: 'mailbox full' },
        'user-variables': { pulse_campaign_id: 'spring' },
        message: { headers: { 'message-id': 'abc@mg' } },
        ...data,
      },
    });

  it('verifies HMAC(timestamp + token), maps a temporary failure to a soft bounce and hands the token back', async () => {
    const signature = mailgunSignature('mg-key', nowS);
    const result = accepted(await handle('mailgun', body(signature)));
    expect(result.nonce).toBe(signature.token);
    expect(result.events[0]).toMatchObject({
      providerEventId: 'mg-evt-1',
      kind: 'bounced',
      bounceType: 'soft',
      reason: 'mailbox full',
      tags: { pulse_campaign_id: 'spring' },
      messageId: 'abc@mg',
    });
  });

  it('refuses a wrong key, a missing signature and an old timestamp', async () => {
    expect(refusal(await handle('mailgun', body(mailgunSignature('other', nowS))))).toMatchObject({
      status: 403,
      error: 'invalid_signature',
    });
    expect(refusal(await handle('mailgun', JSON.stringify({ 'event-data': {} })))).toMatchObject({
      status: 401,
      field: 'signature',
    });
    expect(
      refusal(await handle('mailgun', body(mailgunSignature('mg-key', nowS - 7200)))),
    ).toMatchObject({ status: 403, error: 'stale_timestamp' });
  });
});

describe('Postmark', () => {
  const auth = (credentials: string) => ({
    authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
  });

  it('checks Basic auth and maps each RecordType', async () => {
    const click = JSON.stringify({
      RecordType: 'Click',
      MessageID: 'pm-1',
      Recipient: 'ann@example.com',
      ReceivedAt: '2026-03-14T09:59:00Z',
      OriginalLink: 'https://shop.test/x',
      UserAgent: 'Mozilla/5.0 (Windows NT 10.0)',
      Metadata: { pulse_customer_id: 'c-9' },
    });
    const result = accepted(await handle('postmark', click, auth('pm:secret')));
    expect(result.events[0]).toMatchObject({
      kind: 'clicked',
      url: 'https://shop.test/x',
      suspectedMachine: false,
      providerEventId: `Click:pm-1:${Date.parse('2026-03-14T09:59:00Z')}`,
      tags: { pulse_customer_id: 'c-9' },
    });
    const bounce = JSON.stringify({
      RecordType: 'Bounce',
      ID: 42,
      Type: 'HardBounce',
      MessageID: 'pm-2',
      Email: 'ann@example.com',
      BouncedAt: '2026-03-14T09:59:00Z',
    });
    expect(accepted(await handle('postmark', bounce, auth('pm:secret'))).events[0]).toMatchObject({
      providerEventId: 'Bounce:42',
      bounceType: 'hard',
    });
  });

  it('refuses wrong or missing credentials and names a bad field', async () => {
    expect(refusal(await handle('postmark', '{}', auth('pm:nope')))).toMatchObject({ status: 401 });
    expect(refusal(await handle('postmark', '{}'))).toMatchObject({ status: 401 });
    const bad = JSON.stringify({
      RecordType: 'Delivery',
      MessageID: 'x',
      Recipient: 'a@b.co',
      DeliveredAt: 'soon',
    });
    expect(refusal(await handle('postmark', bad, auth('pm:secret')))).toMatchObject({
      status: 400,
      field: 'DeliveredAt',
    });
  });
});

describe('Amazon SES via SNS', () => {
  const ses = {
    eventType: 'Complaint',
    mail: {
      messageId: 'ses-m-1',
      timestamp: '2026-03-14T09:58:00.000Z',
      destination: ['zoe@example.com'],
      tags: { pulse_customer_id: ['cust-77'] },
    },
    complaint: {
      timestamp: '2026-03-14T09:59:00.000Z',
      complainedRecipients: [{ emailAddress: 'zoe@example.com' }],
    },
  };
  const notification = {
    Type: 'Notification',
    MessageId: 'sns-1',
    TopicArn: TOPIC,
    Message: JSON.stringify(ses),
    Timestamp: '2026-03-14T09:59:30.000Z',
  };

  it.each(['1', '2'] as const)('verifies SignatureVersion %s and maps SES events', async (v) => {
    const result = accepted(await handle('ses', JSON.stringify(sns.sign(notification, v))));
    expect(result.events).toEqual([
      expect.objectContaining({
        provider: 'ses',
        providerEventId: 'sns-1:0',
        kind: 'spam',
        email: 'zoe@example.com',
        tags: { pulse_customer_id: 'cust-77' },
      }),
    ]);
  });

  it('refuses a tampered message, a foreign certificate host and a topic not allowed', async () => {
    const signed = sns.sign(notification);
    const tampered = { ...signed, Message: signed.Message!.replace('zoe', 'eve') };
    expect(refusal(await handle('ses', JSON.stringify(tampered)))).toMatchObject({
      status: 403,
      error: 'invalid_signature',
    });
    const foreign = {
      ...signed,
      SigningCertURL: 'https://evil.test/SimpleNotificationService-pulse-test.pem',
    };
    expect(refusal(await handle('ses', JSON.stringify(foreign)))).toMatchObject({
      error: 'invalid_certificate_url',
    });
    const other = sns.sign({ ...notification, TopicArn: 'arn:aws:sns:us-east-1:1:other' });
    expect(refusal(await handle('ses', JSON.stringify(other)))).toMatchObject({
      status: 403,
      error: 'topic_not_allowed',
    });
  });

  it('reports a SubscriptionConfirmation instead of fetching it', async () => {
    const confirmation = sns.sign({
      Type: 'SubscriptionConfirmation',
      MessageId: 'sns-2',
      TopicArn: TOPIC,
      Message: 'You have chosen to subscribe',
      SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
      Token: 't',
      Timestamp: '2026-03-14T09:59:30.000Z',
    });
    const result = accepted(await handle('ses', JSON.stringify(confirmation)));
    expect(result.events).toEqual([]);
    expect(result.notice).toMatchObject({
      type: 'SubscriptionConfirmation',
      subscribeUrl: confirmation.SubscribeURL,
    });
  });

  it('names the field of a malformed SES event', async () => {
    const bad = sns.sign({
      ...notification,
      Message: JSON.stringify({ eventType: 'Bounce', mail: ses.mail }),
    });
    expect(refusal(await handle('ses', JSON.stringify(bad)))).toMatchObject({
      status: 400,
      field: 'Message.bounce',
    });
  });
});
