import type { Condition, NumberCmp, PercentileTest } from './ast';
import { numberCmp } from './parse-value';
import { entry, fail, numberOf } from './yaml-tree';
import type { MapEntry, TreeNode } from './yaml-tree';

type MapNode = Extract<TreeNode, { kind: 'map' }>;

/** Keys that give a number comparison its exit bound (allowed beside count/sum/avg/rate/ratio). */
export const EXIT_KEYS = ['exit_below', 'exit_above'] as const;
/** Keys that give a percentile test its exit bound. */
export const PERCENTILE_EXIT_KEYS = ['exit_below_top_percent', 'exit_below_percentile'] as const;

function only(map: MapNode, keys: readonly string[], what: string): MapEntry | undefined {
  const found = keys.map((k) => entry(map, k)).filter((e): e is MapEntry => e !== undefined);
  if (found.length > 1) fail(found[1] ?? map, `${what}: give one exit bound, not both`);
  return found[0];
}

/**
 * The looser comparison a member is held to (`exit_below: 180` beside `gt: 200`: enter above
 * 200, leave only below 180). Refused where it would not be hysteresis: a bound on the wrong side
 * of the entry threshold, or beside eq/ne/between, whose boundary has no "inside" direction.
 */
export function numberStay(
  map: MapNode,
  cmp: NumberCmp,
  what: string,
  percent = false,
): NumberCmp | undefined {
  const e = only(map, EXIT_KEYS, what);
  if (e === undefined) return undefined;
  const below = e.key === 'exit_below';
  const bound = numberCmp({ ...e, key: below ? 'gte' : 'lte' }, what, percent);
  if (bound.op === 'between') return fail(e, `${what}: ${e.key} takes one number`);
  if (cmp.op === 'between' || cmp.op === 'eq' || cmp.op === 'ne')
    fail(e, `${what}: ${e.key} needs a gt/gte/lt/lte comparison to widen`);
  const upward = cmp.op === 'gt' || cmp.op === 'gte';
  if (below !== upward)
    fail(e, `${what}: use ${upward ? 'exit_below' : 'exit_above'} with '${cmp.op}'`);
  if (below ? bound.value > cmp.value : bound.value < cmp.value)
    fail(
      e.value,
      `${what}: ${e.key} ${bound.value} must be ${below ? 'at most' : 'at least'} the entry threshold ${cmp.value}`,
    );
  return bound;
}

/**
 * The looser percentile test a member is held to (`exit_below_top_percent: 12` beside
 * `top_percent: 10`). Quintile tests take no exit bound (their cuts are fixed by definition).
 */
export function percentileStay(map: MapNode, test: PercentileTest): PercentileTest | undefined {
  const e = only(map, PERCENTILE_EXIT_KEYS, 'metric');
  if (e === undefined) return undefined;
  const p = numberOf(e.value, e.key);
  if (e.key === 'exit_below_top_percent') {
    if (test.kind !== 'top') fail(e, `${e.key} goes with top_percent`);
    if (!(p >= test.percent && p < 100))
      fail(e.value, `${e.key} must be at least top_percent (${test.percent}) and below 100`);
    return { kind: 'top', percent: p };
  }
  if (test.kind !== 'above') fail(e, `${e.key} goes with above_percentile`);
  if (!(p > 0 && p <= test.percentile))
    fail(e.value, `${e.key} must be above 0 and at most above_percentile (${test.percentile})`);
  return { kind: 'above', percentile: p };
}

/** Whether a condition holds an exit bound anywhere (refused under `not:`, where it inverts). */
export function hasStay(c: Condition): boolean {
  switch (c.kind) {
    case 'all':
    case 'any':
      return c.of.some(hasStay);
    case 'not':
      return hasStay(c.of);
    case 'count':
    case 'stat':
    case 'ratio':
    case 'percentile':
      return c.stay !== undefined;
    default:
      return false;
  }
}
