import type { ProfileSnapshot } from '@pulse/contracts';
import type { AggregateSpec } from '@pulse/rules';
import type { StateDump } from './dump';
import type { ProfileState } from './profile-state';
import { sessionAggregates } from './session-aggregates';

/** Snapshot sections published as `aggregates.<name>` (JSON text; time-free state). */
export const AGGREGATES = [
  'purchases',
  'browsing',
  'cart',
  'wishlist',
  'email',
  'events',
  'custom',
  'categories',
] as const;

/**
 * The browsing section as change records carry it: without the per-day session maps, which
 * would ride on every change record of every visitor (segment rules read sessions through their
 * own `Session` aggregates, derived from the session state; the profile API keeps the maps).
 */
function browsingSection(b: ProfileState['browsing']): Partial<ProfileState['browsing']> {
  const section: Partial<ProfileState['browsing']> = { ...b };
  delete section.sessionsByDay;
  delete section.timeOnSiteByDay;
  return section;
}

/**
 * The `profile` of a change record: identities, traits as JSON text, aggregates as JSON text —
 * the rule aggregates (`@pulse/rules` AggregateState, by spec id; those over sessions derived
 * from the session state, see session-aggregates.ts) and the builder's sections. `knownSince`
 * rides as a trait (a date: epoch ms), set only by the builder.
 */
export function toSnapshot(
  state: ProfileState,
  dump: StateDump,
  sessionSpecs: readonly AggregateSpec[] = [],
): ProfileSnapshot {
  const traits: Record<string, string> = {};
  const rules: Record<string, string> = {};
  for (const k in dump.p) {
    if (k.charCodeAt(1) !== 46) continue;
    const c = k.charCodeAt(0);
    if (c === 116)
      traits[k.slice(2)] = dump.p[k] as string; // 't.'
    else if (c === 103) rules[k.slice(2)] = dump.p[k] as string; // 'g.': rule aggregates
  }
  delete traits.knownSince;
  if (state.knownSince !== null) traits.knownSince = String(state.knownSince);
  const email = state.traits.email;
  return {
    email: typeof email === 'string' ? email : (state.identities.emails[0] ?? null),
    userIds: state.identities.userIds,
    anonymousIds: state.identities.anonymousIds,
    firstSeenAt: state.firstSeenAt,
    lastSeenAt: state.lastSeenAt,
    traits,
    aggregates: {
      ...rules,
      ...sessionAggregates(sessionSpecs, dump),
      purchases: JSON.stringify(state.purchases),
      browsing: JSON.stringify(browsingSection(state.browsing)),
      cart: JSON.stringify(state.cart),
      wishlist: JSON.stringify(state.wishlist),
      email: JSON.stringify(state.email),
      events: JSON.stringify(state.events),
      custom: JSON.stringify(state.customEvents),
      categories: JSON.stringify(state.affinityRaw),
    },
  };
}
