import Handlebars from 'handlebars';
import type { TemplateProblem } from './problems';

type Node = hbs.AST.Node;
type Expr = hbs.AST.Expression;

/** What a template may name: helpers, partials, blocks and root variables. */
export interface Known {
  helpers: ReadonlySet<string>;
  partials: ReadonlySet<string>;
  blocks: ReadonlySet<string>;
  /** Top-level names of the render data; `{{x.y}}` outside `each`/`with` must start with one. */
  variables: ReadonlySet<string>;
}

/** Names templates may read at the root of the render data (documented in the README). */
export const ROOT_VARIABLES: readonly string[] = [
  'customer',
  'profile',
  'cart',
  'recommendations',
  'campaign',
  'links',
  'trigger',
  'subject',
  'preheader',
  'body',
  'now',
  '$locale',
  '$timeZone',
  '$currency',
];

const SCOPING = new Set(['each', 'with']);

/** The line of a Handlebars parse error ("Parse error on line 3:"), else 1. */
function parseErrorLine(message: string): number {
  const m = /line (\d+)/.exec(message);
  return m?.[1] ? Number(m[1]) : 1;
}

/**
 * Parses `source` and reports unknown helpers, partials, blocks and root variables with their
 * file and line (`lineOffset` shifts lines for templates embedded in YAML). Pure.
 */
export function validateTemplate(
  file: string,
  source: string,
  known: Known,
  lineOffset = 0,
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return [
      {
        file,
        line: parseErrorLine(message) + lineOffset,
        column: 1,
        message: message.split('\n')[0] ?? message,
      },
    ];
  }
  const report = (node: Node, message: string) =>
    problems.push({
      file,
      line: (node.loc?.start.line ?? 1) + lineOffset,
      column: (node.loc?.start.column ?? 0) + 1,
      message,
    });

  const checkPath = (p: hbs.AST.PathExpression, scoped: boolean) => {
    if (p.data) {
      if (p.parts[0] === 'root' && p.parts[1] !== undefined && !known.variables.has(p.parts[1]))
        report(
          p,
          `unknown variable "@root.${p.parts[1]}" (known: ${[...known.variables].join(', ')})`,
        );
      return;
    }
    if (scoped || p.depth > 0 || p.original === 'this' || p.original.startsWith('this.')) return;
    const head = p.parts[0];
    if (head !== undefined && !known.variables.has(head))
      report(p, `unknown variable "${p.original}" (known: ${[...known.variables].join(', ')})`);
  };

  const checkExpr = (e: Expr | undefined, scoped: boolean) => {
    if (!e) return;
    if (e.type === 'PathExpression') checkPath(e as hbs.AST.PathExpression, scoped);
    else if (e.type === 'SubExpression') checkCall(e as hbs.AST.SubExpression, scoped);
  };

  const checkCall = (
    n: { path: Expr; params: Expr[]; hash?: hbs.AST.Hash } & Node,
    scoped: boolean,
  ) => {
    const path = n.path as hbs.AST.PathExpression;
    const name = path.original;
    const isCall =
      n.params.length > 0 || (n.hash?.pairs.length ?? 0) > 0 || n.type === 'SubExpression';
    if (known.helpers.has(name)) {
      if (name === 'block') {
        const id = n.params[0];
        if (id?.type !== 'StringLiteral')
          report(n, 'block needs the block id as a quoted text: {{block "hero"}}');
        else if (!known.blocks.has((id as hbs.AST.StringLiteral).value))
          report(
            n,
            `unknown block "${(id as hbs.AST.StringLiteral).value}" (known: ${[...known.blocks].join(', ') || 'none'})`,
          );
      }
    } else if (isCall) {
      report(n, `unknown helper "${name}"`);
    } else {
      checkPath(path, scoped);
    }
    for (const p of n.params) checkExpr(p, scoped);
    for (const pair of n.hash?.pairs ?? []) checkExpr(pair.value, scoped);
  };

  const walk = (node: Node, scoped: boolean): void => {
    switch (node.type) {
      case 'Program':
        for (const s of (node as hbs.AST.Program).body) walk(s, scoped);
        return;
      case 'MustacheStatement':
        checkCall(node as hbs.AST.MustacheStatement, scoped);
        return;
      case 'BlockStatement': {
        const b = node as hbs.AST.BlockStatement;
        const name = (b.path as hbs.AST.PathExpression).original;
        if (!known.helpers.has(name))
          report(b, `unknown block helper "${name}" (use if, unless, each, with)`);
        for (const p of b.params) checkExpr(p, scoped);
        walk(b.program, scoped || SCOPING.has(name));
        if (b.inverse) walk(b.inverse, scoped);
        return;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const p = node as hbs.AST.PartialStatement;
        const nameNode = p.name as hbs.AST.Node; // the grammar also allows a quoted partial name
        const name =
          nameNode.type === 'StringLiteral'
            ? (nameNode as hbs.AST.StringLiteral).value
            : (nameNode as hbs.AST.PathExpression).original;
        if (!known.partials.has(name))
          report(
            p,
            `unknown partial "${name}" (known: ${[...known.partials].join(', ') || 'none'})`,
          );
        return;
      }
      default:
        return;
    }
  };
  walk(ast, false);
  return problems;
}
