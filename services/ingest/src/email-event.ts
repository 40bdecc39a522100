import { wrapPayload, type EmailPayload, type PulseEvent } from '@pulse/contracts';

/** Who an email event is about and what happened, before it becomes an events.v1 record. */
export interface EmailEventInput {
  id: string;
  type: string;
  source: string;
  occurredAt: number;
  receivedAt: number;
  userId: string | null;
  email: string | null;
  payload: Partial<EmailPayload> & { provider: string };
}

/** An email engagement event (EmailPayload, track kind, empty context). */
export function emailEvent(input: EmailEventInput): PulseEvent {
  const p = input.payload;
  return {
    id: input.id,
    type: input.type,
    kind: 'track',
    source: input.source,
    occurredAt: input.occurredAt,
    receivedAt: input.receivedAt,
    userId: input.userId,
    anonymousId: null,
    email: input.email,
    context: {
      page: null,
      userAgent: null,
      ip: null,
      locale: null,
      timezone: null,
      campaign: null,
    },
    payload: wrapPayload('EmailPayload', {
      send_id: p.send_id ?? null,
      message_id: p.message_id ?? null,
      campaign_id: p.campaign_id ?? null,
      variant: p.variant ?? null,
      provider: p.provider,
      provider_event_id: p.provider_event_id ?? null,
      url: p.url ?? null,
      bounce_type: p.bounce_type ?? null,
      reason: p.reason ?? null,
      suspected_machine: p.suspected_machine ?? null,
    }),
  };
}
