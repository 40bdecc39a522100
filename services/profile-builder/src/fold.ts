import {
  isCatalogEventType,
  unwrapPayload,
  type EmailPayload,
  type IdentifyPayload,
  type ProductLine,
  type PulseEvent,
} from '@pulse/contracts';
import { Delta, categoryAffinity, productKey } from './delta';
import {
  AFFINITY_WEIGHTS,
  DAY_METRICS,
  DEFAULT_SESSION_GAP_MS,
  RECENT_PRODUCTS_MS,
  utcDay,
  type FoldOptions,
} from './fold-options';
import { orderCompleted, orderReversed, orderUpdated } from './fold-orders';
import { sessionSpan } from './fold-sessions';
import { normalizeEmail } from './identity-ids';
import type { Op } from './ops';
import { validateEvent, type EventProblem } from './validate-event';

/** An event as changes to its customer's state, or why it cannot be folded. */
export type FoldResult =
  { ok: true; ops: Op[]; changed: string[] } | { ok: false; problems: EventProblem[] };

function lineJson(line: ProductLine): string {
  const { product_id, sku, name, category, brand, variant, price, currency, url, image_url } = line;
  return JSON.stringify({
    product_id,
    sku,
    name,
    category,
    brand,
    variant,
    price,
    currency,
    url,
    image_url,
  });
}

function visit(d: Delta): void {
  d.add('aggregates.browsing', { op: 'max', key: 'p', field: 'lastVisitAt', value: d.at });
}

function productViewed(d: Delta, line: ProductLine, o: FoldOptions): void {
  visit(d);
  d.add('aggregates.browsing', { op: 'incr', key: 'p', field: 'productViews', by: 1 });
  const pid = productKey(line);
  if (pid) {
    d.add(
      'aggregates.browsing',
      { op: 'zmax', key: 'recent', member: pid, score: d.at },
      { op: 'ztrim', key: 'recent', below: d.at - RECENT_PRODUCTS_MS },
    );
  }
  if (line.category) {
    d.add('aggregates.categories', { op: 'incr', key: 'cats', field: `v:${line.category}`, by: 1 });
    categoryAffinity(d, line.category, AFFINITY_WEIGHTS.view, o);
  }
}

function cartChange(d: Delta, line: ProductLine, sign: 1 | -1, o: FoldOptions): void {
  const pid = productKey(line);
  d.add('aggregates.cart', { op: 'max', key: 'p', field: 'lastCartAt', value: d.at });
  if (!pid) return;
  const qty = sign * (line.quantity ?? 1);
  d.add(
    'aggregates.cart',
    { op: 'cartAdd', productId: pid, qty, at: d.at },
    { op: 'lww', key: 'cart', field: `d:${pid}`, value: lineJson(line), at: d.at },
  );
  if (sign > 0 && line.category) categoryAffinity(d, line.category, AFFINITY_WEIGHTS.cart, o);
}

function wishlistChange(d: Delta, line: ProductLine, on: boolean, o: FoldOptions): void {
  const pid = productKey(line);
  if (!pid) return;
  d.add(
    'aggregates.wishlist',
    { op: 'lww', key: 'wish', field: `q:${pid}`, value: on ? '1' : '0', at: d.at },
    { op: 'lww', key: 'wish', field: `d:${pid}`, value: lineJson(line), at: d.at },
  );
  if (on && line.category) categoryAffinity(d, line.category, AFFINITY_WEIGHTS.wishlist, o);
}

/** Opens and clicks fold alike: counters (human or machine), unique sends, last time, daily bucket. */
const ENGAGEMENT = {
  'Email Opened': {
    human: 'emailOpened',
    machine: 'emailMachineOpened',
    uniqueSet: 'eopen',
    lastAt: 'lastOpenAt',
    metric: 'eo',
  },
  'Email Link Clicked': {
    human: 'emailClicked',
    machine: 'emailMachineClicked',
    uniqueSet: 'eclick',
    lastAt: 'lastClickAt',
    metric: 'ec',
  },
} as const;

