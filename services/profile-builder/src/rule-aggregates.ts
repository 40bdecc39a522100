import type { PulseEvent } from '@pulse/contracts';
import {
  MAX_ENTRIES,
  foldAggregates,
  parseAggregate,
  toAggregateEvent,
  type AggregateEntry,
  type AggregateSpec,
  type AggregateState,
} from '@pulse/rules';
import type { Op } from './ops';

/** A customer's rule aggregates as read: spec id → JSON text, and the `!gv` token they carry. */
export interface RuleAggregates {
  token: string;
  values: Record<string, string>;
}

/**
 * Folds one event into the rule aggregates (decision 6: the profile builder maintains every
 * aggregate the loaded segments registered). Returns the ops that write the result — led by the
 * `aggCheck` of the token the fold started from — the changed `aggregates.<id>` paths, and the
 * state after it (whose token is the event's mark once applied). No ops when nothing changed.
 */
export function ruleAggregateOps(
  specs: readonly AggregateSpec[],
  before: RuleAggregates,
  event: PulseEvent,
): { check: Op[]; sets: Op[]; changed: string[]; after: RuleAggregates } {
  if (specs.length === 0) return { check: [], sets: [], changed: [], after: before };
  const folded = foldAggregates(specs, before.values, toAggregateEvent(event));
  if (folded.changed.length === 0) return { check: [], sets: [], changed: [], after: before };
  const sets: Op[] = folded.changed.map((path) => {
    const id = path.slice('aggregates.'.length);
    return { op: 'aggSet', id, value: folded.aggregates[id] as string }; // changed ids are in the map
  });
  return {
    check: [{ op: 'aggCheck', token: before.token }],
    sets,
    changed: folded.changed,
    after: { token: event.id, values: folded.aggregates },
  };
}

function mergeState(spec: AggregateSpec, a: AggregateState, b: AggregateState): AggregateState {
  const f = a.f === null ? b.f : b.f === null ? a.f : Math.min(a.f, b.f);
  const l = a.l === null ? b.l : b.l === null ? a.l : Math.max(a.l, b.l);
  const seen = new Set<string>();
  const cutoff = (l ?? 0) - spec.horizonMs;
  const e: AggregateEntry[] = [...a.e, ...b.e]
    .sort((x, y) => x[0] - y[0])
    .filter((x) => {
      if (x[0] <= cutoff) return false;
      const key = x[2];
      if (key === undefined) return true;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  if (e.length > MAX_ENTRIES) e.splice(0, e.length - MAX_ENTRIES);
  return { n: a.n + b.n, s: a.s + b.s, f, l, e };
}

/**
 * The ops that fold a merged-away customer's rule aggregates into the survivor's: counts and
 * sums add, first/last take min/max, windowed entries unite (distinct keys once).
 */
export function mergeRuleAggregateOps(
  specs: readonly AggregateSpec[],
  survivor: RuleAggregates,
  loserP: Readonly<Record<string, string>>,
): Op[] {
  const sets: Op[] = [];
  for (const spec of specs) {
    const loserText = loserP[`g.${spec.id}`];
    if (loserText === undefined) continue;
    const mine = survivor.values[spec.id];
    const value =
      mine === undefined
        ? loserText
        : JSON.stringify(mergeState(spec, parseAggregate(mine), parseAggregate(loserText)));
    sets.push({ op: 'aggSet', id: spec.id, value });
  }
  return sets.length === 0 ? [] : [{ op: 'aggCheck', token: survivor.token }, ...sets];
}
