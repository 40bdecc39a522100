import type { SegmentDefinition, ValueType } from './ast';
import { contentHash } from './canonical';
import type { Catalog, CatalogExtension } from './catalog';
import { parseCondition } from './parse-condition';
import { ProblemAt } from './problems';
import type { RuleProblem } from './problems';
import { checkKeys, entry, expectMap, expectSeq, fail, stringOf } from './yaml-tree';
import { parseYamlTree } from './yaml-tree';
import type { TreeNode } from './yaml-tree';

/** A file to load: its name (for messages) and text. */
export interface SegmentFile {
  file: string;
  text: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: RuleProblem[] };

const ID = /^[a-z0-9][a-z0-9-]*$/;

function treeToPlain(node: TreeNode): unknown {
  switch (node.kind) {
    case 'map':
      return Object.fromEntries(node.entries.map((e) => [e.key, treeToPlain(e.value)]));
    case 'seq':
      return node.items.map(treeToPlain);
    case 'scalar':
      return node.value;
  }
}

function guarded<T>(file: string, run: () => T): ParseResult<T> {
  try {
    return { ok: true, value: run() };
  } catch (err) {
    if (err instanceof ProblemAt) {
      return {
        ok: false,
        problems: [{ file, line: err.line, column: err.column, message: err.message }],
      };
    }
    throw err;
  }
}

/**
 * Parses and validates one segment file against the catalog. Problems (YAML syntax, unknown
 * keys, traits, events or properties, bad values) come back as values with file and line.
 */
export function parseSegmentFile(
  input: SegmentFile,
  catalog: Catalog,
): ParseResult<SegmentDefinition> {
  const { tree, problems } = parseYamlTree(input.file, input.text);
  if (tree === null) return { ok: false, problems };
  return guarded(input.file, () => {
    const map = expectMap(tree, 'a segment file');
    checkKeys(map, ['id', 'name', 'description', 'rule'], 'a segment file');
    const need = (key: string) => entry(map, key) ?? fail(map, `missing '${key}'`);
    const idEntry = need('id');
    const id = stringOf(idEntry.value, 'id');
    if (!ID.test(id))
      fail(idEntry.value, `id '${id}' must be lowercase letters, digits and dashes`);
    const refs: { id: string; line: number; column: number }[] = [];
    const rule = parseCondition(need('rule').value, { catalog, refs });
    return {
      id,
      name: stringOf(need('name').value, 'name'),
      description: stringOf(need('description').value, 'description'),
      rule,
      file: input.file,
      segmentRefs: refs,
      hash: contentHash(treeToPlain(tree)),
    };
  });
}

const TYPES: readonly ValueType[] = ['string', 'number', 'boolean', 'date', 'list'];

/**
 * Parses `_catalog.yaml`: `traits: { name: type }` (custom traits from identify `extra`, typed)
 * and `events: [name, ...]` (custom track events).
 */
export function parseCatalogFile(input: SegmentFile): ParseResult<CatalogExtension> {
  const { tree, problems } = parseYamlTree(input.file, input.text);
  if (tree === null) return { ok: false, problems };
  return guarded(input.file, () => {
    const map = expectMap(tree, 'the catalog file');
    checkKeys(map, ['traits', 'events'], 'the catalog file');
    const traits: Record<string, ValueType> = {};
    const t = entry(map, 'traits');
    if (t !== undefined) {
      for (const e of expectMap(t.value, 'traits').entries) {
        const type = stringOf(e.value, `trait ${e.key}`);
        if (!TYPES.includes(type as ValueType))
          fail(e.value, `trait ${e.key}: type must be one of ${TYPES.join(', ')}`);
        traits[e.key] = type as ValueType; // checked just above
      }
    }
    const ev = entry(map, 'events');
    const events =
      ev === undefined ? [] : expectSeq(ev.value, 'events').items.map((n) => stringOf(n, 'event'));
    return { traits, events };
  });
}
