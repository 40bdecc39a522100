import { EVENT_TYPES } from '@pulse/contracts';

/**
 * How far a source is trusted. A browser writeKey is public, so its source may send only what a
 * page may legitimately send; server keys are secret and trusted.
 */
export type Trust = 'browser' | 'server';

/** Names a source may send: every name, or exact names plus `Prefix *` patterns. */
export type AllowList =
  | { readonly any: true }
  | {
      readonly any: false;
      readonly exact: ReadonlySet<string>;
      readonly prefixes: readonly string[];
    };

/**
 * Property keys a source may send on its track events, per event: an event's own entry is its
 * whole list, else the longest `Prefix *` entry it matches, else the `'*'` entry (`other`); an
 * event none of them covers may carry no properties. Entries do not add up: the most specific
 * one wins, so a narrow entry is never widened by a broad one. Page and screen calls have
 * entries of their own ({@link PAGE_CALLS}), and `products[]` lists the keys of each `products`
 * entry; neither is covered by `'*'` or a pattern, and each is open (any key) when unset.
 */
export interface PropertyRules {
  readonly byEvent: ReadonlyMap<string, AllowList>;
  /** `Prefix *` entries, longest prefix first (the first match is the most specific). */
  readonly byPrefix: readonly { readonly prefix: string; readonly list: AllowList }[];
  /** The `'*'` entry; undefined: the rules list no `'*'`, so unlisted events carry nothing. */
  readonly other: AllowList | undefined;
  /** The `page` / `screen` entries: keys of those calls' properties; a call without one: any. */
  readonly byCall?: Readonly<Partial<Record<PageCall, AllowList>>>;
  /** The `products[]` entry: keys of each entry of a `properties.products` list; unset: any. */
  readonly productFields?: AllowList | undefined;
}

/** Call types whose properties have an entry of their own, named by the call type. */
export const PAGE_CALLS = ['page', 'screen'] as const;
export type PageCall = (typeof PAGE_CALLS)[number];

/** The `properties` key of the `products[]` entry (no track event is named so). */
export const PRODUCT_FIELDS_KEY = 'products[]';

/** A token bucket: `perSecond` events refill it, up to `burst`. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** What one source may send (config/sources.yaml), on top of the hard rules below. */
export interface SourcePolicy {
  /** Segment call types (`track`, `page`, `identify`, ...). */
  readonly calls: AllowList;
  /** Track event names. */
  readonly events: AllowList;
  /** Keys of identify `traits` and of `context.traits` on any call. */
  readonly traits: AllowList;
  /** Top-level keys of track `properties`, per event. */
  readonly properties: PropertyRules;
  /** Events per second per writeKey; null = no limit (`rate: unlimited`). */
  readonly rate: RateLimit | null;
}

/** Track events no outside sender may send: the cart-abandonment timer emits these. */
export const INTERNAL_ONLY: ReadonlySet<string> = new Set([EVENT_TYPES.cartAbandoned]);

/**
 * Track events a public (browser) writeKey may never send, whatever its config says: they would
 * forge orders (revenue, RFM, VIP segments) or email state (an unsubscribe of someone else).
 */
export const BROWSER_NEVER_EVENTS: ReadonlySet<string> = new Set([
  EVENT_TYPES.orderCompleted,
  EVENT_TYPES.orderUpdated,
  EVENT_TYPES.orderRefunded,
  EVENT_TYPES.orderCancelled,
  EVENT_TYPES.emailDelivered,
  EVENT_TYPES.emailOpened,
  EVENT_TYPES.emailLinkClicked,
  EVENT_TYPES.emailBounced,
  EVENT_TYPES.emailMarkedAsSpam,
  EVENT_TYPES.emailUnsubscribed,
  EVENT_TYPES.emailDropped,
]);

/**
 * Traits a browser writeKey may never send: profile-builder merges customers by email, so a
 * public key sending `traits.email` could join a stranger's browser to someone else's profile.
 */
export const BROWSER_NEVER_TRAITS: ReadonlySet<string> = new Set(['email']);

export const ANY: AllowList = { any: true };

/** Nothing allowed (an event no properties entry covers). */
export const NONE: AllowList = { any: false, exact: new Set(), prefixes: [] };

/** Any property on any event (sources without a `properties` entry). */
export const ANY_PROPERTIES: PropertyRules = { byEvent: new Map(), byPrefix: [], other: ANY };

/** Policies of sources config/sources.yaml does not list, by trust. */
export const BUILT_IN_DEFAULTS: Readonly<Record<Trust, SourcePolicy>> = {
  // A browser key is shared by every visitor of the site: its limit bounds what one leaked
  // (public) key can inject, so it is sized for a site's whole traffic, not one visitor.
  browser: {
    calls: ANY,
    events: ANY,
    traits: ANY,
    properties: ANY_PROPERTIES,
    rate: { perSecond: 1_000, burst: 5_000 },
  },
  // Server keys are secret; their default stays far above what one ingest copy can publish.
  server: {
    calls: ANY,
    events: ANY,
    traits: ANY,
    properties: ANY_PROPERTIES,
    rate: { perSecond: 100_000, burst: 200_000 },
  },
};

/** True when `name` is on the list (an exact name or a `Prefix *` pattern). */
export function allows(list: AllowList, name: string): boolean {
  if (list.any) return true;
  return list.exact.has(name) || list.prefixes.some((prefix) => name.startsWith(prefix));
}

/** The property allow-list of a page or screen call: its own entry, else any. */
export function pagePropertiesFor(rules: PropertyRules, call: PageCall): AllowList {
  return rules.byCall?.[call] ?? ANY;
}

/** The property allow-list of one track event (see {@link PropertyRules}). */
export function propertiesFor(rules: PropertyRules, event: string): AllowList {
  const own = rules.byEvent.get(event);
  if (own) return own;
  const byPrefix = rules.byPrefix.find((entry) => event.startsWith(entry.prefix));
  return byPrefix?.list ?? rules.other ?? NONE;
}
