import { isCatalogEventType } from '@pulse/contracts';
import type { StateDump } from './dump';

export interface CartLine {
  productId: string;
  quantity: number;
  updatedAt: number;
  line: Record<string, unknown>;
}

export interface EventCount {
  count: number;
  lastAt: number | null;
}

/** A customer's profile without anything relative to "now": what change records carry. */
export interface ProfileState {
  customerId: string;
  version: number;
  identities: { userIds: string[]; anonymousIds: string[]; emails: string[] };
  firstSeenAt: number | null;
  lastSeenAt: number | null;
  traits: Record<string, unknown>;
  purchases: {
    orders: number;
    spent: number;
    averageOrderValue: number | null;
    firstPurchaseAt: number | null;
    lastPurchaseAt: number | null;
    discountedOrders: number;
    discountShare: number | null;
    itemsBought: number;
    products: string[];
    categories: Record<string, number>;
    /** UTC day number (ms / 86 400 000) → orders / spend that day. */
    ordersByDay: Record<string, number>;
    spendByDay: Record<string, number>;
  };
  browsing: {
    pageViews: number;
    productViews: number;
    timeOnPageMs: number;
    averageTimeOnPageMs: number | null;
    lastVisitAt: number | null;
    categories: Record<string, { views: number; lastSeenAt: number | null }>;
    /** product id → last viewed at (the last 24 h of event time, trimmed as newer views arrive) */
    recentProducts: Record<string, number>;
  };
  cart: {
    lines: CartLine[];
    value: number;
    lastActivityAt: number | null;
    checkoutStartedAt: number | null;
    abandonedAt: number | null;
  };
  wishlist: { productId: string; line: Record<string, unknown> }[];
  email: {
    delivered: number;
    opened: number;
    clicked: number;
    uniqueOpens: number;
    uniqueClicks: number;
    machineOpens: number;
    machineClicks: number;
    bounces: number;
    hardBounces: number;
    complaints: number;
    dropped: number;
    unsubscribed: boolean;
    lastOpenAt: number | null;
    lastClickAt: number | null;
    deliveredByDay: Record<string, number>;
    opensByDay: Record<string, number>;
    clicksByDay: Record<string, number>;
  };
  events: Record<string, EventCount>;
  customEvents: Record<string, EventCount>;
  /** category → Σ w·2^((t − epoch)/halfLife); see profile-view for the decayed score */
  affinityRaw: Record<string, number>;
}

const num = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
const time = (v: string | undefined): number | null => (v === undefined ? null : Number(v));

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {}; // JSON objects
}

function byPrefix(hash: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(hash))
    if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

function numbers(hash: Record<string, string>, prefix: string, scale = 1): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(byPrefix(hash, prefix))) out[k] = Number(v) / scale;
  return out;
}

function cartLines(cart: Record<string, string>): CartLine[] {
  return Object.entries(byPrefix(cart, 'q:'))
    .map(([productId, q]) => ({
      productId,
      quantity: Number(q),
      updatedAt: num(cart[`t:${productId}`]),
      line: asRecord(parseJson(cart[`d:${productId}`])),
    }))
    .filter((l) => l.quantity > 0)
    .sort((a, b) => a.productId.localeCompare(b.productId));
}

function eventCounts(
  p: Record<string, string>,
): [Record<string, EventCount>, Record<string, EventCount>] {
  const catalog: Record<string, EventCount> = {};
  const custom: Record<string, EventCount> = {};
  for (const [type, count] of Object.entries(byPrefix(p, 'ev:'))) {
    const entry = { count: Number(count), lastAt: time(p[`evAt:${type}`]) };
    (isCatalogEventType(type) ? catalog : custom)[type] = entry;
  }
  return [catalog, custom];
}

