import type { AggregateSpec, Condition, NumberCmp, PropertyFilter, ValueType, Window } from './ast';
import { aggregateSpec } from './aggregates';
import type { Catalog } from './catalog';
import { EXIT_KEYS, hasStay, numberStay } from './parse-hysteresis';
import { windowReach } from './duration';
import { durationOf, numberCmp, operatorEntries, singleOperator, valueCmp } from './parse-value';
import {
  checkKeys,
  entry,
  expectMap,
  expectSeq,
  fail,
  numberOf,
  scalarOf,
  stringOf,
} from './yaml-tree';
import type { MapEntry, TreeNode } from './yaml-tree';
import { bucketCondition, percentileCondition, rfmCondition } from './parse-distribution';
import { eventNames, propertyType, whereFilters, type MapNode } from './parse-events';

/** What the condition parser needs and collects. */
export interface ParseContext {
  catalog: Catalog;
  /** `segment:` references met, with their lines (cycle and existence checks come later). */
  refs: { id: string; line: number; column: number }[];
}

const HEADS = [
  'all',
  'any',
  'not',
  'trait',
  'field',
  'event',
  'rate',
  'ratio',
  'metric',
  'rfm',
  'segment',
  'bucket',
];
const DAY = 86_400_000;
/** How long delivered emails are kept for "over the last N emails" rates. */
export const LAST_EMAILS_HORIZON_MS = 365 * DAY;

/** Parses one condition (recursively). Throws `ProblemAt` with the offending line. */
export function parseCondition(node: TreeNode, ctx: ParseContext): Condition {
  const map = expectMap(node, 'a condition');
  const heads = map.entries.filter((e) => HEADS.includes(e.key));
  const head = heads[0];
  if (head === undefined) fail(map, `a condition starts with one of: ${HEADS.join(', ')}`);
  if (heads.length > 1)
    fail(
      heads[1] ?? map,
      `one condition per item: '${head.key}' and '${heads[1]?.key}' (wrap them in all: or any:)`,
    );
  switch (head.key) {
    case 'all':
    case 'any': {
      checkKeys(map, [head.key], head.key);
      const items = expectSeq(head.value, `${head.key}:`).items;
      if (items.length === 0) fail(head, `${head.key}: needs at least one condition`);
      return { kind: head.key, of: items.map((n) => parseCondition(n, ctx)) };
    }
    case 'not': {
      checkKeys(map, ['not'], 'not');
      const of = parseCondition(head.value, ctx);
      // Under not: an exit bound would make members leave sooner, the opposite of its intent.
      if (hasStay(of)) fail(head, 'not: exit bounds (exit_below/exit_above...) are refused here');
      return { kind: 'not', of };
    }
    case 'trait':
    case 'field':
      return valueCondition(map, head, ctx.catalog);
    case 'event':
      return eventCondition(map, head, ctx.catalog);
    case 'rate':
    case 'ratio':
      return rateCondition(map, head, ctx.catalog);
    case 'metric':
      return percentileCondition(map, head, ctx.catalog);
    case 'rfm':
      return rfmCondition(map, head);
    case 'segment': {
      checkKeys(map, ['segment'], 'segment');
      const id = stringOf(head.value, 'segment');
      ctx.refs.push({ id, line: head.line, column: head.column });
      return { kind: 'segment', id };
    }
    default:
      return bucketCondition(map, head);
  }
}

function valueCondition(map: MapNode, head: MapEntry, catalog: Catalog): Condition {
  const name = stringOf(head.value, head.key);
  const source = head.key === 'trait' ? 'trait' : 'field';
  let type: ValueType | undefined;
  if (source === 'field') {
    type = catalog.fields.get(name);
    if (type === undefined)
      fail(
        head.value,
        `unknown profile field '${name}' (fields: ${[...catalog.fields.keys()].join(', ')})`,
      );
  } else {
    type = catalog.traits.get(name);
    if (type === undefined) {
      fail(
        head.value,
        `unknown trait '${name}': not in IdentifyPayload and not declared in _catalog.yaml (known: ${[...catalog.traits.keys()].join(', ')})`,
      );
    }
  }
  const op = singleOperator(map, map.entries, `${head.key} '${name}'`);
  checkKeys(map, [head.key, op.key], `${head.key} '${name}'`);
  const [top, ...subPath] = source === 'trait' ? name.split('.') : [name];
  return {
    kind: 'value',
    source,
    name: top ?? name,
    subPath,
    type,
    cmp: valueCmp(op, type, `'${name}'`),
  };
}

