import { parseCondition } from './conditions';
import type { Condition } from './conditions';
import type { TemplateProblem } from './problems';
import { ProblemAt } from './problems';
import {
  entry,
  expectMap,
  expectSeq,
  numberOf,
  onlyKeys,
  parseYamlTree,
  required,
  stringOf,
} from './yaml-tree';
import type { MapNode, TreeNode } from './yaml-tree';

/** A piece of template source and where it starts in its file. */
export interface SourceAt {
  source: string;
  line: number;
}

export interface BlockVariant {
  name: string;
  priority: number;
  when: Condition | null;
  html: SourceAt;
  text: SourceAt | null;
}

/** A layered dynamic block: the first variant (by priority, highest first) whose `when` holds renders. */
export interface BlockDef {
  id: string;
  file: string;
  variants: BlockVariant[];
}

/** Line where a scalar's content starts: the next line for `|`/`>` block scalars. */
function contentLine(lines: readonly string[], node: TreeNode): number {
  const text = lines[node.line - 1]?.slice(node.column - 1) ?? '';
  return /^[|>]/.test(text) ? node.line + 1 : node.line;
}

function source(lines: readonly string[], node: TreeNode, what: string): SourceAt {
  return { source: stringOf(node, what), line: contentLine(lines, node) };
}

function variant(
  lines: readonly string[],
  m: MapNode,
  index: number,
  isDefault: boolean,
): BlockVariant {
  onlyKeys(
    m,
    isDefault ? ['html', 'text'] : ['name', 'priority', 'when', 'html', 'text'],
    isDefault ? 'default' : 'a variant',
  );
  const text = entry(m, 'text');
  const priority = entry(m, 'priority');
  return {
    name: isDefault ? 'default' : stringOf(required(m, 'name', 'a variant').value, 'name'),
    priority: isDefault
      ? Number.NEGATIVE_INFINITY
      : priority
        ? numberOf(priority.value, 'priority')
        : 0,
    when: isDefault ? null : parseCondition(required(m, 'when', 'a variant').value),
    html: source(
      lines,
      required(m, 'html', isDefault ? 'default' : `variant ${index + 1}`).value,
      'html',
    ),
    text: text ? source(lines, text.value, 'text') : null,
  };
}

/**
 * Parses a block file: `id`, `variants: [{name, priority, when, html, text?}]`, `default: {html,
 * text?}`. Variants are returned highest priority first (file order breaks ties); the default last.
 */
export function parseBlockFile(
  file: string,
  text: string,
): { block: BlockDef | null; problems: TemplateProblem[] } {
  const { tree, problems } = parseYamlTree(file, text);
  if (!tree) return { block: null, problems };
  const lines = text.split('\n');
  try {
    const root = expectMap(tree, 'a block file');
    onlyKeys(root, ['id', 'description', 'variants', 'default'], 'a block file');
    const variantsNode = entry(root, 'variants');
    const variants = variantsNode
      ? expectSeq(variantsNode.value, 'variants').items.map((n, i) =>
          variant(lines, expectMap(n, 'a variant'), i, false),
        )
      : [];
    const sorted = variants
      .map((v, i) => ({ v, i }))
      .sort((a, b) => b.v.priority - a.v.priority || a.i - b.i)
      .map((x) => x.v);
    const fallback = variant(
      lines,
      expectMap(required(root, 'default', 'a block file').value, 'default'),
      0,
      true,
    );
    const id = stringOf(required(root, 'id', 'a block file').value, 'id');
    return { block: { id, file, variants: [...sorted, fallback] }, problems: [] };
  } catch (err) {
    if (err instanceof ProblemAt)
      return {
        block: null,
        problems: [{ file, line: err.line, column: err.column, message: err.message }],
      };
    throw err;
  }
}
