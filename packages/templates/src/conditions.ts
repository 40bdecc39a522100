import { expectMap, expectSeq, fail, numberOf, onlyKeys, scalarOf, stringOf } from './yaml-tree';
import type { MapEntry, MapNode, TreeNode } from './yaml-tree';

/**
 * Block conditions: the part of the segment rule language (packages/rules) that reads one
 * profile as the profile builder's read API serves it — `all`/`any`/`not`, `trait:` and
 * `field:` comparisons, email `rate:` — plus two shorthands for purchase history and recent
 * browsing (`bought:`, `viewed: .. within:`) and `segment:` for current memberships.
 */
export type Condition =
  | { kind: 'all'; of: Condition[] }
  | { kind: 'any'; of: Condition[] }
  | { kind: 'not'; of: Condition }
  | { kind: 'path'; path: string[]; test: Comparison }
  | { kind: 'bought'; category: string; atLeast: number }
  | { kind: 'viewed'; category: string; withinMs: number | null }
  | { kind: 'segment'; id: string };

export type Comparison =
  | { op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'contains'; value: unknown }
  | { op: 'in'; values: unknown[] }
  | { op: 'between'; low: number; high: number }
  | { op: 'exists'; value: boolean };

/** What a condition reads: the profile JSON, the time, the customer's current segments. */
export interface ConditionContext {
  profile: unknown;
  now: number;
  segments?: readonly string[];
}

const OPS: Record<string, Comparison['op']> = {
  eq: 'eq',
  '=': 'eq',
  ne: 'ne',
  '!=': 'ne',
  lt: 'lt',
  '<': 'lt',
  lte: 'lte',
  '<=': 'lte',
  gt: 'gt',
  '>': 'gt',
  gte: 'gte',
  '>=': 'gte',
  in: 'in',
  between: 'between',
  exists: 'exists',
  contains: 'contains',
};

const DURATION = /^(\d+)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

/** `30m`, `24h`, `7d` → milliseconds; undefined when malformed. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m?.[1] && m[2] ? Number(m[1]) * (UNIT_MS[m[2]] ?? 0) : undefined;
}

function literal(node: TreeNode, what: string): unknown {
  const v = scalarOf(node, what);
  if (typeof v === 'string' && /^\d+(\.\d+)?%$/.test(v)) return Number(v.slice(0, -1)) / 100;
  return v;
}

function comparison(map: MapNode, subject: string, what: string): Comparison {
  const ops = map.entries.filter((e) => e.key !== subject);
  const first = ops[0];
  if (!first || ops.length > 1)
    fail(map, `${what} needs exactly one comparison (${Object.keys(OPS).join(', ')})`);
  const op = OPS[first.key];
  if (!op) fail(first, `unknown comparison "${first.key}" (use ${Object.keys(OPS).join(', ')})`);
  if (op === 'in')
    return { op, values: expectSeq(first.value, 'in').items.map((i) => literal(i, 'in value')) };
  if (op === 'between') {
    const [low, high] = expectSeq(first.value, 'between').items;
    if (!low || !high) fail(first, 'between needs [low, high]');
    return { op, low: numberOf(low, 'low'), high: numberOf(high, 'high') };
  }
  if (op === 'exists') {
    const v = scalarOf(first.value, 'exists');
    if (typeof v !== 'boolean') fail(first.value, 'exists must be true or false');
    return { op, value: v };
  }
  return { op, value: literal(first.value, first.key) };
}

function withinOf(e: MapEntry | undefined): number | null {
  if (!e) return null;
  const ms = durationMs(stringOf(e.value, 'within'));
  if (ms === undefined) fail(e.value, 'within must be a duration such as 30m, 24h, 7d');
  return ms;
}

/** Parses one condition node; throws a positioned problem on bad input. */
export function parseCondition(node: TreeNode): Condition {
  const map = expectMap(node, 'a condition');
  const head = map.entries[0];
  if (!head) fail(map, 'a condition may not be empty');
  switch (head.key) {
    case 'all':
    case 'any':
      onlyKeys(map, [head.key], head.key);
      return { kind: head.key, of: expectSeq(head.value, head.key).items.map(parseCondition) };
    case 'not':
      onlyKeys(map, ['not'], 'not');
      return { kind: 'not', of: parseCondition(head.value) };
    case 'trait':
      return {
        kind: 'path',
        path: ['traits', ...stringOf(head.value, 'trait').split('.')],
        test: comparison(map, 'trait', 'trait'),
      };
    case 'field':
      return {
        kind: 'path',
        path: stringOf(head.value, 'field').split('.'),
        test: comparison(map, 'field', 'field'),
      };
    case 'rate': {
      const which = stringOf(head.value, 'rate');
      if (which !== 'open' && which !== 'click') fail(head.value, 'rate must be open or click');
      return {
        kind: 'path',
        path: ['derived', 'email', `${which}Rate`],
        test: comparison(map, 'rate', 'rate'),
      };
    }
    case 'bought': {
      onlyKeys(map, ['bought', 'at_least'], 'bought');
      const least = map.entries.find((e) => e.key === 'at_least');
      return {
        kind: 'bought',
        category: stringOf(head.value, 'bought'),
        atLeast: least ? numberOf(least.value, 'at_least') : 1,
      };
    }
    case 'viewed':
      onlyKeys(map, ['viewed', 'within'], 'viewed');
      return {
        kind: 'viewed',
        category: stringOf(head.value, 'viewed'),
        withinMs: withinOf(map.entries.find((e) => e.key === 'within')),
      };
    case 'segment':
      onlyKeys(map, ['segment'], 'segment');
      return { kind: 'segment', id: stringOf(head.value, 'segment') };
    default:
      return fail(
        head,
        `unknown condition "${head.key}" (use all, any, not, trait, field, rate, bought, viewed, segment)`,
      );
  }
}