function windowOf(map: MapNode, what: string, required: boolean): Window | undefined {
  const last = entry(map, 'in_last');
  const within = entry(map, 'in');
  if (last !== undefined && within !== undefined)
    fail(within, `${what}: give in_last or in, not both`);
  if (last !== undefined) return { kind: 'last', ms: durationOf(last.value, 'in_last') };
  if (within !== undefined) {
    const v = scalarOf(within.value, 'in');
    if (v === 'this_month') return { kind: 'calendar', unit: 'month' };
    if (v === 'this_week') return { kind: 'calendar', unit: 'week' };
    if (v === 'all_time') return { kind: 'all' };
    fail(within.value, `in: must be this_month, this_week or all_time (or use in_last: 30d)`);
  }
  if (required)
    fail(map, `${what} needs a window: in_last: 30d, or in: this_month / this_week / all_time`);
  return undefined;
}

function countCmp(node: TreeNode): NumberCmp {
  if (node.kind === 'scalar') return { op: 'gte', value: numberOf(node, 'count') };
  const map = expectMap(node, 'count');
  checkKeys(map, ['at_least', 'at_most', 'exactly', 'between'], 'count');
  const [only, extra] = map.entries;
  if (only === undefined || extra !== undefined)
    fail(map, 'count: give one of at_least, at_most, exactly, between');
  if (only.key === 'between') return numberCmp(only, 'count');
  const n = numberOf(only.value, only.key);
  if (!Number.isInteger(n) || n < 0) fail(only.value, `${only.key} must be a whole number ≥ 0`);
  return { op: only.key === 'at_least' ? 'gte' : only.key === 'at_most' ? 'lte' : 'eq', value: n };
}

const EVENT_KEYS = [
  'event',
  'where',
  'distinct',
  'count',
  'sum',
  'avg',
  'within',
  'none_in',
  'after',
  'in_last',
  'in',
  ...EXIT_KEYS,
];

function eventCondition(map: MapNode, head: MapEntry, catalog: Catalog): Condition {
  const events = eventNames(head.value, catalog);
  const what = `event ${events.join('/')}`;
  const ops = operatorEntries(map.entries, EVENT_KEYS);
  checkKeys(map, [...EVENT_KEYS, ...ops.map((o) => o.key)], what);
  const where = whereFilters(entry(map, 'where')?.value, events, catalog);
  const distinctEntry = entry(map, 'distinct');
  const distinct = distinctEntry === undefined ? null : stringOf(distinctEntry.value, 'distinct');
  const modes = ['count', 'sum', 'avg', 'within', 'none_in', 'after'].filter(
    (k) => entry(map, k) !== undefined,
  );
  if (modes.length > 1) fail(map, `${what}: choose one of count, sum, avg, within, none_in, after`);
  const mode = modes[0] ?? 'count';
  const noOps = () => {
    if (ops[0] !== undefined)
      fail(ops[0], `${what}: '${ops[0].key}' applies only with sum: or avg:`);
  };
  if (mode === 'within' || mode === 'none_in') {
    noOps();
    if (windowOf(map, what, false) !== undefined)
      fail(map, `${what}: ${mode} is its own window; drop in_last/in`);
    const ms = durationOf(entry(map, mode)?.value ?? map, mode);
    return { kind: 'recency', agg: aggregateSpec(events, where, null, distinct, 0), mode, ms };
  }
  if (mode === 'after') {
    noOps();
    const than = eventNames(entry(map, 'after')?.value ?? map, catalog);
    return {
      kind: 'after',
      agg: aggregateSpec(events, where, null, distinct, 0),
      than: aggregateSpec(than, [], null, null, 0),
    };
  }
  const window = windowOf(map, what, true) as Window; // required: windowOf fails otherwise
  if (mode === 'sum' || mode === 'avg') {
    const prop = entry(map, mode);
    const path = stringOf(prop?.value ?? map, mode);
    const type =
      prop === undefined ? 'number' : propertyType(events, path, catalog, prop, prop.value);
    if (type !== 'number' && !path.startsWith('extra.'))
      fail(prop ?? map, `${mode}: '${path}' is a ${type}, not a number`);
    const op = singleOperator(map, map.entries, `${mode} of ${path}`, EVENT_KEYS);
    const agg = aggregateSpec(events, where, path, distinct, windowReach(window));
    const cmp = numberCmp(op, `${mode} of ${path}`);
    const stay = numberStay(map, cmp, `${mode} of ${path}`);
    return { kind: 'stat', fn: mode, agg, window, cmp, ...(stay && { stay }) };
  }
  noOps();
  const countNode = entry(map, 'count')?.value;
  const cmp = countNode === undefined ? { op: 'gte' as const, value: 1 } : countCmp(countNode);
  const stay = numberStay(map, cmp, `${what} count`);
  return {
    kind: 'count',
    agg: aggregateSpec(events, where, null, distinct, windowReach(window)),
    window,
    cmp,
    ...(stay && { stay }),
  };
}

