import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { ProblemAt } from './problems';
import type { TemplateProblem } from './problems';

/** A YAML value with the position it came from. */
export type TreeNode =
  | { kind: 'map'; line: number; column: number; entries: MapEntry[] }
  | { kind: 'seq'; line: number; column: number; items: TreeNode[] }
  | { kind: 'scalar'; line: number; column: number; value: unknown };

export interface MapEntry {
  key: string;
  line: number;
  column: number;
  value: TreeNode;
}

export type MapNode = Extract<TreeNode, { kind: 'map' }>;

/** Parses YAML text into a positioned tree, or its syntax problems with their lines. */
export function parseYamlTree(
  file: string,
  text: string,
): { tree: TreeNode | null; problems: TemplateProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.code };
  });
  if (problems.length > 0) return { tree: null, problems };
  const at = (node: unknown) => lineCounter.linePos((node as YamlNode | null)?.range?.[0] ?? 0);
  const convert = (node: unknown): TreeNode => {
    const pos = at(node);
    if (isMap(node)) {
      const entries = node.items.map((pair) => {
        const keyPos = at(pair.key);
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        return { key, line: keyPos.line, column: keyPos.col, value: convert(pair.value) };
      });
      return { kind: 'map', line: pos.line, column: pos.col, entries };
    }
    if (isSeq(node))
      return { kind: 'seq', line: pos.line, column: pos.col, items: node.items.map(convert) };
    if (isScalar(node))
      return { kind: 'scalar', line: pos.line, column: pos.col, value: node.value };
    if (node === null || node === undefined)
      return { kind: 'scalar', line: pos.line, column: pos.col, value: null };
    throw new ProblemAt(pos.line, pos.col, 'aliases and tags are not supported');
  };
  try {
    return { tree: convert(doc.contents), problems: [] };
  } catch (err) {
    if (err instanceof ProblemAt)
      return {
        tree: null,
        problems: [{ file, line: err.line, column: err.column, message: err.message }],
      };
    throw err;
  }
}

/** Throws a positioned problem for `node`. */
export function fail(node: { line: number; column: number }, message: string): never {
  throw new ProblemAt(node.line, node.column, message);
}

export function expectMap(node: TreeNode, what: string): MapNode {
  if (node.kind !== 'map') fail(node, `${what} must be a mapping`);
  return node;
}

export function expectSeq(node: TreeNode, what: string): Extract<TreeNode, { kind: 'seq' }> {
  if (node.kind !== 'seq') fail(node, `${what} must be a list`);
  return node;
}

export function scalarOf(node: TreeNode, what: string): unknown {
  if (node.kind !== 'scalar') fail(node, `${what} must be a single value, not a ${node.kind}`);
  return node.value;
}

export function stringOf(node: TreeNode, what: string): string {
  const v = scalarOf(node, what);
  if (typeof v !== 'string' || v.trim() === '') fail(node, `${what} must be a non-empty text`);
  return v;
}

export function numberOf(node: TreeNode, what: string): number {
  const v = scalarOf(node, what);
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(node, `${what} must be a number`);
  return v;
}

/** The entry named `key`, or undefined. */
export function entry(map: MapNode, key: string): MapEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/** Fails on keys outside `allowed`, naming the allowed ones. */
export function onlyKeys(map: MapNode, allowed: readonly string[], what: string): void {
  for (const e of map.entries) {
    if (!allowed.includes(e.key))
      fail(e, `unknown key "${e.key}" in ${what} (allowed: ${allowed.join(', ')})`);
  }
}

/** The required entry `key`. */
export function required(map: MapNode, key: string, what: string): MapEntry {
  const found = entry(map, key);
  if (!found) fail(map, `${what} needs "${key}"`);
  return found;
}
