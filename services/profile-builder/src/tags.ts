import { readFileSync } from 'node:fs';
import { PulseError } from '@pulse/core';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { TAG_FIELDS, TAG_PLACEHOLDERS, type TagInput, type TagValue } from './tag-fields';

/**
 * Behavioural tags from config (`config/tags.yaml`): each a name and a `when` condition over
 * profile fields (tag-fields.ts). The grammar is the segment language's subset that applies to
 * one number of the profile: `all` / `any` / `not`, and `field:` with one comparison (`eq`,
 * `ne`, `lt`, `lte`, `gt`, `gte` or their symbols, `between: [a, b]`). The segment language
 * itself (packages/rules) reads event aggregates and snapshot traits by catalog and has no
 * access to derived profile numbers such as the top category's affinity share, so it is not
 * reused here; the operator spellings are the same.
 */
export type TagCondition =
  | { kind: 'all' | 'any'; of: TagCondition[] }
  | { kind: 'not'; of: TagCondition }
  | {
      kind: 'cmp';
      field: string;
      op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';
      value: number | boolean;
    }
  | { kind: 'between'; field: string; low: number; high: number };

export interface TagDefinition {
  /** May hold placeholders (`{topCategory}`), filled when it holds. */
  name: string;
  when: TagCondition;
}

export interface TagProblem {
  line: number;
  column: number;
  message: string;
}

const OPS: Readonly<Record<string, 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'between'>> = {
  eq: 'eq', '=': 'eq', '==': 'eq', ne: 'ne', '!=': 'ne', '≠': 'ne',
  lt: 'lt', '<': 'lt', lte: 'lte', '<=': 'lte', '≤': 'lte',
  gt: 'gt', '>': 'gt', gte: 'gte', '>=': 'gte', '≥': 'gte', between: 'between',
}; // prettier-ignore

class At extends Error {
  constructor(
    readonly node: Node | Pair | null | undefined,
    message: string,
  ) {
    super(message);
  }
}

function pairs(node: unknown, what: string): Pair[] {
  if (!isMap(node)) throw new At(node as Node, `${what} must be a mapping`);
  return node.items;
}

const keyOf = (pair: Pair): string => (isScalar(pair.key) ? String(pair.key.value) : '');

function parseCondition(node: unknown): TagCondition {
  const items = pairs(node, 'a condition');
  const first = items[0];
  if (!first) throw new At(node as Node, 'a condition needs all, any, not or field');
  const key = keyOf(first);
  if (key === 'all' || key === 'any' || key === 'not') {
    if (items.length > 1) throw new At(items[1], `'${key}' stands alone in its mapping`);
    if (key === 'not') return { kind: 'not', of: parseCondition(first.value) };
    if (!isSeq(first.value) || first.value.items.length === 0)
      throw new At(first, `'${key}' needs a non-empty list of conditions`);
    return { kind: key, of: first.value.items.map(parseCondition) };
  }
  const fieldPair = items.find((p) => keyOf(p) === 'field');
  if (!fieldPair) throw new At(first, `unknown key '${key}' (expected all, any, not or field)`);
  const field = isScalar(fieldPair.value) ? String(fieldPair.value.value) : '';
  if (!Object.hasOwn(TAG_FIELDS, field))
    throw new At(
      fieldPair.value as Node,
      `unknown field '${field}' (known: ${Object.keys(TAG_FIELDS).join(', ')})`,
    );
  const ops = items.filter((p) => p !== fieldPair);
  const opPair = ops[0];
  if (!opPair || ops.length > 1)
    throw new At(opPair ? ops[1] : fieldPair, `field '${field}' needs exactly one comparison`);
  const op = OPS[keyOf(opPair)];
  if (!op) throw new At(opPair, `unknown comparison '${keyOf(opPair)}'`);
  const v = opPair.value;
  if (op === 'between') {
    const [low, high] = isSeq(v) ? v.items.map((n) => (isScalar(n) ? n.value : null)) : [];
    if (!isSeq(v) || v.items.length !== 2 || typeof low !== 'number' || typeof high !== 'number')
      throw new At(opPair, "'between' needs two numbers: [low, high]");
    return { kind: 'between', field, low, high };
  }
  const value = isScalar(v) ? v.value : undefined;
  if (typeof value === 'boolean' ? op !== 'eq' && op !== 'ne' : typeof value !== 'number')
    throw new At(opPair, `'${keyOf(opPair)}' of ${field} needs a number (eq/ne also true/false)`);
  return { kind: 'cmp', field, op, value: value as number | boolean }; // checked just above
}