const NOT_MACHINE: PropertyFilter = { path: 'suspected_machine', cmp: { op: 'ne', value: true } };

function ratioSide(
  node: TreeNode,
  catalog: Catalog,
  distinct: string | null,
  horizon: number,
): AggregateSpec {
  if (node.kind !== 'map')
    return aggregateSpec(eventNames(node, catalog), [], null, distinct, horizon);
  checkKeys(node, ['event', 'where'], 'a ratio side');
  const events = eventNames(entry(node, 'event')?.value ?? node, catalog);
  return aggregateSpec(
    events,
    whereFilters(entry(node, 'where')?.value, events, catalog),
    null,
    distinct,
    horizon,
  );
}

function rateCondition(map: MapNode, head: MapEntry, catalog: Catalog): Condition {
  const op = singleOperator(map, map.entries, head.key, ['in']);
  checkKeys(
    map,
    [head.key, op.key, 'in_last', 'in', 'last_emails', 'min_emails', 'distinct', ...EXIT_KEYS],
    head.key,
  );
  const lastN = entry(map, 'last_emails');
  const window = windowOf(map, head.key, lastN === undefined);
  if (lastN !== undefined && window !== undefined)
    fail(lastN, `${head.key}: give last_emails or a window, not both`);
  const n = lastN === undefined ? 0 : numberOf(lastN.value, 'last_emails');
  if (lastN !== undefined && (!Number.isInteger(n) || n < 1))
    fail(lastN.value, 'last_emails must be a whole number ≥ 1');
  const horizon = window === undefined ? LAST_EMAILS_HORIZON_MS : windowReach(window);
  const minEntry = entry(map, 'min_emails');
  const minDenominator = minEntry === undefined ? 1 : numberOf(minEntry.value, 'min_emails');
  const win = window ?? { kind: 'count' as const, n };
  const cmp = numberCmp(op, head.key, true);
  const stay = numberStay(map, cmp, head.key, true);
  if (head.key === 'rate') {
    const which = scalarOf(head.value, 'rate');
    if (which !== 'open' && which !== 'click') fail(head.value, "rate: must be 'open' or 'click'");
    const num = which === 'open' ? 'Email Opened' : 'Email Link Clicked';
    const numerator = aggregateSpec([num], [NOT_MACHINE], null, 'send_id', horizon);
    const denominator = aggregateSpec(['Email Delivered'], [], null, 'send_id', horizon);
    return {
      kind: 'ratio',
      numerator,
      denominator,
      window: win,
      minDenominator,
      cmp,
      ...(stay && { stay }),
    };
  }
  const sides = expectMap(head.value, 'ratio');
  checkKeys(sides, ['of', 'per'], 'ratio');
  const distinctEntry = entry(map, 'distinct');
  const distinct = distinctEntry === undefined ? null : stringOf(distinctEntry.value, 'distinct');
  const of = entry(sides, 'of');
  const per = entry(sides, 'per');
  if (of === undefined || per === undefined) fail(sides, 'ratio: needs of: and per:');
  const numerator = ratioSide(of.value, catalog, distinct, horizon);
  const denominator = ratioSide(per.value, catalog, distinct, horizon);
  return {
    kind: 'ratio',
    numerator,
    denominator,
    window: win,
    minDenominator,
    cmp,
    ...(stay && { stay }),
  };
}
