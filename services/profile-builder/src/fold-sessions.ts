import { unwrapPayload, type PulseEvent } from '@pulse/contracts';

/** The time an event shows the customer active on the site or app, as an interval (ms). */
export interface ActivitySpan {
  start: number;
  end: number;
}

/**
 * What an event says about web/app sessions: page and screen views, and the shopper's own track
 * events (product, cart and custom events, Checkout Started). A page view sent with
 * `time_on_page_ms` covers the time before it (the page-time script sends it when the visitor
 * leaves the page), so it spans `[t − time on page, t]`; every other event is the instant `t`.
 * Email events (the ESP's), Cart Abandoned (Pulse's own) and the other order events (store back
 * offices and imports, often with old dates) make no session.
 */
export function sessionSpan(event: PulseEvent): ActivitySpan | undefined {
  const t = event.occurredAt;
  const { name, value } = unwrapPayload(event.payload);
  if (event.kind === 'page' || event.kind === 'screen') {
    const onPage = name === 'PagePayload' ? value.time_on_page_ms : null;
    return { start: onPage !== null && onPage > 0 ? t - onPage : t, end: t };
  }
  if (event.kind !== 'track') return undefined;
  switch (name) {
    case 'ProductPayload':
    case 'CartPayload':
    case 'CustomPayload':
      return { start: t, end: t };
    case 'OrderPayload':
      return event.type === 'Checkout Started' ? { start: t, end: t } : undefined;
    default:
      return undefined;
  }
}
