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
  /** When Pulse first received anything of this customer (earliest receivedAt folded). */
  knownSince: number | null;
  traits: Record<string, unknown>;
  purchases: {
    orders: number;
    /** Lifetime value: completed orders' totals, less cancelled orders and refunds. */
    spent: number;
    refunds: number;
    refunded: number;
    cancelledOrders: number;
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
    /** Web sessions (PROFILE_WEB_SESSION_GAP of inactivity ends one), all time. */
    sessions: number;
    /** Time on site: the sessions' durations summed, ms. */
    timeOnSiteMs: number;
    firstSessionAt: number | null;
    /** Start of the latest session. */
    lastSessionAt: number | null;
    /** UTC day number → sessions started that day / their time on site (ms). */
    sessionsByDay: Record<string, number>;
    timeOnSiteByDay: Record<string, number>;
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

interface Split {
  traits: Record<string, unknown>;
  events: Record<string, EventCount>;
  customEvents: Record<string, EventCount>;
  ordersByDay: Record<string, number>;
  spendByDay: Record<string, number>;
  deliveredByDay: Record<string, number>;
  opensByDay: Record<string, number>;
  clicksByDay: Record<string, number>;
  sessionsByDay: Record<string, number>;
  timeOnSiteByDay: Record<string, number>;
  bought: Record<string, number>;
  categories: Record<string, { views: number; lastSeenAt: number | null }>;
  affinityRaw: Record<string, number>;
}

// One pass over each hash (this runs for every change record, so no per-prefix scans).
function split(d: StateDump): Split {
  const out: Split = {
    traits: {},
    events: {},
    customEvents: {},
    ordersByDay: {},
    spendByDay: {},
    deliveredByDay: {},
    opensByDay: {},
    clicksByDay: {},
    sessionsByDay: {},
    timeOnSiteByDay: {},
    bought: {},
    categories: {},
    affinityRaw: {},
  };
  const { p } = d;
  for (const k in p) {
    const c = k.charCodeAt(0);
    if (c === 116 /* t */ && k.charCodeAt(1) === 46 /* . */) {
      out.traits[k.slice(2)] = parseJson(p[k]);
    } else if (c === 101 /* e */ && k.startsWith('ev:')) {
      const type = k.slice(3);
      const entry = { count: Number(p[k]), lastAt: time(p[`evAt:${type}`]) };
      (isCatalogEventType(type) ? out.events : out.customEvents)[type] = entry;
    }
  }
  const { days } = d;
  for (const k in days) {
    const colon = k.indexOf(':');
    if (colon < 0) continue;
    const day = k.slice(colon + 1);
    const v = Number(days[k]);
    switch (k.slice(0, colon)) {
      case 'o':
        out.ordersByDay[day] = v;
        break;
      case 's':
        out.spendByDay[day] = v / 100;
        break;
      case 'ed':
        out.deliveredByDay[day] = v;
        break;
      case 'eo':
        out.opensByDay[day] = v;
        break;
      case 'ec':
        out.clicksByDay[day] = v;
        break;
      case 'ss':
        out.sessionsByDay[day] = v;
        break;
      case 'sm':
        out.timeOnSiteByDay[day] = v;
        break;
    }
  }
  const { cats } = d;
  for (const k in cats) {
    if (k.charCodeAt(1) !== 58 /* : */) continue;
    const name = k.slice(2);
    switch (k.charCodeAt(0)) {
      case 98 /* b */:
        out.bought[name] = Number(cats[k]);
        break;
      case 118 /* v */:
        out.categories[name] = { views: Number(cats[k]), lastSeenAt: time(cats[`l:${name}`]) };
        break;
      case 97 /* a */:
        out.affinityRaw[name] = Number(cats[k]);
        break;
    }
  }
  return out;
}

function cartLines(cart: Record<string, string>): CartLine[] {
  const lines: CartLine[] = [];
  for (const k in cart) {
    if (!k.startsWith('q:')) continue;
    const quantity = Number(cart[k]);
    if (!(quantity > 0)) continue;
    const productId = k.slice(2);
    lines.push({
      productId,
      quantity,
      updatedAt: num(cart[`t:${productId}`]),
      line: asRecord(parseJson(cart[`d:${productId}`])),
    });
  }
  return lines.sort((a, b) => a.productId.localeCompare(b.productId));
}

function purchases(d: StateDump, s: Split): ProfileState['purchases'] {
  const { p } = d;
  const orders = num(p.orders);
  // Lifetime value is net of refunds; cancelled orders were taken out of orders and spend.
  const spent = (num(p.spentCents) - num(p.refundedCents)) / 100;
  return {
    orders,
    spent,
    refunds: num(p.refunds),
    refunded: num(p.refundedCents) / 100,
    cancelledOrders: num(p.cancelledOrders),
    averageOrderValue: orders > 0 ? Math.round((spent / orders) * 100) / 100 : null,
    firstPurchaseAt: time(p.firstPurchaseAt),
    lastPurchaseAt: time(p.lastPurchaseAt),
    discountedOrders: num(p.discountedOrders),
    discountShare: orders > 0 ? num(p.discountedOrders) / orders : null,
    itemsBought: num(p.itemsBought),
    products: d.bought,
    categories: s.bought,
    ordersByDay: s.ordersByDay,
    spendByDay: s.spendByDay,
  };
}

function browsing(d: StateDump, s: Split): ProfileState['browsing'] {
  const { p } = d;
  const timed = num(p.timedPages);
  return {
    pageViews: num(p.pageViews),
    productViews: num(p.productViews),
    timeOnPageMs: num(p.timeOnPageMs),
    averageTimeOnPageMs: timed > 0 ? Math.round(num(p.timeOnPageMs) / timed) : null,
    lastVisitAt: time(p.lastVisitAt),
    categories: s.categories,
    recentProducts: d.recent,
    sessions: num(p.sessions),
    timeOnSiteMs: num(p.sessionMs),
    firstSessionAt: time(p.firstSessionAt),
    lastSessionAt: lastSessionStart(d.sessions),
    sessionsByDay: s.sessionsByDay,
    timeOnSiteByDay: s.timeOnSiteByDay,
  };
}

/** The latest kept session's start (sessions are disjoint: the greatest start). */
export function lastSessionStart(sessions: Readonly<Record<string, number>>): number | null {
  let last: number | null = null;
  for (const start in sessions) if (last === null || Number(start) > last) last = Number(start);
  return last;
}

function email(d: StateDump, s: Split): ProfileState['email'] {
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
    deliveredByDay: s.deliveredByDay,
    opensByDay: s.opensByDay,
    clicksByDay: s.clicksByDay,
  };
}

