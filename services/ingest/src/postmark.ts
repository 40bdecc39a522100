import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { looksAutomated } from './email-tracking';
import { stringTags, type EspEvent } from './esp-events';
import { header, parseJsonField, parseWith, refuse, type WebhookProvider } from './webhook';

const isoDate = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 date-time');

const common = {
  MessageID: z.string().min(1, 'must not be empty'),
  Metadata: z.record(z.string(), z.unknown()).nullish(),
};

/** Postmark's webhook bodies, one per RecordType (the fields Pulse reads). */
const postmarkBody = z.discriminatedUnion('RecordType', [
  z.looseObject({
    ...common,
    RecordType: z.literal('Delivery'),
    Recipient: z.string(),
    DeliveredAt: isoDate,
    Details: z.string().nullish(),
  }),
  z.looseObject({
    ...common,
    RecordType: z.literal('Bounce'),
    ID: z.union([z.number(), z.string()]).transform(String),
    Type: z.string(),
    Email: z.string(),
    BouncedAt: isoDate,
    Description: z.string().nullish(),
  }),
  z.looseObject({
    ...common,
    RecordType: z.literal('SpamComplaint'),
    ID: z.union([z.number(), z.string()]).transform(String),
    Email: z.string(),
    BouncedAt: isoDate,
  }),
  z.looseObject({
    ...common,
    RecordType: z.literal('Open'),
    Recipient: z.string(),
    ReceivedAt: isoDate,
    UserAgent: z.string().nullish(),
  }),
  z.looseObject({
    ...common,
    RecordType: z.literal('Click'),
    Recipient: z.string(),
    ReceivedAt: isoDate,
    OriginalLink: z.string(),
    UserAgent: z.string().nullish(),
  }),
  z.looseObject({
    ...common,
    RecordType: z.literal('SubscriptionChange'),
    Recipient: z.string(),
    ChangedAt: isoDate,
    SuppressSending: z.boolean(),
    SuppressionReason: z.string().nullish(),
  }),
]);

type PostmarkBody = z.infer<typeof postmarkBody>;

/** Bounce types that mean the address will never work (the rest are temporary). */
const HARD_BOUNCES = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);

function toEspEvent(b: PostmarkBody): EspEvent | undefined {
  const base = { provider: 'postmark', tags: stringTags(b.Metadata), messageId: b.MessageID };
  // Postmark gives ids to bounces and complaints only; for the rest the message, the kind and
  // the time identify the event, and stay the same when Postmark retries it.
  const derived = (at: string) => `${b.RecordType}:${b.MessageID}:${Date.parse(at)}`;
  switch (b.RecordType) {
    case 'Delivery':
      return {
        ...base,
        kind: 'delivered',
        providerEventId: derived(b.DeliveredAt),
        occurredAt: Date.parse(b.DeliveredAt),
        email: b.Recipient,
        emailField: 'Recipient',
      };
    case 'Bounce':
      return {
        ...base,
        kind: 'bounced',
        providerEventId: `Bounce:${b.ID}`,
        occurredAt: Date.parse(b.BouncedAt),
        email: b.Email,
        emailField: 'Email',
        bounceType: HARD_BOUNCES.has(b.Type) ? 'hard' : 'soft',
        reason: b.Description ?? b.Type,
      };
    case 'SpamComplaint':
      return {
        ...base,
        kind: 'spam',
        providerEventId: `SpamComplaint:${b.ID}`,
        occurredAt: Date.parse(b.BouncedAt),
        email: b.Email,
        emailField: 'Email',
      };
    case 'Open':
    case 'Click':
      return {
        ...base,
        kind: b.RecordType === 'Open' ? 'opened' : 'clicked',
        providerEventId: derived(b.ReceivedAt),
        occurredAt: Date.parse(b.ReceivedAt),
        email: b.Recipient,
        emailField: 'Recipient',
        url: b.RecordType === 'Click' ? b.OriginalLink : null,
        suspectedMachine: looksAutomated('GET', b.UserAgent ?? undefined),
      };
    case 'SubscriptionChange':
      // Suppressions after a bounce or complaint were reported by that event already;
      // reactivations are not an email event.
      if (!b.SuppressSending || b.SuppressionReason !== 'ManualSuppression') return undefined;
      return {
        ...base,
        kind: 'unsubscribed',
        providerEventId: derived(b.ChangedAt),
        occurredAt: Date.parse(b.ChangedAt),
        email: b.Recipient,
        emailField: 'Recipient',
      };
  }
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Postmark webhooks carry no signature: the webhook URL holds HTTP Basic credentials
 * (`https://user:password@host/v1/webhooks/postmark`), compared here in constant time.
 */
export function postmarkProvider(options: { basicAuth: string }): WebhookProvider {
  const expected = digest(options.basicAuth);
  return {
    name: 'postmark',
    handle({ headers, body }) {
      const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header(headers, 'authorization') ?? '');
      if (!match?.[1]) {
        return refuse(401, 'unauthorized', 'Basic credentials missing (set them in the URL)');
      }
      const given = digest(Buffer.from(match[1], 'base64').toString('utf8'));
      if (!timingSafeEqual(given, expected)) {
        return refuse(401, 'unauthorized', 'Basic credentials do not match');
      }
      const json = parseJsonField(body.toString('utf8'));
      if (!json.ok) return json;
      const parsed = parseWith(postmarkBody, json.value);
      if (!parsed.ok) return parsed;
      const event = toEspEvent(parsed.value);
      return event
        ? { ok: true, events: [event], ignored: 0 }
        : { ok: true, events: [], ignored: 1 };
    },
  };
}
