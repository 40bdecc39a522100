import type { PulseEvent } from '@pulse/contracts';
import type { RuleProblem, SegmentSet } from '@pulse/rules';
import type { FoldOptions } from '@pulse/profile-builder/dist/fold-options';
import { MemorySegments, type SimulatedChange } from './memory-segments';
import { StepRejected, UpstreamPipeline } from './pipeline';
import type { Scenario } from './scenario';

/** An event that reached events.v1 in the simulation (scripted, or from the cart timer). */
export interface SimulatedEvent {
  at: number;
  customerId: string;
  type: string;
  source: 'scenario' | 'cart-abandonment-timer';
}

export interface SimulationResult {
  changes: SimulatedChange[];
  events: SimulatedEvent[];
  /** Steps the live services would have refused, expectations and names that do not hold. */
  problems: RuleProblem[];
}

export interface SimulateOptions {
  scenario: Scenario;
  set: SegmentSet;
  foldOptions: FoldOptions;
}

/** Timers fired at one instant before we call the rules stuck (a flip that does not move time). */
const MAX_FIRES_PER_INSTANT = 1000;

type TimerKind = 'cart' | 'segments';

/**
 * Plays a scenario with a virtual clock: each step goes through ingest, the profile builder,
 * the cart timer and the segmenter (their real pure code, state in memory); between steps the
 * clock jumps to each due timer — the cart timer's Cart Abandoned, the segmenter's re-check at a
 * rule's `nextFlipAt` — in due order, up to `scenario.until`. Pure and deterministic.
 */
export function simulate(options: SimulateOptions): SimulationResult {
  const { scenario, set } = options;
  const upstream = new UpstreamPipeline({
    set,
    foldOptions: options.foldOptions,
    cartStages: scenario.cartStages,
  });
  const segments = new MemorySegments(set);
  const timers = new Map<string, { kind: TimerKind; key: string; due: number }>();
  const result: SimulationResult = { changes: [], events: [], problems: [] };
  const problem = (line: number, message: string) =>
    result.problems.push({ file: scenario.file, line, column: 1, message });

  const setTimer = (kind: TimerKind, key: string, due: number | null | undefined) => {
    if (due === null || due === undefined) timers.delete(`${kind}:${key}`);
    else timers.set(`${kind}:${key}`, { kind, key, due });
  };
  const report = (out: { changes: SimulatedChange[]; recheckAt: number | null }, id: string) => {
    result.changes.push(...out.changes);
    setTimer('segments', id, out.recheckAt);
  };
  // A moved population re-checks its other members at once (the live service: those between
  // the old and new percentile cut).
  const populationMoved = (except: string, at: number) => {
    if (set.metrics.length === 0) return;
    for (const id of segments.populationMembers()) if (id !== except) setTimer('segments', id, at);
  };
  const publish = (
    event: PulseEvent,
    userId: string,
    at: number,
    source: SimulatedEvent['source'],
  ) => {
    const customerId = `u:${userId}`;
    result.events.push({ at, customerId, type: event.type, source });
    setTimer('cart', userId, upstream.cart(event, userId));
    report(segments.change(upstream.fold(event, customerId, at), at), customerId);
    populationMoved(customerId, at);
  };

  const fire = (t: { kind: TimerKind; key: string; due: number }) => {
    timers.delete(`${t.kind}:${t.key}`);
    if (t.kind === 'segments') return report(segments.recheck(t.key, t.due), t.key);
    const fired = upstream.fireCart(t.key, t.due);
    setTimer('cart', t.key, fired.nextDue);
    if (fired.event) publish(fired.event, t.key, t.due, 'cart-abandonment-timer');
  };
  const nextTimer = () => {
    let next: { kind: TimerKind; key: string; due: number } | undefined;
    for (const t of timers.values())
      if (!next || t.due < next.due || (t.due === next.due && t.kind === 'cart')) next = t;
    return next;
  };

  let fires = 0;
  let lastInstant = -Infinity;
  for (let i = 0; ;) {
    const step = scenario.steps[i];
    const timer = nextTimer();
    // Timers due at or before the next step fire first: they were due before it happened.
    if (timer && timer.due <= scenario.until && (!step || timer.due <= step.at)) {
      fires = timer.due === lastInstant ? fires + 1 : 0;
      lastInstant = timer.due;
      if (fires > MAX_FIRES_PER_INSTANT) {
        problem(
          0,
          `re-checks keep firing at ${new Date(timer.due).toISOString()} (a rule whose flip does not move time)`,
        );
        break;
      }
      fire(timer);
      continue;
    }
    if (!step) break;
    i += 1;
    try {
      publish(upstream.ingest(step), step.customer, step.at, 'scenario');
    } catch (err) {
      if (!(err instanceof StepRejected)) throw err;
      problem(step.line, `event rejected by ${err.message}`);
    }
  }
  checkExpectations(scenario, set, result, problem);
  return result;
}

function checkExpectations(
  scenario: Scenario,
  set: SegmentSet,
  result: SimulationResult,
  problem: (line: number, message: string) => void,
): void {
  for (const id of scenario.segments)
    if (!set.get(id)) problem(0, `segments: unknown segment '${id}'`);
  for (const e of scenario.expect) {
    if (!set.get(e.segmentId)) {
      problem(e.line, `unknown segment '${e.segmentId}'`);
      continue;
    }
    const customerId = `u:${e.customer}`;
    const same = result.changes.filter(
      (c) => c.customerId === customerId && c.segmentId === e.segmentId && c.change === e.change,
    );
    if (same.some((c) => c.at === e.at)) continue;
    const got = same.map((c) => new Date(c.at).toISOString()).join(', ') || 'never';
    problem(
      e.line,
      `expected ${e.customer} ${e.change} ${e.segmentId} at ${new Date(e.at).toISOString()}; got: ${got}`,
    );
  }
}
