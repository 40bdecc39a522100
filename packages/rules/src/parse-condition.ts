import type {
  AggregateSpec,
  Condition,
  Metric,
  NumberCmp,
  PercentileTest,
  PropertyFilter,
  ValueType,
  Window,
} from './ast';
import { aggregateSpec } from './aggregates';
import type { Catalog } from './catalog';
import {
  EXIT_KEYS,
  PERCENTILE_EXIT_KEYS,
  hasStay,
  numberStay,
  percentileStay,
} from './parse-hysteresis';
import { windowReach } from './duration';
import {
  durationOf,
  inferType,
  numberCmp,
  operatorEntries,
  singleOperator,
  valueCmp,
} from './parse-value';
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

/** What the condition parser needs and collects. */
export interface ParseContext {
  catalog: Catalog;
  /** `segment:` references met, with their lines (cycle and existence checks come later). */
  refs: { id: string; line: number; column: number }[];
}

type MapNode = Extract<TreeNode, { kind: 'map' }>;

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

function eventNames(node: TreeNode, catalog: Catalog): string[] {
  const names =
    node.kind === 'seq' ? node.items.map((n) => stringOf(n, 'event')) : [stringOf(node, 'event')];
  for (const name of names) {
    if (!catalog.events.has(name)) {
      fail(
        node,
        `unknown event '${name}': use a catalogue event (Order Completed, Product Added, page...) or declare it under events: in _catalog.yaml`,
      );
    }
  }
  return names;
}

function propertyType(
  events: readonly string[],
  path: string,
  catalog: Catalog,
  at: MapEntry,
  literalNode: TreeNode,
): ValueType {
  if (path.startsWith('extra.') || events.some((e) => catalog.events.get(e) === null))
    return inferType(literalNode);
  for (const e of events) {
    const t = catalog.events.get(e)?.get(path);
    if (t !== undefined) return t;
  }
  const known = [...(catalog.events.get(events[0] ?? '')?.keys() ?? [])].join(', ');
  return fail(
    at,
    `unknown property '${path}' of ${events.join('/')} (known: ${known}; other properties are extra.<name>)`,
  );
}

