import type { NumberCmp, Scalar, ValueCmp, ValueType } from './ast';
import { parseDuration } from './duration';
import { expectSeq, fail, scalarOf } from './yaml-tree';
import type { MapEntry, TreeNode } from './yaml-tree';

/** Operator keys a marketer may write, in words or symbols. */
export const OPERATORS: Readonly<Record<string, ValueCmp['op']>> = {
  eq: 'eq',
  '=': 'eq',
  '==': 'eq',
  ne: 'ne',
  '!=': 'ne',
  '≠': 'ne',
  lt: 'lt',
  '<': 'lt',
  lte: 'lte',
  '<=': 'lte',
  '≤': 'lte',
  gt: 'gt',
  '>': 'gt',
  gte: 'gte',
  '>=': 'gte',
  '≥': 'gte',
  between: 'between',
  in: 'in',
  exists: 'exists',
  contains: 'contains',
  within: 'within',
  not_within: 'not_within',
};

const NUMBER_OPS = new Set(['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between']);

/** The entries of a map that are operators. */
export function operatorEntries(
  entries: readonly MapEntry[],
  reserved: readonly string[] = [],
): MapEntry[] {
  return entries.filter((e) => Object.hasOwn(OPERATORS, e.key) && !reserved.includes(e.key));
}

/** The single operator entry of a condition, or a problem naming what is wrong. */
export function singleOperator(
  at: { line: number; column: number },
  entries: readonly MapEntry[],
  what: string,
  reserved: readonly string[] = [],
): MapEntry {
  const ops = operatorEntries(entries, reserved);
  const first = ops[0];
  if (first === undefined) {
    fail(
      at,
      `${what} needs one comparison (eq, ne, lt, lte, gt, gte, between, in, exists, contains, within, not_within)`,
    );
  }
  if (ops.length > 1)
    fail(ops[1] ?? at, `${what} has more than one comparison; combine them with all:`);
  return first;
}

/** A literal of `type` (dates become epoch milliseconds). */
export function literal(node: TreeNode, type: ValueType, what: string): Scalar {
  const v = scalarOf(node, what);
  switch (type) {
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number') return String(v);
      return fail(node, `${what} must be a text`);
    case 'number':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      return fail(node, `${what} must be a number`);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      return fail(node, `${what} must be true or false`);
    case 'date': {
      const t = typeof v === 'string' ? Date.parse(v) : NaN;
      if (Number.isFinite(t)) return t;
      return fail(node, `${what} must be a date like 2026-01-31 or 2026-01-31T12:00:00Z`);
    }
    case 'list':
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      return fail(node, `${what} must be a single value`);
  }
}

/** The type a literal suggests, for properties the catalog cannot type (custom, `extra.*`). */
export function inferType(node: TreeNode): ValueType {
  const first = node.kind === 'seq' ? node.items[0] : node;
  const v = first?.kind === 'scalar' ? first.value : undefined;
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
}

function durationOf(node: TreeNode, what: string): number {
  const v = scalarOf(node, what);
  const ms = parseDuration(String(v));
  if (typeof ms === 'string') fail(node, `${what}: ${ms}`);
  return ms;
}

/** Parses `op: value` for a value of `type`. `name` is used in messages. */
export function valueCmp(op: MapEntry, type: ValueType, name: string): ValueCmp {
  const kind = OPERATORS[op.key];
  const what = `'${op.key}' of ${name}`;
  switch (kind) {
    case undefined:
      return fail(op, `unknown comparison '${op.key}'`);
    case 'exists': {
      const v = scalarOf(op.value, what);
      if (typeof v !== 'boolean') fail(op.value, `${what} must be true or false`);
      return { op: 'exists', value: v };
    }
    case 'within':
    case 'not_within':
      if (type !== 'date')
        fail(op, `${what}: within/not_within apply to dates; ${name} is a ${type}`);
      return { op: kind, ms: durationOf(op.value, what) };
    case 'contains':
      if (type !== 'string' && type !== 'list')
        fail(op, `${what}: contains applies to texts and lists; ${name} is a ${type}`);
      return { op: 'contains', value: literal(op.value, type, what) };
    case 'in': {
      const items = expectSeq(op.value, what).items;
      if (items.length === 0) fail(op.value, `${what} needs at least one value`);
      return { op: 'in', values: items.map((n) => literal(n, type, what)) };
    }
    case 'between': {
      const items = expectSeq(op.value, what).items;
      const [a, b] = items;
      if (items.length !== 2 || a === undefined || b === undefined)
        fail(op.value, `${what} needs [low, high]`);
      if (type === 'boolean' || type === 'list')
        fail(op, `${what}: between does not apply to a ${type}`);
      return { op: 'between', low: literal(a, type, what), high: literal(b, type, what) };
    }
    default:
      if (type === 'list') fail(op, `${what}: a list supports contains, in and exists`);
      if (type === 'boolean' && kind !== 'eq' && kind !== 'ne')
        fail(op, `${what}: a boolean supports eq and ne`);
      return { op: kind, value: literal(op.value, type, what) };
  }
}

/** A number that may be written as a percentage text ('50%' is 0.5) when `percent` is set. */
function numberLiteral(node: TreeNode, what: string, percent: boolean): number {
  const v = scalarOf(node, what);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (percent && typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
    if (m !== null) return Number(m[1]) / 100;
  }
  return fail(node, `${what} must be a number${percent ? " or a percentage like '50%'" : ''}`);
}

/** Parses `op: number` (eq, ne, lt, lte, gt, gte, between). */
export function numberCmp(op: MapEntry, name: string, percent = false): NumberCmp {
  const kind = OPERATORS[op.key];
  const what = `'${op.key}' of ${name}`;
  if (kind === undefined || !NUMBER_OPS.has(kind)) {
    fail(op, `${what}: a number supports eq, ne, lt, lte, gt, gte and between`);
  }
  if (kind === 'between') {
    const items = expectSeq(op.value, what).items;
    const [a, b] = items;
    if (items.length !== 2 || a === undefined || b === undefined)
      fail(op.value, `${what} needs [low, high]`);
    return {
      op: 'between',
      low: numberLiteral(a, what, percent),
      high: numberLiteral(b, what, percent),
    };
  }
  return {
    op: kind as Exclude<NumberCmp['op'], 'between'>,
    value: numberLiteral(op.value, what, percent),
  };
}

export { durationOf };