function at(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key]; // walking JSON objects
  }
  return cur;
}

const norm = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

function compare(actual: unknown, test: Comparison): boolean {
  if (test.op === 'exists') return (actual !== undefined && actual !== null) === test.value;
  if (actual === undefined || actual === null) return test.op === 'ne';
  switch (test.op) {
    case 'eq':
      return norm(actual) === norm(test.value);
    case 'ne':
      return norm(actual) !== norm(test.value);
    case 'in':
      return test.values.some((v) => norm(v) === norm(actual));
    case 'contains':
      if (Array.isArray(actual)) return actual.some((v) => norm(v) === norm(test.value));
      return (
        typeof actual === 'string' &&
        actual.toLowerCase().includes(String(test.value).toLowerCase())
      );
    case 'between':
      return typeof actual === 'number' && actual >= test.low && actual <= test.high;
    default: {
      if (typeof actual !== 'number' || typeof test.value !== 'number') return false;
      const v = test.value;
      return test.op === 'lt'
        ? actual < v
        : test.op === 'lte'
          ? actual <= v
          : test.op === 'gt'
            ? actual > v
            : actual >= v;
    }
  }
}

/** True when `category` is `wanted` or below it (`Electronics` matches `Electronics/Audio`); `*` matches all. */
export function inCategory(category: string, wanted: string): boolean {
  if (wanted === '*') return true;
  const c = category.toLowerCase();
  const w = wanted.toLowerCase();
  return c === w || c.startsWith(`${w}/`);
}

function objectAt(profile: unknown, path: string[]): Record<string, unknown> {
  const v = at(profile, path);
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {}; // JSON object
}

/** Evaluates a condition against one profile (pure). */
export function evaluate(c: Condition, ctx: ConditionContext): boolean {
  switch (c.kind) {
    case 'all':
      return c.of.every((x) => evaluate(x, ctx));
    case 'any':
      return c.of.some((x) => evaluate(x, ctx));
    case 'not':
      return !evaluate(c.of, ctx);
    case 'path':
      return compare(at(ctx.profile, c.path), c.test);
    case 'segment':
      return ctx.segments?.includes(c.id) ?? false;
    case 'bought': {
      const cats = objectAt(ctx.profile, ['purchases', 'categories']);
      let n = 0;
      for (const [cat, count] of Object.entries(cats))
        if (inCategory(cat, c.category)) n += Number(count);
      return n >= c.atLeast;
    }
    case 'viewed': {
      const cats = objectAt(ctx.profile, ['browsing', 'categories']);
      return Object.entries(cats).some(([cat, info]) => {
        if (!inCategory(cat, c.category)) return false;
        if (c.withinMs === null) return true;
        const last = at(info, ['lastSeenAt']);
        return typeof last === 'number' && last > ctx.now - c.withinMs;
      });
    }
  }
}
