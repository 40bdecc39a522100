import { describe, expect, it } from '@jest/globals';
import { buildCatalog } from './catalog';
import { distributionFromValues } from './distribution';
import { formatProblem } from './problems';
import { loadSegmentSet } from './segment-set';
import { ev, snapshotFrom } from './snapshot-from';
import type { AggregateEvent } from './aggregates';

const D = 86_400_000;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);
const catalog = buildCatalog();

function fileOf(rule: string): string {
  return `id: s\nname: S\ndescription: d\nrule:\n${rule.replace(/^/gm, '  ')}\n`;
}

function load(rule: string) {
  const { set, problems } = loadSegmentSet([{ file: 's.yaml', text: fileOf(rule) }], { catalog });
  expect(problems.map(formatProblem)).toEqual([]);
  return set;
}

function problemsOf(rule: string): string[] {
  return loadSegmentSet([{ file: 's.yaml', text: fileOf(rule) }], { catalog }).problems.map(
    formatProblem,
  );
}

/**
 * Drives a customer through a sequence of profiles the way the segmenter does: each evaluation
 * sees the membership the previous one stored. Returns how many entries and exits happened.
 */
function transitions(
  run: (events: readonly AggregateEvent[], member: boolean) => boolean,
  steps: readonly (readonly AggregateEvent[])[],
): { entries: number; exits: number } {
  let member = false;
  let entries = 0;
  let exits = 0;
  for (const events of steps) {
    const next = run(events, member);
    if (next && !member) entries++;
    if (!next && member) exits++;
    member = next;
  }
  return { entries, exits };
}

describe('hysteresis on a threshold (enter above 200, leave below 180)', () => {
  const rule = 'event: Order Completed\nsum: total\ngt: 200\nin_last: 30d';
  const order = (t: number, total: number) => ev('Order Completed', t, { total });
  // Spend in the last 30 days hovers around 200: 205, 195, 205, 195... as orders age out.
  const steps = Array.from({ length: 8 }, (_, i) => [order(T0 + i * D, i % 2 === 0 ? 205 : 195)]);
  const runner =
    (set: ReturnType<typeof load>) => (events: readonly AggregateEvent[], member: boolean) =>
      set.evaluate({
        customerId: 'c1',
        profile: snapshotFrom(set.aggregates, { events }),
        now: T0 + 8 * D,
        memberships: new Set(member ? ['s'] : []),
      })[0]?.member ?? false;

  it('without it, a value hovering at the boundary enters and exits on every change', () => {
    expect(transitions(runner(load(rule)), steps)).toEqual({ entries: 4, exits: 4 });
  });

  it('with exit_below: 180, it enters once and stays', () => {
    const set = load(`${rule}\nexit_below: 180`);
    expect(transitions(runner(set), steps)).toEqual({ entries: 1, exits: 0 });
    // A member leaves once the value falls below the exit bound.
    expect(runner(set)([order(T0, 179)], true)).toBe(false);
    expect(runner(set)([order(T0, 180)], true)).toBe(true);
  });

  it('a member is held to the exit bound also for the time-driven flip', () => {
    const set = load(`${rule}\nexit_below: 180`);
    const events = [order(T0, 150), order(T0 + 10 * D, 50)];
    const at = (member: boolean) =>
      set.evaluate({
        customerId: 'c1',
        profile: snapshotFrom(set.aggregates, { events }),
        now: T0 + 11 * D,
        memberships: new Set(member ? ['s'] : []),
      })[0];
    expect(at(false)).toMatchObject({ member: false, nextFlipAt: null }); // 200 is not > 200
    // A member stays at 200 ≥ 180 until the 150 leaves the window (then 50 < 180).
    expect(at(true)).toMatchObject({ member: true, nextFlipAt: T0 + 30 * D });
  });
});

describe('hysteresis on a percentile (top 10%, leave below the top 12%)', () => {
  const rule = 'metric: { event: Order Completed, fn: sum, property: total }\ntop_percent: 10';
  const check = (set: ReturnType<typeof load>, total: number, member: boolean) => {
    const metric = set.metrics[0]?.id ?? '';
    const distributions = new Map([
      [metric, distributionFromValues(Array.from({ length: 100 }, (_, i) => i + 1))],
    ]);
    return (
      set.evaluate({
        customerId: 'c1',
        profile: snapshotFrom(set.aggregates, { events: [ev('Order Completed', T0, { total })] }),
        now: T0,
        distributions,
        memberships: new Set(member ? ['s'] : []),
      })[0]?.member ?? false
    );
  };

  it('a customer whose rank moves between the 11th and 9th percent does not flap', () => {
    const plain = load(rule);
    const sticky = load(`${rule}\nexit_below_top_percent: 12`);
    // Values 91 (top 10%) and 89.5 (top 11%) alternate against the same population.
    const values = [91, 89.5, 91, 89.5, 91, 89.5];
    const flaps = (set: ReturnType<typeof load>) =>
      transitions(
        (events, member) => check(set, Number(events[0]?.properties.total), member),
        values.map((total) => [ev('Order Completed', T0, { total })]),
      );
    expect(flaps(plain)).toEqual({ entries: 3, exits: 3 });
    expect(flaps(sticky)).toEqual({ entries: 1, exits: 0 });
    expect(check(sticky, 89, true)).toBe(true); // 89 > the 88th percentile (88)
    expect(check(sticky, 88, true)).toBe(false); // below the top 12%: leaves
    expect(check(sticky, 89.5, false)).toBe(false); // a non-member still needs the top 10%
  });
});

describe('exit bounds are validated at load', () => {
  it.each([
    ['event: Order Completed\nsum: total\ngt: 200\nin_last: 30d\nexit_below: 250', /at most/],
    ['event: Order Completed\nsum: total\ngt: 200\nin_last: 30d\nexit_above: 180', /exit_below/],
    ['event: Order Completed\nsum: total\neq: 200\nin_last: 30d\nexit_below: 180', /gt\/gte/],
    [
      'event: Order Completed\nsum: total\ngt: 200\nin_last: 30d\nexit_below: 180\nexit_above: 300',
      /one exit bound/,
    ],
    ['rate: open\nlt: 20%\nin_last: 90d\nexit_above: 10%', /at least/],
    [
      'metric: { event: Order Completed, fn: sum, property: total }\ntop_percent: 10\nexit_below_top_percent: 8',
      /at least top_percent/,
    ],
    [
      'metric: { event: Order Completed, fn: sum, property: total }\nquintile: 5\nexit_below_percentile: 70',
      /goes with above_percentile/,
    ],
    [
      'not:\n  event: Order Completed\n  count: { at_least: 3 }\n  in: all_time\n  exit_below: 2',
      /not/,
    ],
  ])('%s', (rule, message) => {
    const problems = problemsOf(rule);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).toMatch(/^s\.yaml:\d+:\d+: /);
  });

  it('rates take exit bounds as percentages', () => {
    const set = load('rate: open\nlt: 20%\nin_last: 90d\nmin_emails: 3\nexit_above: 25%');
    expect(set.segments[0]?.definition.rule).toMatchObject({
      kind: 'ratio',
      cmp: { op: 'lt', value: 0.2 },
      stay: { op: 'lte', value: 0.25 },
    });
  });
});