function whereFilters(
  node: TreeNode | undefined,
  events: readonly string[],
  catalog: Catalog,
): PropertyFilter[] {
  if (node === undefined) return [];
  return expectMap(node, 'where').entries.map((prop) => {
    if (prop.value.kind !== 'map') {
      const type = propertyType(events, prop.key, catalog, prop, prop.value);
      return { path: prop.key, cmp: valueCmp({ ...prop, key: 'eq' }, type, `'${prop.key}'`) };
    }
    const op = singleOperator(prop, prop.value.entries, `where '${prop.key}'`);
    const literalNode = op.value;
    const type = propertyType(events, prop.key, catalog, prop, literalNode);
    return { path: prop.key, cmp: valueCmp(op, type, `'${prop.key}'`) };
  });
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

const METRIC_FNS = ['count', 'sum', 'avg', 'last', 'first'] as const;

function metricOf(node: TreeNode, catalog: Catalog): Metric {
  const map = expectMap(node, 'metric');
  const trait = entry(map, 'trait');
  if (trait !== undefined) {
    checkKeys(map, ['trait'], 'metric');
    const name = stringOf(trait.value, 'trait');
    const type = catalog.traits.get(name);
    if (type !== 'number' && type !== 'date')
      fail(trait.value, `metric trait '${name}' must be a declared number or date trait`);
    return { id: `traits.${name}`, kind: 'trait', name };
  }
  checkKeys(map, ['event', 'where', 'fn', 'property'], 'metric');
  const events = eventNames(entry(map, 'event')?.value ?? map, catalog);
  const fnNode = entry(map, 'fn');
  const fn = fnNode === undefined ? 'count' : scalarOf(fnNode.value, 'fn');
  if (!METRIC_FNS.includes(fn as (typeof METRIC_FNS)[number]))
    fail(fnNode ?? map, `fn must be one of ${METRIC_FNS.join(', ')}`);
  const propEntry = entry(map, 'property');
  const needsValue = fn === 'sum' || fn === 'avg';
  if (needsValue !== (propEntry !== undefined))
    fail(map, `metric: fn ${String(fn)} ${needsValue ? 'needs' : 'takes no'} property:`);
  const value = propEntry === undefined ? null : stringOf(propEntry.value, 'property');
  const agg = aggregateSpec(
    events,
    whereFilters(entry(map, 'where')?.value, events, catalog),
    value,
    null,
    0,
  );
  return {
    id: `${agg.id}.${String(fn)}`,
    kind: 'aggregate',
    agg,
    fn: fn as (typeof METRIC_FNS)[number],
  };
}

function quintileRange(node: TreeNode, what: string): { low: number; high: number } {
  const items = node.kind === 'seq' ? node.items : [node];
  const [a, b] = items.map((n) => numberOf(n, what));
  const low = a ?? 0;
  const high = b ?? low;
  if (
    items.length > 2 ||
    ![low, high].every((q) => Number.isInteger(q) && q >= 1 && q <= 5) ||
    low > high
  ) {
    fail(node, `${what} must be a quintile 1–5 or a range [low, high]`);
  }
  return { low, high };
}

function percentileCondition(map: MapNode, head: MapEntry, catalog: Catalog): Condition {
  const testKeys = ['top_percent', 'above_percentile', 'quintile'];
  checkKeys(map, ['metric', ...testKeys, ...PERCENTILE_EXIT_KEYS], 'metric');
  const metric = metricOf(head.value, catalog);
  const tests = map.entries.filter((e) => testKeys.includes(e.key));
  const t = tests[0];
  if (t === undefined || tests.length > 1)
    fail(map, 'metric: give one of top_percent, above_percentile, quintile');
  let test: PercentileTest;
  if (t.key === 'quintile') test = { kind: 'quintile', ...quintileRange(t.value, 'quintile') };
  else {
    const p = numberOf(t.value, t.key);
    if (p <= 0 || p >= 100) fail(t.value, `${t.key} must be between 0 and 100 (exclusive)`);
    test = t.key === 'top_percent' ? { kind: 'top', percent: p } : { kind: 'above', percentile: p };
  }
  const stay = percentileStay(map, test);
  return { kind: 'percentile', metric, test, ...(stay && { stay }) };
}

/** The RFM metrics over Order Completed: recency = last order time, frequency = orders, monetary = Σ total. */
export function rfmMetrics(): { r: Metric; f: Metric; m: Metric } {
  const orders = aggregateSpec(['Order Completed'], [], null, null, 0);
  const spend = aggregateSpec(['Order Completed'], [], 'total', null, 0);
  return {
    r: { id: `${orders.id}.last`, kind: 'aggregate', agg: orders, fn: 'last' },
    f: { id: `${orders.id}.count`, kind: 'aggregate', agg: orders, fn: 'count' },
    m: { id: `${spend.id}.sum`, kind: 'aggregate', agg: spend, fn: 'sum' },
  };
}

function rfmCondition(map: MapNode, head: MapEntry): Condition {
  checkKeys(map, ['rfm'], 'rfm');
  const parts = expectMap(head.value, 'rfm');
  checkKeys(parts, ['r', 'f', 'm'], 'rfm');
  if (parts.entries.length === 0) fail(parts, 'rfm: give at least one of r, f, m');
  const metrics = rfmMetrics();
  const of = parts.entries.map((e): Condition => ({
    kind: 'percentile',
    metric: metrics[e.key as 'r' | 'f' | 'm'], // checked by checkKeys above
    test: { kind: 'quintile', ...quintileRange(e.value, `rfm ${e.key}`) },
  }));
  return of.length === 1 && of[0] !== undefined ? of[0] : { kind: 'all', of };
}

function bucketCondition(map: MapNode, head: MapEntry): Condition {
  checkKeys(map, ['bucket'], 'bucket');
  const b = expectMap(head.value, 'bucket');
  checkKeys(b, ['salt', 'from', 'to'], 'bucket');
  const salt = stringOf(entry(b, 'salt')?.value ?? b, 'salt');
  const from = numberOf(entry(b, 'from')?.value ?? b, 'from');
  const to = numberOf(entry(b, 'to')?.value ?? b, 'to');
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from < to && to <= 100)) {
    fail(b, 'bucket: from and to are whole percentages with 0 ≤ from < to ≤ 100');
  }
  return { kind: 'bucket', salt, from, to };
}
