import { parseDuration, parseYamlTree, type RuleProblem, type TreeNode } from '@pulse/rules';

/** What a step does: a Segment-spec message for one customer. */
export type StepAction =
  | { kind: 'track'; event: string; properties: Record<string, unknown> }
  | { kind: 'page'; name: string | null; properties: Record<string, unknown> }
  | { kind: 'identify'; traits: Record<string, unknown> };

export interface ScenarioStep {
  /** Virtual time (ms). */
  at: number;
  customer: string;
  action: StepAction;
  line: number;
}

export interface Expectation {
  at: number;
  customer: string;
  change: 'entered' | 'exited';
  segmentId: string;
  line: number;
}

/** A scripted customer journey (see config/scenarios/README.md). */
export interface Scenario {
  file: string;
  name: string;
  description: string;
  /** The clock runs (firing re-checks and cart timers) until this instant. */
  until: number;
  /** Cart-abandonment timer stages (ms), as CART_TIMER_STAGES. */
  cartStages: number[];
  /** Segments to report (empty: all). */
  segments: string[];
  steps: ScenarioStep[];
  expect: Expectation[];
}

export type ScenarioResult = { ok: true; value: Scenario } | { ok: false; problems: RuleProblem[] };

class At extends Error {
  constructor(
    readonly node: { line: number; column: number },
    message: string,
  ) {
    super(message);
  }
}

const TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** `2026-01-05T10:00` (UTC unless a zone is given), `2026-01-05`, or a full ISO instant. */
export function parseInstant(text: string): number | undefined {
  const m = TIME.exec(text.trim());
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? ''}${m[8] ?? 'Z'}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

function plain(node: TreeNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(plain);
  return Object.fromEntries(node.entries.map((e) => [e.key, plain(e.value)]));
}

type Fields = Map<string, { node: TreeNode; key: { line: number; column: number } }>;

function fields(node: TreeNode, allowed: readonly string[], what: string): Fields {
  if (node.kind !== 'map') throw new At(node, `${what} must be a mapping`);
  const out: Fields = new Map();
  for (const e of node.entries) {
    if (!allowed.includes(e.key))
      throw new At(e, `unknown key '${e.key}' in ${what} (expected one of: ${allowed.join(', ')})`);
    out.set(e.key, { node: e.value, key: e });
  }
  return out;
}

function text(node: TreeNode, what: string): string {
  if (node.kind !== 'scalar' || (typeof node.value !== 'string' && typeof node.value !== 'number'))
    throw new At(node, `${what} must be a text`);
  return String(node.value);
}

function instant(node: TreeNode, what: string): number {
  const ms = parseInstant(text(node, what));
  if (ms === undefined)
    throw new At(node, `${what} must be a time such as 2026-01-05T10:00 (UTC) or 2026-01-05`);
  return ms;
}

function duration(node: TreeNode, what: string): number {
  const value = text(node, what);
  if (/^\s*0+\s*[a-z]*\s*$/i.test(value)) return 0;
  const ms = parseDuration(value);
  if (typeof ms === 'string') throw new At(node, `${what}: ${ms}`);
  return ms;
}

function object(node: TreeNode | undefined, what: string): Record<string, unknown> {
  if (node === undefined) return {};
  if (node.kind !== 'map') throw new At(node, `${what} must be a mapping`);
  return plain(node) as Record<string, unknown>; // a map converts to a record
}

const STEP_KEYS = ['at', 'after', 'customer', 'track', 'page', 'identify', 'properties'];

function action(f: Fields, node: TreeNode): StepAction {
  const kinds = (['track', 'page', 'identify'] as const).filter((k) => f.has(k));
  if (kinds.length !== 1)
    throw new At(node, 'a step needs exactly one of track: <event>, page: <name>, identify: {..}');
  const props = object(f.get('properties')?.node, 'properties');
  const [kind] = kinds;
  const value = f.get(kind as string)?.node as TreeNode; // kind was found in f
  if (kind === 'track') return { kind, event: text(value, 'track'), properties: props };
  if (kind === 'page') {
    const name = value.kind === 'scalar' && value.value === null ? null : text(value, 'page');
    return { kind, name, properties: props };
  }
  if (f.has('properties')) throw new At(node, 'identify takes its traits inline, not properties:');
  return { kind: 'identify', traits: object(value, 'identify') };
}