function emailEvent(d: Delta, event: PulseEvent, email: EmailPayload): void {
  const send = email.send_id ?? email.message_id ?? event.id;
  const day = utcDay(d.at);
  const path = 'aggregates.email';
  const human = email.suspected_machine !== true;
  switch (event.type) {
    case 'Email Delivered':
      d.add(
        path,
        { op: 'incr', key: 'p', field: 'emailDelivered', by: 1 },
        { op: 'dayIncr', metric: 'ed', day, by: 1 },
      );
      break;
    case 'Email Opened':
    case 'Email Link Clicked': {
      const e = ENGAGEMENT[event.type];
      d.add(path, { op: 'incr', key: 'p', field: human ? e.human : e.machine, by: 1 });
      if (human) {
        d.add(
          path,
          { op: 'sadd', key: e.uniqueSet, member: send },
          { op: 'max', key: 'p', field: e.lastAt, value: d.at },
        );
        d.add(path, { op: 'dayIncr', metric: e.metric, day, by: 1 });
      }
      break;
    }
    case 'Email Bounced':
      d.add(path, { op: 'incr', key: 'p', field: 'emailBounced', by: 1 });
      if (email.bounce_type === 'hard')
        d.add(path, { op: 'incr', key: 'p', field: 'emailHardBounced', by: 1 });
      break;
    case 'Email Marked as Spam':
      d.add(path, { op: 'incr', key: 'p', field: 'emailComplaints', by: 1 });
      break;
    case 'Email Unsubscribed':
      d.add(path, { op: 'lww', key: 'p', field: 'unsubscribed', value: 'true', at: d.at });
      break;
    default:
      d.add(path, { op: 'incr', key: 'p', field: 'emailDropped', by: 1 });
  }
}

const TRAIT_FIELDS = [
  'email',
  'first_name',
  'last_name',
  'phone',
  'birthdate',
  'gender',
  'country',
  'region',
  'city',
  'postal_code',
  'income_band',
  'locale',
  'timezone',
] as const;

function trait(d: Delta, name: string, value: unknown): void {
  d.add(`traits.${name}`, {
    op: 'lww',
    key: 'p',
    field: `t.${name}`,
    value: JSON.stringify(value),
    at: d.at,
  });
}

function identify(d: Delta, traits: IdentifyPayload): void {
  for (const name of TRAIT_FIELDS) {
    const value = traits[name];
    if (value !== null) trait(d, name, name === 'email' ? normalizeEmail(value) : value);
  }
  if (traits.email !== null) d.changed.add('email');
  const consent = traits.consent;
  if (consent) {
    for (const [name, value] of Object.entries(consent)) {
      if (value !== null) trait(d, `consent_${name}`, value);
    }
  }
  for (const [name, value] of Object.entries(parseObject(traits.extra))) trait(d, name, value);
}

function parseObject(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>) // a JSON object parses to a plain record
      : {};
  } catch {
    return {};
  }
}

function trackEvent(d: Delta, event: PulseEvent, o: FoldOptions): EventProblem[] {
  d.add(
    isCatalogEventType(event.type) ? 'aggregates.events' : 'aggregates.custom',
    { op: 'incr', key: 'p', field: `ev:${event.type}`, by: 1 },
    { op: 'max', key: 'p', field: `evAt:${event.type}`, value: d.at },
  );
  const { name, value } = unwrapPayload(event.payload);
  if (name === 'ProductPayload') {
    switch (event.type) {
      case 'Product Viewed':
        productViewed(d, value.product, o);
        break;
      case 'Product Clicked':
        if (value.product.category)
          categoryAffinity(d, value.product.category, AFFINITY_WEIGHTS.click, o);
        break;
      case 'Product Added':
        cartChange(d, value.product, 1, o);
        break;
      case 'Product Removed':
        cartChange(d, value.product, -1, o);
        break;
      case 'Product Added to Wishlist':
        wishlistChange(d, value.product, true, o);
        break;
      case 'Product Removed from Wishlist':
        wishlistChange(d, value.product, false, o);
        break;
    }
  } else if (name === 'CartPayload') {
    d.add('aggregates.cart', { op: 'max', key: 'p', field: 'lastCartAt', value: d.at });
  } else if (name === 'OrderPayload') {
    if (event.type === 'Order Completed') return orderCompleted(d, event, value, o);
    if (event.type === 'Order Refunded' || event.type === 'Order Cancelled')
      return orderReversed(d, event, value, o);
    if (event.type === 'Order Updated') return orderUpdated(d, value, o);
    if (event.type === 'Checkout Started') {
      d.add(
        'aggregates.cart',
        { op: 'max', key: 'p', field: 'checkoutStartedAt', value: d.at },
        { op: 'max', key: 'p', field: 'lastCartAt', value: d.at },
      );
    }
  } else if (name === 'CartAbandonedPayload') {
    d.add('aggregates.cart', { op: 'max', key: 'p', field: 'cartAbandonedAt', value: d.at });
  } else if (name === 'EmailPayload') {
    emailEvent(d, event, value);
  }
  return [];
}

