import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { stringTags, type EspEvent, type EspEventKind } from './esp-events';
import {
  checkFresh,
  parseJsonField,
  parseWith,
  refuse,
  type WebhookProvider,
  type WebhookResult,
} from './webhook';

const signatureSchema = z.object({
  timestamp: z.union([z.string(), z.number()]).transform(String),
  token: z.string().min(1, 'must not be empty'),
  signature: z.string().regex(/^[0-9a-f]{64}$/i, 'must be a hex HMAC-SHA256'),
});

const eventData = z.looseObject({
  id: z.string().min(1, 'must not be empty'),
  event: z.string().min(1, 'must not be empty'),
  timestamp: z.number().finite(),
  recipient: z.string().optional(),
  severity: z.string().optional(),
  reason: z.string().optional(),
  url: z.string().optional(),
  'user-variables': z.record(z.string(), z.unknown()).optional(),
  'delivery-status': z
    .looseObject({ message: z.string().optional(), description: z.string().optional() })
    .optional(),
  message: z
    .looseObject({ headers: z.looseObject({ 'message-id': z.string().optional() }).optional() })
    .optional(),
});

type MailgunEvent = z.infer<typeof eventData>;

/** Mailgun's failures for addresses it will not even try (already bounced, unsubscribed...). */
const SUPPRESSED = /^suppress-/;

function kindOf(e: MailgunEvent): EspEventKind | undefined {
  switch (e.event) {
    case 'delivered':
      return 'delivered';
    case 'opened':
      return 'opened';
    case 'clicked':
      return 'clicked';
    case 'complained':
      return 'spam';
    case 'unsubscribed':
      return 'unsubscribed';
    case 'rejected':
      return 'dropped';
    case 'failed':
      return e.severity === 'permanent' && SUPPRESSED.test(e.reason ?? '') ? 'dropped' : 'bounced';
    default:
      return undefined;
  }
}

function toEspEvent(e: MailgunEvent): EspEvent | undefined {
  const kind = kindOf(e);
  if (!kind) return undefined;
  const status = e['delivery-status'];
  return {
    provider: 'mailgun',
    providerEventId: e.id,
    kind,
    occurredAt: Math.round(e.timestamp * 1000),
    email: e.recipient,
    emailField: 'event-data.recipient',
    tags: stringTags(e['user-variables']),
    messageId: e.message?.headers?.['message-id'] ?? null,
    url: e.url ?? null,
    bounceType: kind === 'bounced' ? (e.severity === 'permanent' ? 'hard' : 'soft') : null,
    reason: status?.description || status?.message || e.reason || null,
  };
}

/**
 * Mailgun webhooks: `signature: {timestamp, token, signature}` in the JSON body, the signature
 * being hex HMAC-SHA256 of `timestamp + token` with the webhook signing key. The token is a
 * nonce: the caller claims it, so a replayed request is refused.
 */
export function mailgunProvider(options: {
  signingKey: string;
  maxAgeMs: number;
}): WebhookProvider {
  return {
    name: 'mailgun',
    handle({ body, now }): WebhookResult {
      const json = parseJsonField(body.toString('utf8'));
      if (!json.ok) return json;
      const root = (json.value ?? {}) as { signature?: unknown; 'event-data'?: unknown };
      if (root.signature === undefined) {
        return refuse(401, 'missing_signature', 'signature is missing from the body', 'signature');
      }
      const sig = parseWith(signatureSchema, root.signature, 'signature');
      if (!sig.ok) return refuse(401, 'missing_signature', sig.refusal.reason, sig.refusal.field);
      const { timestamp, token, signature } = sig.value;
      const expected = createHmac('sha256', options.signingKey)
        .update(timestamp + token)
        .digest();
      if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
        return refuse(403, 'invalid_signature', 'signature is not HMAC-SHA256(timestamp + token)');
      }
      const stale = checkFresh(Number(timestamp) * 1000, now, options.maxAgeMs);
      if (stale) return stale;
      const data = parseWith(eventData, root['event-data'], 'event-data');
      if (!data.ok) return data;
      const event = toEspEvent(data.value);
      return event
        ? { ok: true, events: [event], ignored: 0, nonce: token }
        : { ok: true, events: [], ignored: 1, nonce: token };
    },
  };
}
