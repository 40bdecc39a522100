import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { ProblemAt } from './problems';
import type { RuleProblem } from './problems';

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

/** Parses YAML text into a positioned tree, or the syntax problems with their lines. */
export function parseYamlTree(
  file: string,
  text: string,
): { tree: TreeNode | null; problems: RuleProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: RuleProblem[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.code };
  });
  if (problems.length > 0) return { tree: null, problems };
  const at = (node: { range?: [number, number, number] | null } | null | undefined) =>
    lineCounter.linePos(node?.range?.[0] ?? 0);
  const convert = (node: unknown): TreeNode => {
    const pos = at(node as YamlNode | null);
    if (isMap(node)) {
      const entries = node.items.map((pair) => {
        const keyPos = at(pair.key as YamlNode | null);
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        return { key, line: keyPos.line, column: keyPos.col, value: convert(pair.value) };
      });
      return { kind: 'map', line: pos.line, column: pos.col, entries };
    }
    if (isSeq(node)) {
      return { kind: 'seq', line: pos.line, column: pos.col, items: node.items.map(convert) };
    }
    if (isScalar(node))
      return { kind: 'scalar', line: pos.line, column: pos.col, value: node.value };
    if (node === null || node === undefined) {
      return { kind: 'scalar', line: pos.line, column: pos.col, value: null };
    }
    throw new ProblemAt(pos.line, pos.col, 'aliases and tags are not supported in segment files');
  };
  return { tree: convert(doc.contents), problems: [] };
}

/** Throws a positioned problem for `node`. */
export function fail(node: { line: number; column: number }, message: string): never {
  throw new ProblemAt(node.line, node.column, message);
}

export function expectMap(node: TreeNode, what: string): Extract<TreeNode, { kind: 'map' }> {
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

/** Rejects keys outside `allowed`, naming the allowed ones. */
export function checkKeys(
  node: Extract<TreeNode, { kind: 'map' }>,
  allowed: readonly string[],
  what: string,
): void {
  for (const e of node.entries) {
    if (!allowed.includes(e.key)) {
      fail(e, `unknown key '${e.key}' in ${what} (allowed: ${allowed.join(', ')})`);
    }
  }
}

export function entry(node: Extract<TreeNode, { kind: 'map' }>, key: string): MapEntry | undefined {
  return node.entries.find((e) => e.key === key);
}
