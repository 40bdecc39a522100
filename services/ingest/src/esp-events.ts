import { EVENT_TYPES, type PulseEvent } from '@pulse/contracts';
import { emailEvent } from './email-event';
import { normalizeEmail } from './fields';
import { invalid, ok, type Result } from './problems';

/** What an ESP reported, in Pulse's words (each maps to one catalogue email event). */
export type EspEventKind =
  'delivered' | 'opened' | 'clicked' | 'bounced' | 'spam' | 'unsubscribed' | 'dropped';

export const ESP_EVENT_TYPES: { readonly [K in EspEventKind]: string } = {
  delivered: EVENT_TYPES.emailDelivered,
  opened: EVENT_TYPES.emailOpened,
  clicked: EVENT_TYPES.emailLinkClicked,
  bounced: EVENT_TYPES.emailBounced,
  spam: EVENT_TYPES.emailMarkedAsSpam,
  unsubscribed: EVENT_TYPES.emailUnsubscribed,
  dropped: EVENT_TYPES.emailDropped,
};

/**
 * The tags Pulse puts on every outgoing email (SendGrid `custom_args`, Mailgun `v:` variables,
 * Postmark `Metadata`, SES message tags); ESPs echo them back so an event attributes to a send.
 */
export const ESP_TAGS = {
  customer: 'pulse_customer_id',
  send: 'pulse_send_id',
  campaign: 'pulse_campaign_id',
  variant: 'pulse_variant',
} as const;

/** One provider event, normalized but not yet an events.v1 record. */
export interface EspEvent {
  provider: string;
  /** The provider's id of this event: the dedup key. */
  providerEventId: string;
  kind: EspEventKind;
  /** Epoch ms. */
  occurredAt: number;
  /** The recipient as the provider sent it (normalized in `toPulseEvent`). */
  email: unknown;
  /** Field the email came from, named in a problem (e.g. `0.email`). */
  emailField: string;
  tags: Readonly<Record<string, string>>;
  messageId?: string | null;
  url?: string | null;
  bounceType?: 'hard' | 'soft' | null;
  reason?: string | null;
  suspectedMachine?: boolean | null;
}

/** String values of `object` (numbers as text): the tags a provider echoed back. */
export function stringTags(object: unknown): Record<string, string> {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return {};
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'string') tags[key] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) tags[key] = String(value);
  }
  return tags;
}

/**
 * The events.v1 record of a provider event: id `<provider>:<event id>` (stable across the
 * provider's retries), keyed by the customer tag, else by the (normalized) recipient email.
 */
export function toPulseEvent(input: EspEvent, receivedAt: number): Result<PulseEvent> {
  const email = normalizeEmail(input.email, input.emailField);
  if (!email.ok) return email;
  if (email.value === null) return invalid(input.emailField, 'is required');
  const tag = (name: string) => input.tags[name] ?? null;
  return ok(
    emailEvent({
      id: `${input.provider}:${input.providerEventId}`,
      type: ESP_EVENT_TYPES[input.kind],
      source: input.provider,
      occurredAt: input.occurredAt,
      receivedAt,
      userId: tag(ESP_TAGS.customer),
      email: email.value,
      payload: {
        provider: input.provider,
        provider_event_id: input.providerEventId,
        send_id: tag(ESP_TAGS.send),
        campaign_id: tag(ESP_TAGS.campaign),
        variant: tag(ESP_TAGS.variant),
        message_id: input.messageId ?? null,
        url: input.url ?? null,
        bounce_type: input.bounceType ?? null,
        reason: input.reason ?? null,
        suspected_machine: input.suspectedMachine ?? null,
      },
    }),
  );
}