function pageEvent(d: Delta, event: PulseEvent, o: FoldOptions): void {
  visit(d);
  d.add('aggregates.browsing', { op: 'incr', key: 'p', field: 'pageViews', by: 1 });
  const page = unwrapPayload(event.payload);
  if (page.name !== 'PagePayload') return;
  if (page.value.time_on_page_ms !== null && page.value.time_on_page_ms >= 0) {
    d.add(
      'aggregates.browsing',
      { op: 'incr', key: 'p', field: 'timeOnPageMs', by: page.value.time_on_page_ms },
      { op: 'incr', key: 'p', field: 'timedPages', by: 1 },
    );
  }
  if (page.value.category) {
    d.add('aggregates.categories', {
      op: 'incr',
      key: 'cats',
      field: `v:${page.value.category}`,
      by: 1,
    });
    categoryAffinity(d, page.value.category, AFFINITY_WEIGHTS.view, o);
  }
}

const GUARDS = new Set<Op['op']>(['guard', 'orderComplete', 'orderRefund', 'orderCancel']);
const isGuard = (op: Op): boolean => GUARDS.has(op.op);
const writesDays = (op: Op): boolean =>
  op.op === 'dayIncr' ||
  op.op === 'orderComplete' ||
  op.op === 'orderCancel' ||
  op.op === 'orderUpdate' ||
  op.op === 'session';

/** The change path of the `knownSince` value (a trait of the snapshot, see snapshot.ts). */
export const KNOWN_SINCE_PATH = 'traits.knownSince';

/**
 * The fold: one event as order-independent changes to its customer's state (pure; no clock —
 * every time comes from the event). Identity links (identify/alias) are resolved by the caller;
 * this only folds what the event says about the customer.
 */
export function foldEvent(event: PulseEvent, options: FoldOptions): FoldResult {
  const problems = validateEvent(event);
  if (problems.length > 0) return { ok: false, problems };
  const d = new Delta(event.occurredAt);
  // Tenure by when Pulse received it, not by the event's (maybe imported, old) time.
  d.add(KNOWN_SINCE_PATH, { op: 'knownSince', at: event.receivedAt });
  d.add('firstSeenAt', { op: 'min', key: 'p', field: 'firstSeenAt', value: d.at });
  d.add('lastSeenAt', { op: 'max', key: 'p', field: 'lastSeenAt', value: d.at });
  const payload = unwrapPayload(event.payload);
  if (event.kind === 'track') {
    const more = trackEvent(d, event, options);
    if (more.length > 0) return { ok: false, problems: more };
  } else if (event.kind === 'page' || event.kind === 'screen') {
    pageEvent(d, event, options);
  } else if (payload.name === 'IdentifyPayload') {
    identify(d, payload.value);
  } else if (payload.name === 'GroupPayload') {
    trait(d, 'group', { group_id: payload.value.group_id, name: payload.value.name });
  }
  const span = sessionSpan(event);
  if (span) {
    const gapMs = options.sessionGapMs ?? DEFAULT_SESSION_GAP_MS;
    d.add('aggregates.browsing', { op: 'session', ...span, gapMs });
  }
  const trimBelow = utcDay(d.at) - options.bucketDays;
  if (d.ops.some(writesDays)) {
    d.ops.push({ op: 'dayTrim', metrics: DAY_METRICS, below: trimBelow });
  }
  // Guards go first (after the idempotent enrichments): a change already counted must skip
  // every other op of its event.
  const ops = [...d.first, ...d.ops.filter(isGuard), ...d.ops.filter((op) => !isGuard(op))];
  return { ok: true, ops, changed: [...d.changed].sort() };
}