function parseTag(node: unknown): TagDefinition {
  const items = pairs(node, 'a tag');
  const get = (key: string) => items.find((p) => keyOf(p) === key);
  for (const p of items)
    if (keyOf(p) !== 'name' && keyOf(p) !== 'when')
      throw new At(p, `unknown key '${keyOf(p)}' in a tag (allowed: name, when)`);
  const name = get('name');
  if (!name || !isScalar(name.value) || typeof name.value.value !== 'string' || !name.value.value)
    throw new At(name ?? (node as Node), 'a tag needs a name (text)');
  for (const [, ph] of name.value.value.matchAll(/\{([^}]*)\}/g))
    if (!Object.hasOwn(TAG_PLACEHOLDERS, ph ?? ''))
      throw new At(
        name.value,
        `unknown placeholder {${ph}} (known: ${Object.keys(TAG_PLACEHOLDERS).join(', ')})`,
      );
  const when = get('when');
  if (!when) throw new At(node as Node, `tag '${name.value.value}' needs a when condition`);
  return { name: name.value.value, when: parseCondition(when.value) };
}

/** Parses a tags file: the definitions, or every problem found (one per tag) with its line. */
export function parseTags(text: string): { tags: TagDefinition[]; problems: TagProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const problems: TagProblem[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.code };
  });
  if (problems.length > 0) return { tags: [], problems };
  const tags: TagDefinition[] = [];
  const place = (err: At) => {
    const n = err.node && 'range' in err.node ? err.node : (err.node as Pair | null)?.key;
    const pos = lines.linePos((n as Node | null)?.range?.[0] ?? 0);
    problems.push({ line: pos.line, column: pos.col, message: err.message });
  };
  const root = doc.contents;
  const list = isMap(root) ? root.items.find((p) => keyOf(p) === 'tags')?.value : undefined;
  if (!isSeq(list)) {
    place(new At(root as Node, "a tags file holds 'tags:', a list of { name, when }"));
    return { tags, problems };
  }
  for (const item of list.items) {
    try {
      tags.push(parseTag(item));
    } catch (err) {
      if (!(err instanceof At)) throw err;
      place(err);
    }
  }
  return { tags, problems };
}

/** Reads and validates a tags file; throws one configuration error listing every problem. */
export function loadTags(file: string): TagDefinition[] {
  const { tags, problems } = parseTags(readFileSync(file, 'utf8'));
  if (problems.length > 0)
    throw new PulseError(
      'PROFILE_TAGS_INVALID',
      `invalid tags file (set PROFILE_TAGS_FILE or fix it):\n${problems
        .map((p) => `${file}:${p.line}:${p.column}: ${p.message}`)
        .join('\n')}`,
    );
  return tags;
}

function holds(c: TagCondition, input: TagInput): boolean {
  switch (c.kind) {
    case 'all':
      return c.of.every((x) => holds(x, input));
    case 'any':
      return c.of.some((x) => holds(x, input));
    case 'not':
      return !holds(c.of, input);
    case 'between': {
      const v = TAG_FIELDS[c.field]?.read(input);
      return typeof v === 'number' && v >= c.low && v <= c.high;
    }
    case 'cmp':
      return compare(TAG_FIELDS[c.field]?.read(input) ?? null, c.op, c.value);
  }
}

function compare(v: TagValue, op: string, value: number | boolean): boolean {
  if (v === null) return false;
  if (op === 'eq') return v === value;
  if (op === 'ne') return v !== value;
  if (typeof v !== 'number' || typeof value !== 'number') return false;
  return op === 'lt' ? v < value : op === 'lte' ? v <= value : op === 'gt' ? v > value : v >= value;
}

/** The names of the tags that hold, placeholders filled (a tag whose placeholder has no value is left out). */
export function evaluateTags(tags: readonly TagDefinition[], input: TagInput): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    if (!holds(tag.when, input)) continue;
    let complete = true;
    const name = tag.name.replace(/\{([^}]*)\}/g, (_, ph: string) => {
      const v = TAG_PLACEHOLDERS[ph]?.(input);
      if (v === undefined) complete = false;
      return v ?? '';
    });
    if (complete) out.push(name);
  }
  return out;
}
