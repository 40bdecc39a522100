import { z } from 'zod';
import { looksAutomated } from './email-tracking';
import type { EspEvent, EspEventKind } from './esp-events';
import { parseWith, type WebhookResult } from './webhook';

const isoDate = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 date-time');
const recipients = z.array(
  z.looseObject({ emailAddress: z.string(), diagnosticCode: z.string().optional() }),
);

/** An SES event (event publishing `eventType`, or a classic `notificationType` notification). */
const sesEvent = z.looseObject({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z.looseObject({
    messageId: z.string().min(1, 'must not be empty'),
    timestamp: isoDate,
    destination: z.array(z.string()).default([]),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
  delivery: z.looseObject({ timestamp: isoDate, recipients: z.array(z.string()) }).optional(),
  bounce: z
    .looseObject({ timestamp: isoDate, bounceType: z.string(), bouncedRecipients: recipients })
    .optional(),
  complaint: z.looseObject({ timestamp: isoDate, complainedRecipients: recipients }).optional(),
  open: z.looseObject({ timestamp: isoDate, userAgent: z.string().optional() }).optional(),
  click: z
    .looseObject({ timestamp: isoDate, link: z.string(), userAgent: z.string().optional() })
    .optional(),
  reject: z.looseObject({ reason: z.string().optional() }).optional(),
  subscription: z
    .looseObject({
      timestamp: isoDate,
      newTopicPreferences: z.looseObject({ unsubscribeAll: z.boolean().optional() }).optional(),
    })
    .optional(),
});

type SesEvent = z.infer<typeof sesEvent>;

interface Occurrence {
  kind: EspEventKind;
  at: string;
  /** Recipients with their field names and per-recipient reason. */
  to: { email: string; field: string; reason?: string | undefined }[];
  url?: string;
  bounceType?: 'hard' | 'soft';
  reason?: string;
  machine?: boolean;
}

const destinations = (e: SesEvent) =>
  e.mail.destination.map((email, i) => ({ email, field: `Message.mail.destination.${i}` }));

/** What happened, to whom; undefined for SES events Pulse does not track (Send, DeliveryDelay...). */
function occurrence(e: SesEvent): Occurrence | undefined | string {
  const type = e.eventType ?? e.notificationType;
  const missing = (field: string) => `Message.${field}`;
  switch (type) {
    case 'Delivery':
      if (!e.delivery) return missing('delivery');
      return {
        kind: 'delivered',
        at: e.delivery.timestamp,
        to: e.delivery.recipients.map((email, i) => ({
          email,
          field: `Message.delivery.recipients.${i}`,
        })),
      };
    case 'Bounce':
      if (!e.bounce) return missing('bounce');
      return {
        kind: 'bounced',
        at: e.bounce.timestamp,
        bounceType: e.bounce.bounceType === 'Permanent' ? 'hard' : 'soft',
        to: e.bounce.bouncedRecipients.map((r, i) => ({
          email: r.emailAddress,
          field: `Message.bounce.bouncedRecipients.${i}.emailAddress`,
          reason: r.diagnosticCode,
        })),
      };
    case 'Complaint':
      if (!e.complaint) return missing('complaint');
      return {
        kind: 'spam',
        at: e.complaint.timestamp,
        to: e.complaint.complainedRecipients.map((r, i) => ({
          email: r.emailAddress,
          field: `Message.complaint.complainedRecipients.${i}.emailAddress`,
        })),
      };
    case 'Open':
      if (!e.open) return missing('open');
      return {
        kind: 'opened',
        at: e.open.timestamp,
        to: destinations(e),
        machine: looksAutomated('GET', e.open.userAgent),
      };
    case 'Click':
      if (!e.click) return missing('click');
      return {
        kind: 'clicked',
        at: e.click.timestamp,
        to: destinations(e),
        url: e.click.link,
        machine: looksAutomated('GET', e.click.userAgent),
      };
    case 'Reject':
      return {
        kind: 'dropped',
        at: e.mail.timestamp,
        to: destinations(e),
        reason: e.reject?.reason ?? 'rejected',
      };
    case 'Subscription':
      if (!e.subscription?.newTopicPreferences?.unsubscribeAll) return undefined;
      return { kind: 'unsubscribed', at: e.subscription.timestamp, to: destinations(e) };
    default:
      return undefined;
  }
}

/** First value of each SES message tag (tags are `{name: [values]}`). */
function tagsOf(e: SesEvent): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, values] of Object.entries(e.mail.tags ?? {})) {
    if (values[0] !== undefined) tags[key] = values[0];
  }
  // SES tag values allow only [A-Za-z0-9_-]: the renderer sends the customer id (`u:42`)
  // base64url-encoded under its own name.
  const encoded = tags.pulse_customer_b64;
  if (encoded !== undefined && tags.pulse_customer_id === undefined) {
    tags.pulse_customer_id = Buffer.from(encoded, 'base64url').toString('utf8');
  }
  return tags;
}

/**
 * The email events in an SES notification (the SNS `Message`), one per recipient; ids are the
 * SNS MessageId (stable across SNS retries) with the recipient's index.
 */
export function sesEvents(message: unknown, snsMessageId: string): WebhookResult {
  const parsed = parseWith(sesEvent, message, 'Message');
  if (!parsed.ok) return parsed;
  const e = parsed.value;
  const what = occurrence(e);
  if (what === undefined) return { ok: true, events: [], ignored: 1 };
  if (typeof what === 'string') {
    return {
      ok: false,
      refusal: {
        status: 400,
        error: 'invalid_field',
        field: what,
        reason: 'is required for this event type',
      },
    };
  }
  const tags = tagsOf(e);
  const events: EspEvent[] = what.to.map((to, i) => ({
    provider: 'ses',
    providerEventId: `${snsMessageId}:${i}`,
    kind: what.kind,
    occurredAt: Date.parse(what.at),
    email: to.email,
    emailField: to.field,
    tags,
    messageId: e.mail.messageId,
    url: what.url ?? null,
    bounceType: what.bounceType ?? null,
    reason: to.reason ?? what.reason ?? null,
    suspectedMachine: what.machine ?? null,
  }));
  return { ok: true, events, ignored: 0 };
}
