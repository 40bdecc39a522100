import type { Condition, Metric, PercentileTest } from './ast';
import { aggregateSpec } from './aggregates';
import type { Catalog } from './catalog';
import { eventNames, whereFilters, type MapNode } from './parse-events';
import { PERCENTILE_EXIT_KEYS, percentileStay } from './parse-hysteresis';
import { checkKeys, entry, expectMap, fail, numberOf, scalarOf, stringOf } from './yaml-tree';
import type { MapEntry, TreeNode } from './yaml-tree';

/*
 * Distribution conditions: percentiles of a metric across customers (`metric:` with top_percent,
 * above_percentile or quintile), RFM quintiles (`rfm:`) and stable hash buckets (`bucket:`).
 */

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

/** `metric: … top_percent | above_percentile | quintile`, with optional exit bounds. */
export function percentileCondition(map: MapNode, head: MapEntry, catalog: Catalog): Condition {
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

/** `rfm: { r, f, m }`: quintile tests over the RFM metrics, all of them. */
export function rfmCondition(map: MapNode, head: MapEntry): Condition {
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

/** `bucket: { salt, from, to }`: a stable percentage slice of customers (holdouts, A/B). */
export function bucketCondition(map: MapNode, head: MapEntry): Condition {
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
