import type { PropertyFilter, ValueType } from './ast';
import type { Catalog } from './catalog';
import { inferType, singleOperator, valueCmp } from './parse-value';
import { expectMap, fail, stringOf } from './yaml-tree';
import type { MapEntry, TreeNode } from './yaml-tree';

/** A mapping node of the YAML tree. */
export type MapNode = Extract<TreeNode, { kind: 'map' }>;

/** The event names of an `event:` value (one or a list), each checked against the catalogue. */
export function eventNames(node: TreeNode, catalog: Catalog): string[] {
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

/** The type of property `path` of `events`, from the catalogue (`extra.*` and open events: inferred). */
export function propertyType(
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

/** The property filters of a `where:` mapping, typed from the events' catalogue entries. */
export function whereFilters(
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