function purchases(d: StateDump): ProfileState['purchases'] {
  const { p } = d;
  const orders = num(p.orders);
  const spent = num(p.spentCents) / 100;
  return {
    orders,
    spent,
    averageOrderValue: orders > 0 ? Math.round((spent / orders) * 100) / 100 : null,
    firstPurchaseAt: time(p.firstPurchaseAt),
    lastPurchaseAt: time(p.lastPurchaseAt),
    discountedOrders: num(p.discountedOrders),
    discountShare: orders > 0 ? num(p.discountedOrders) / orders : null,
    itemsBought: num(p.itemsBought),
    products: d.bought,
    categories: numbers(d.cats, 'b:'),
    ordersByDay: numbers(d.days, 'o:'),
    spendByDay: numbers(d.days, 's:', 100),
  };
}

function browsing(d: StateDump): ProfileState['browsing'] {
  const { p } = d;
  const categories: ProfileState['browsing']['categories'] = {};
  for (const [cat, views] of Object.entries(numbers(d.cats, 'v:'))) {
    categories[cat] = { views, lastSeenAt: time(d.cats[`l:${cat}`]) };
  }
  const timed = num(p.timedPages);
  return {
    pageViews: num(p.pageViews),
    productViews: num(p.productViews),
    timeOnPageMs: num(p.timeOnPageMs),
    averageTimeOnPageMs: timed > 0 ? Math.round(num(p.timeOnPageMs) / timed) : null,
    lastVisitAt: time(p.lastVisitAt),
    categories,
    recentProducts: d.recent,
  };
}

function email(d: StateDump): ProfileState['email'] {
  const { p } = d;
  return {
    delivered: num(p.emailDelivered),
    opened: num(p.emailOpened),
    clicked: num(p.emailClicked),
    uniqueOpens: d.opened.count,
    uniqueClicks: d.clicked.count,
    machineOpens: num(p.emailMachineOpened),
    machineClicks: num(p.emailMachineClicked),
    bounces: num(p.emailBounced),
    hardBounces: num(p.emailHardBounced),
    complaints: num(p.emailComplaints),
    dropped: num(p.emailDropped),
    unsubscribed: p.unsubscribed === 'true',
    lastOpenAt: time(p.lastOpenAt),
    lastClickAt: time(p.lastClickAt),
    deliveredByDay: numbers(d.days, 'ed:'),
    opensByDay: numbers(d.days, 'eo:'),
    clicksByDay: numbers(d.days, 'ec:'),
  };
}

/** Reads a snapshot dump into the profile (pure). */
export function profileState(customerId: string, version: number, d: StateDump): ProfileState {
  const lines = cartLines(d.cart);
  const traits: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(byPrefix(d.p, 't.'))) traits[name] = parseJson(text);
  const [events, customEvents] = eventCounts(d.p);
  const wishlist = Object.entries(byPrefix(d.wish, 'q:'))
    .filter(([, on]) => on === '1')
    .map(([productId]) => ({ productId, line: asRecord(parseJson(d.wish[`d:${productId}`])) }))
    .sort((a, b) => a.productId.localeCompare(b.productId));
  const idsOf = (kind: string) =>
    d.ids.filter((i) => i.startsWith(`${kind}:`)).map((i) => i.slice(2));
  return {
    customerId,
    version,
    identities: { userIds: idsOf('u'), anonymousIds: idsOf('a'), emails: idsOf('e') },
    firstSeenAt: time(d.p.firstSeenAt),
    lastSeenAt: time(d.p.lastSeenAt),
    traits,
    purchases: purchases(d),
    browsing: browsing(d),
    cart: {
      lines,
      value:
        Math.round(lines.reduce((s, l) => s + Number(l.line.price ?? 0) * l.quantity, 0) * 100) /
        100,
      lastActivityAt: time(d.p.lastCartAt),
      checkoutStartedAt: time(d.p.checkoutStartedAt),
      abandonedAt: time(d.p.cartAbandonedAt),
    },
    wishlist,
    email: email(d),
    events,
    customEvents,
    affinityRaw: numbers(d.cats, 'a:'),
  };
}
