import type { Condition, Metric, NumberCmp, Window } from './ast';
import type { AggregateState } from './aggregates';
import { stableBucket } from './canonical';
import { coerce, compareNumber, compareValue, valueFlipAt } from './compare';
import type { Distributions } from './distribution';
import type { ProfileView } from './profile-view';
import { firstIndex, windowFlipAt, windowStart, windowTotals } from './windows';

/** What a compiled condition reads at evaluation. */
export interface EvalContext {
  view: ProfileView;
  now: number;
  distributions: Distributions;
  /** Membership of another segment (this pass's result, else the stored one). */
  member(id: string): boolean;
  /** When that membership can flip with time alone (Infinity: never). */
  memberFlip(id: string): number;
  /**
   * Whether the customer is (stored as) a member of the segment being evaluated: leaves with an
   * exit bound (`stay`) test it instead of the entry comparison. Set per segment by the caller.
   */
  self: boolean;
}

/** A compiled condition: its truth, and the earliest instant time alone can change it. */
export interface CompiledNode {
  ev(ctx: EvalContext): boolean;
  /** Earliest instant > now at which `ev` may answer differently with no other change; Infinity if never. */
  flip(ctx: EvalContext): number;
}

const NEVER = (): number => Infinity;

function readValue(
  ctx: EvalContext,
  source: 'trait' | 'field',
  name: string,
  subPath: readonly string[],
): unknown {
  let v: unknown =
    source === 'trait'
      ? ctx.view.trait(name)
      : (ctx.view.profile as unknown as Record<string, unknown>)[name]; // snapshot fields by catalog name
  for (const key of subPath) {
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined; // JSON object
  }
  return v;
}

/** A metric's value for this profile (`undefined` when it has none). */
export function metricValue(metric: Metric, view: ProfileView): number | undefined {
  if (metric.kind === 'trait') {
    const v = view.trait(metric.name);
    const n = coerce('number', v) ?? coerce('date', v);
    return typeof n === 'number' ? n : undefined;
  }
  const s: AggregateState | undefined = view.aggregate(metric.agg.id);
  switch (metric.fn) {
    case 'count':
      return s?.n ?? 0;
    case 'sum':
      return s?.s ?? 0;
    case 'avg':
      return s !== undefined && s.n > 0 ? s.s / s.n : undefined;
    case 'last':
      return s?.l ?? undefined;
    case 'first':
      return s?.f ?? undefined;
  }
}

const QUINTILE_CUTS = [20, 40, 60, 80];

function percentileNode(c: Extract<Condition, { kind: 'percentile' }>): CompiledNode {
  const { metric } = c;
  return {
    ev(ctx) {
      const test = ctx.self && c.stay !== undefined ? c.stay : c.test;
      const dist = ctx.distributions.get(metric.id);
      const v = metricValue(metric, ctx.view);
      if (dist === undefined || v === undefined) return false;
      if (test.kind !== 'quintile') {
        const cut = dist.valueAt(test.kind === 'top' ? 100 - test.percent : test.percentile);
        return cut !== undefined && v > cut;
      }
      let q = 1;
      for (const p of QUINTILE_CUTS) {
        const cut = dist.valueAt(p);
        if (cut !== undefined && v > cut) q++;
      }
      return q >= test.low && q <= test.high;
    },
    flip: NEVER,
  };
}

type Side = { t: number; num: number; den: number };

function ratioNode(c: Extract<Condition, { kind: 'ratio' }>): CompiledNode {
  const { numerator, denominator, window, minDenominator } = c;
  const cmpOf = (ctx: EvalContext) => (ctx.self && c.stay !== undefined ? c.stay : c.cmp);
  const passes = (cmp: NumberCmp, num: number, den: number) =>
    den > 0 && den >= minDenominator && compareNumber(num / den, cmp);
  /** The in-window contributions, ascending by time. */
  const sides = (ctx: EvalContext): Side[] => {
    const n = ctx.view.aggregate(numerator.id);
    const d = ctx.view.aggregate(denominator.id);
    const de = d?.e ?? [];
    const ne = n?.e ?? [];
    let from: number;
    if (window.kind === 'count') from = Math.max(0, de.length - window.n);
    else if (window.kind === 'all') from = 0;
    else from = firstIndex(de, windowStart(window, ctx.now));
    const out: Side[] = [];
    const keyed = numerator.distinct !== null && numerator.distinct === denominator.distinct;
    if (keyed) {
      const keys = new Set<string | undefined>();
      for (const x of ne) if (x[2] !== undefined) keys.add(x[2]);
      for (let i = from; i < de.length; i++) {
        const x = de[i];
        if (x !== undefined)
          out.push({ t: x[0], num: x[2] !== undefined && keys.has(x[2]) ? 1 : 0, den: 1 });
      }
      return out;
    }
    for (let i = from; i < de.length; i++) out.push({ t: de[i]?.[0] ?? 0, num: 0, den: 1 });
    const start =
      window.kind === 'count'
        ? (de[from]?.[0] ?? Infinity)
        : window.kind === 'all'
          ? -Infinity
          : windowStart(window, ctx.now);
    for (const x of ne) if (x[0] >= start) out.push({ t: x[0], num: 1, den: 0 });
    return out.sort((a, b) => a.t - b.t);
  };
  const totals = (list: readonly Side[]): [number, number] => {
    let num = 0;
    let den = 0;
    for (const s of list) {
      num += s.num;
      den += s.den;
    }
    return [num, den];
  };
  return {
    ev(ctx) {
      const [num, den] = totals(sides(ctx));
      return passes(cmpOf(ctx), num, den);
    },
    flip(ctx) {
      if (window.kind === 'count' || window.kind === 'all') return Infinity;
      const cmp = cmpOf(ctx);
      const test = (num: number, den: number) => passes(cmp, num, den);
      const list = sides(ctx);
      let [num, den] = totals(list);
      const current = test(num, den);
      if (window.kind === 'calendar') {
        return windowFlipAt(undefined, window, ctx.now, current, () => test(0, 0));
      }
      for (let i = 0; i < list.length;) {
        const t = list[i]?.t ?? 0;
        while (i < list.length && list[i]?.t === t) {
          num -= list[i]?.num ?? 0;
          den -= list[i]?.den ?? 0;
          i++;
        }
        if (test(num, den) !== current) return t + window.ms;
      }
      return Infinity;
    },
  };
}

