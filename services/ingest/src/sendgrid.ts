import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { PulseError } from '@pulse/core';
import { z } from 'zod';
import { stringTags, type EspEvent, type EspEventKind } from './esp-events';
import {
  checkFresh,
  header,
  parseJsonField,
  parseWith,
  refuse,
  type WebhookProvider,
  type WebhookResult,
} from './webhook';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/**
 * SendGrid's verification key: base64 SPKI DER as its settings page shows it, or PEM. Throws
 * naming the variable so a bad key fails the start, not every webhook.
 */
export function sendgridPublicKey(text: string, variable: string): KeyObject {
  try {
    return text.includes('BEGIN')
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  } catch (err) {
    throw new PulseError('CONFIG_INVALID', `${variable} is not an ECDSA public key`, {
      cause: err,
    });
  }
}

const sendgridEvent = z.looseObject({
  email: z.string(),
  timestamp: z.number().finite(),
  event: z.string().min(1, 'must not be empty'),
  sg_event_id: z.string().min(1, 'must not be empty'),
  sg_message_id: z.string().optional(),
  url: z.string().optional(),
  reason: z.string().optional(),
  response: z.string().optional(),
  type: z.string().optional(),
  sg_machine_open: z.boolean().optional(),
});
const sendgridBody = z.array(sendgridEvent).max(10_000);

type SendgridEvent = z.infer<typeof sendgridEvent>;

const KINDS: Readonly<Record<string, EspEventKind>> = {
  delivered: 'delivered',
  open: 'opened',
  click: 'clicked',
  bounce: 'bounced',
  spamreport: 'spam',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
  dropped: 'dropped',
};

function toEspEvent(e: SendgridEvent, i: number): EspEvent | undefined {
  const kind = KINDS[e.event];
  if (!kind) return undefined;
  return {
    provider: 'sendgrid',
    providerEventId: e.sg_event_id,
    kind,
    occurredAt: Math.round(e.timestamp * 1000),
    email: e.email,
    emailField: `${i}.email`,
    tags: stringTags(e),
    messageId: e.sg_message_id ?? null,
    url: e.url ?? null,
    // SendGrid's `bounce` event has type `bounce` (permanent) or `blocked` (temporary).
    bounceType: kind === 'bounced' ? (e.type === 'blocked' ? 'soft' : 'hard') : null,
    reason: e.reason ?? e.response ?? null,
    suspectedMachine: kind === 'opened' ? (e.sg_machine_open ?? null) : null,
  };
}

/**
 * SendGrid Event Webhook: ECDSA P-256 / SHA-256 signature (base64 DER) over the timestamp header
 * followed by the raw body bytes; the body is a JSON array of events.
 */
export function sendgridProvider(options: {
  publicKey: KeyObject;
  maxAgeMs: number;
}): WebhookProvider {
  return {
    name: 'sendgrid',
    handle({ headers, body, now }): WebhookResult {
      const signature = header(headers, SENDGRID_SIGNATURE_HEADER);
      const timestamp = header(headers, SENDGRID_TIMESTAMP_HEADER);
      if (!signature || !timestamp) {
        const missing = signature ? SENDGRID_TIMESTAMP_HEADER : SENDGRID_SIGNATURE_HEADER;
        return refuse(401, 'missing_signature', `header ${missing} is missing`);
      }
      const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
      const valid = verify('sha256', signed, options.publicKey, Buffer.from(signature, 'base64'));
      if (!valid) {
        return refuse(403, 'invalid_signature', 'signature does not match timestamp + body');
      }
      const stale = checkFresh(Number(timestamp) * 1000, now, options.maxAgeMs);
      if (stale) return stale;
      const json = parseJsonField(body.toString('utf8'));
      if (!json.ok) return json;
      const parsed = parseWith(sendgridBody, json.value);
      if (!parsed.ok) return parsed;
      const events = parsed.value.map(toEspEvent);
      const known = events.filter((e): e is EspEvent => e !== undefined);
      return { ok: true, events: known, ignored: events.length - known.length };
    },
  };
}
