import { wrapPayload, type EmailPayload, type PulseEvent } from '@pulse/contracts';

/** Who an email event is about and what happened, before it becomes an events.v1 record. */
export interface EmailEventInput {
  id: string;
  type: string;
  source: string;
  occurredAt: number;
  receivedAt: number;
  /** The customer as the renderer names it: a canonical id (`u:42`), or a plain userId. */
  userId: string | null;
  email: string | null;
  payload: Partial<EmailPayload> & { provider: string };
}

/**
 * The ids of a customer named the way the renderer names them in tracking tokens and ESP tags:
 * canonical ids `u:<userId>`, `a:<anonymousId>`, `e:<email>` (profile-builder's); anything else
 * is taken as a userId. Without this an open of `u:42` would fold into a new customer `u:u:42`.
 */
export function customerIds(id: string | null): {
  userId: string | null;
  anonymousId: string | null;
  email: string | null;
} {
  const none = { userId: null, anonymousId: null, email: null };
  if (id === null || id === '') return none;
  const rest = id.slice(2);
  if (rest !== '' && id.startsWith('u:')) return { ...none, userId: rest };
  if (rest !== '' && id.startsWith('a:')) return { ...none, anonymousId: rest };
  if (rest !== '' && id.startsWith('e:')) return { ...none, email: rest };
  return { ...none, userId: id };
}

/** An email engagement event (EmailPayload, track kind, empty context). */
export function emailEvent(input: EmailEventInput): PulseEvent {
  const p = input.payload;
  const ids = customerIds(input.userId);
  return {
    id: input.id,
    type: input.type,
    kind: 'track',
    source: input.source,
    occurredAt: input.occurredAt,
    receivedAt: input.receivedAt,
    userId: ids.userId,
    anonymousId: ids.anonymousId,
    email: input.email ?? ids.email,
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