function steps(node: TreeNode, defaultCustomer: string, problems: At[]): ScenarioStep[] {
  if (node.kind !== 'seq' || node.items.length === 0)
    throw new At(node, 'steps must be a non-empty list');
  const out: ScenarioStep[] = [];
  let previous: number | undefined;
  for (const item of node.items) {
    try {
      const f = fields(item, STEP_KEYS, 'a step');
      const at = f.get('at');
      const after = f.get('after');
      if ((at === undefined) === (after === undefined))
        throw new At(item, 'a step needs exactly one of at: <time> or after: <duration>');
      let t: number;
      if (at) t = instant(at.node, 'at');
      else if (previous === undefined)
        throw new At(item, 'the first step needs at: <time> (after: counts from the step before)');
      else t = previous + duration((after as { node: TreeNode }).node, 'after'); // one of them is set
      if (previous !== undefined && t < previous)
        throw new At(at?.node ?? item, 'steps must not go back in time');
      previous = t;
      const customer = f.get('customer');
      out.push({
        at: t,
        customer: customer ? text(customer.node, 'customer') : defaultCustomer,
        action: action(f, item),
        line: item.line,
      });
    } catch (err) {
      if (!(err instanceof At)) throw err;
      problems.push(err);
    }
  }
  return out;
}

function expectations(node: TreeNode, defaultCustomer: string, problems: At[]): Expectation[] {
  if (node.kind !== 'seq') throw new At(node, 'expect must be a list');
  const out: Expectation[] = [];
  for (const item of node.items) {
    try {
      const f = fields(item, ['at', 'customer', 'entered', 'exited'], 'an expectation');
      const change = f.has('entered') ? 'entered' : 'exited';
      const seg = f.get(change);
      const at = f.get('at');
      if (!seg || (f.has('entered') && f.has('exited')))
        throw new At(
          item,
          'an expectation needs exactly one of entered: <segment> or exited: <segment>',
        );
      if (!at) throw new At(item, 'an expectation needs at: <time>');
      const customer = f.get('customer');
      out.push({
        at: instant(at.node, 'at'),
        customer: customer ? text(customer.node, 'customer') : defaultCustomer,
        change,
        segmentId: text(seg.node, change),
        line: item.line,
      });
    } catch (err) {
      if (!(err instanceof At)) throw err;
      problems.push(err);
    }
  }
  return out;
}

/** CART_TIMER_STAGES' default. */
const DEFAULT_STAGES = [30 * 60_000, 24 * 3_600_000];

const TOP_KEYS = [
  'name',
  'description',
  'customer',
  'cart_stages',
  'segments',
  'until',
  'run_for',
  'steps',
  'expect',
];

function build(file: string, tree: TreeNode, problems: At[]): Scenario {
  const f = fields(tree, TOP_KEYS, 'a scenario');
  const need = (k: string) => {
    const v = f.get(k);
    if (!v) throw new At(tree, `missing required key '${k}'`);
    return v.node;
  };
  const customer = f.get('customer') ? text(need('customer'), 'customer') : 'customer-1';
  const list = (k: string, each: (n: TreeNode) => string) => {
    const n = f.get(k)?.node;
    if (n === undefined) return undefined;
    if (n.kind !== 'seq') throw new At(n, `${k} must be a list`);
    return n.items.map(each);
  };
  const stagesNode = f.get('cart_stages')?.node;
  if (stagesNode !== undefined && (stagesNode.kind !== 'seq' || stagesNode.items.length === 0))
    throw new At(stagesNode, 'cart_stages must be a non-empty list of durations such as 30m');
  const cartStages =
    stagesNode?.kind === 'seq'
      ? stagesNode.items.map((n) => duration(n, 'a stage'))
      : DEFAULT_STAGES;
  const stepList = steps(need('steps'), customer, problems);
  const last = stepList[stepList.length - 1]?.at ?? 0;
  if (f.has('until') && f.has('run_for')) throw new At(tree, 'give until: or run_for:, not both');
  const until = f.has('until')
    ? instant(need('until'), 'until')
    : last + (f.has('run_for') ? duration(need('run_for'), 'run_for') : 0);
  if (until < last) throw new At(need('until'), 'until is before the last step');
  return {
    file,
    name: text(need('name'), 'name'),
    description: f.has('description') ? text(need('description'), 'description') : '',
    until,
    cartStages,
    segments: list('segments', (n) => text(n, 'a segment id')) ?? [],
    steps: stepList,
    expect: f.has('expect') ? expectations(need('expect'), customer, problems) : [],
  };
}

/** Parses and validates a scenario file; problems carry file, line and column. */
export function parseScenario(file: string, source: string): ScenarioResult {
  const { tree, problems } = parseYamlTree(file, source);
  if (tree === null) return { ok: false, problems };
  const found: At[] = [];
  let scenario: Scenario | undefined;
  try {
    scenario = build(file, tree, found);
  } catch (err) {
    if (!(err instanceof At)) throw err;
    found.push(err);
  }
  if (found.length > 0 || scenario === undefined)
    return {
      ok: false,
      problems: found.map((e) => ({
        file,
        line: e.node.line,
        column: e.node.column,
        message: e.message,
      })),
    };
  return { ok: true, value: scenario };
}