/** `test` gets the comparison to apply: the entry one, or the exit bound for a member. */
function windowNode(
  agg: string,
  window: Window,
  entry: NumberCmp,
  stay: NumberCmp | undefined,
  test: (cmp: NumberCmp, count: number, sum: number) => boolean,
): CompiledNode {
  const cmpOf = (ctx: EvalContext) => (ctx.self && stay !== undefined ? stay : entry);
  return {
    ev(ctx) {
      const { count, sum } = windowTotals(ctx.view.aggregate(agg), window, ctx.now);
      return test(cmpOf(ctx), count, sum);
    },
    flip(ctx) {
      const cmp = cmpOf(ctx);
      const at = (count: number, sum: number) => test(cmp, count, sum);
      const state = ctx.view.aggregate(agg);
      const { count, sum } = windowTotals(state, window, ctx.now);
      return windowFlipAt(state, window, ctx.now, at(count, sum), at);
    },
  };
}

function recencyNode(c: Extract<Condition, { kind: 'recency' }>): CompiledNode {
  const { agg, mode, ms } = c;
  const within = (last: number | null | undefined, now: number) =>
    last !== null && last !== undefined && now - last < ms;
  return {
    ev(ctx) {
      const hit = within(ctx.view.aggregate(agg.id)?.l, ctx.now);
      return mode === 'within' ? hit : !hit;
    },
    flip(ctx) {
      const last = ctx.view.aggregate(agg.id)?.l;
      return within(last, ctx.now) ? (last ?? 0) + ms : Infinity;
    },
  };
}

function combine(kind: 'all' | 'any', children: CompiledNode[]): CompiledNode {
  const stuck = kind === 'all' ? false : true; // a child stuck at this value decides forever
  return {
    ev:
      kind === 'all'
        ? (ctx) => children.every((c) => c.ev(ctx))
        : (ctx) => children.some((c) => c.ev(ctx)),
    flip(ctx) {
      let min = Infinity;
      for (const c of children) {
        const f = c.flip(ctx);
        if (f === Infinity && c.ev(ctx) === stuck) return Infinity;
        if (f < min) min = f;
      }
      return min;
    },
  };
}

/** Compiles a condition into closures (the definition is not consulted again). */
export function compileCondition(c: Condition): CompiledNode {
  switch (c.kind) {
    case 'all':
    case 'any':
      return combine(c.kind, c.of.map(compileCondition));
    case 'not': {
      const inner = compileCondition(c.of);
      return { ev: (ctx) => !inner.ev(ctx), flip: (ctx) => inner.flip(ctx) };
    }
    case 'value': {
      const { source, name, subPath, type, cmp } = c;
      const read = (ctx: EvalContext) => coerce(type, readValue(ctx, source, name, subPath));
      const timed = cmp.op === 'within' || cmp.op === 'not_within';
      return {
        ev: (ctx) => compareValue(read(ctx), cmp, ctx.now),
        flip: timed ? (ctx) => valueFlipAt(read(ctx), cmp, ctx.now) : NEVER,
      };
    }
    case 'count':
      return windowNode(c.agg.id, c.window, c.cmp, c.stay, (cmp, count) =>
        compareNumber(count, cmp),
      );
    case 'stat':
      return windowNode(c.agg.id, c.window, c.cmp, c.stay, (cmp, count, sum) =>
        compareNumber(c.fn === 'sum' ? sum : count > 0 ? sum / count : undefined, cmp),
      );
    case 'recency':
      return recencyNode(c);
    case 'after': {
      const { agg, than } = c;
      return {
        ev(ctx) {
          const a = ctx.view.aggregate(agg.id)?.l;
          const b = ctx.view.aggregate(than.id)?.l;
          return a !== null && a !== undefined && (b === null || b === undefined || a > b);
        },
        flip: NEVER,
      };
    }
    case 'ratio':
      return ratioNode(c);
    case 'percentile':
      return percentileNode(c);
    case 'segment':
      return { ev: (ctx) => ctx.member(c.id), flip: (ctx) => ctx.memberFlip(c.id) };
    case 'bucket': {
      const { salt, from, to } = c;
      return {
        ev(ctx) {
          const b = stableBucket(ctx.view.customerId, salt);
          return b >= from && b < to;
        },
        flip: NEVER,
      };
    }
  }
}