/** Reads a snapshot dump into the profile (pure). */
export function profileState(customerId: string, version: number, d: StateDump): ProfileState {
  const s = split(d);
  const lines = cartLines(d.cart);
  const wishlist: ProfileState['wishlist'] = [];
  for (const k in d.wish) {
    if (!k.startsWith('q:') || d.wish[k] !== '1') continue;
    const productId = k.slice(2);
    wishlist.push({ productId, line: asRecord(parseJson(d.wish[`d:${productId}`])) });
  }
  wishlist.sort((a, b) => a.productId.localeCompare(b.productId));
  const userIds: string[] = [];
  const anonymousIds: string[] = [];
  const emails: string[] = [];
  for (const id of d.ids) {
    if (id.startsWith('u:')) userIds.push(id.slice(2));
    else if (id.startsWith('a:')) anonymousIds.push(id.slice(2));
    else if (id.startsWith('e:')) emails.push(id.slice(2));
  }
  let cartValue = 0;
  for (const l of lines) cartValue += Number(l.line.price ?? 0) * l.quantity;
  return {
    customerId,
    version,
    identities: { userIds, anonymousIds, emails },
    firstSeenAt: time(d.p.firstSeenAt),
    lastSeenAt: time(d.p.lastSeenAt),
    knownSince: time(d.p.knownSince),
    traits: s.traits,
    purchases: purchases(d, s),
    browsing: browsing(d, s),
    cart: {
      lines,
      value: Math.round(cartValue * 100) / 100,
      lastActivityAt: time(d.p.lastCartAt),
      checkoutStartedAt: time(d.p.checkoutStartedAt),
      abandonedAt: time(d.p.cartAbandonedAt),
    },
    wishlist,
    email: email(d, s),
    events: s.events,
    customEvents: s.customEvents,
    affinityRaw: s.affinityRaw,
  };
}
