import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { formatSimulation } from './format';
import { runScenarioFile, type ScenarioRun } from './run-file';

const ROOT = path.resolve(__dirname, '../../../..');
const SCENARIOS = path.join(ROOT, 'config/scenarios');
const SEGMENTS = path.join(ROOT, 'config/segments');

function run(name: string): Extract<ScenarioRun, { ok: true }> {
  const r = runScenarioFile({ file: path.join(SCENARIOS, name), segmentsDir: SEGMENTS });
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r;
}

const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('pulse simulate: the shipped scenarios', () => {
  it.each(readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')))(
    '%s: valid, and every expectation holds',
    (name) => {
      const r = run(name);
      expect(r.segmentProblems).toEqual([]);
      expect(r.result.problems).toEqual([]);
      expect(r.scenario.expect.length).toBeGreaterThan(0);
    },
  );

  it('a cart abandoner enters Cart Abandoners at the exact minute the 30-minute timer fires', () => {
    const { result } = run('cart-abandoner.yaml');
    const entries = result.changes.filter(
      (c) => c.segmentId === 'cart-abandoners' && c.change === 'entered',
    );
    expect(entries).toEqual([
      expect.objectContaining({
        customerId: 'u:ada',
        at: utc('2026-03-02T10:30:00'),
        eventType: 'Cart Abandoned',
        cause: 'event',
      }),
    ]);
    // the Cart Abandoned came from the cart timer's own plan, not from the script
    expect(result.events).toContainEqual({
      at: utc('2026-03-02T10:30:00'),
      customerId: 'u:ada',
      type: 'Cart Abandoned',
      source: 'cart-abandonment-timer',
    });
    const exit = result.changes.find(
      (c) => c.segmentId === 'cart-abandoners' && c.change === 'exited',
    );
    expect(exit).toMatchObject({ at: utc('2026-03-03T09:15:00'), eventType: 'Order Completed' });
  });

  it('new cart activity restarts the window: entry 30 minutes after the last add', () => {
    const { result } = run('cart-pushed-back.yaml');
    const entries = result.changes.filter((c) => c.segmentId === 'cart-abandoners');
    expect(entries.map((c) => [c.change, c.at])).toEqual([['entered', utc('2026-03-02T14:50:00')]]);
    expect(result.events.filter((e) => e.type === 'Cart Abandoned')).toHaveLength(1);
  });

  it('a visitor leaves Recent Visitors on the exact day (and instant) 7 days after the last visit', () => {
    const { result } = run('recent-visitor.yaml');
    const changes = result.changes.filter((c) => c.segmentId === 'recent-visitors');
    expect(changes.map((c) => [c.change, new Date(c.at).toISOString(), c.cause])).toEqual([
      ['entered', '2026-03-02T09:00:00.000Z', 'event'],
      ['exited', '2026-03-11T18:30:00.000Z', 'clock'],
    ]);
  });

  it('a casual buyer is promoted to Loyal Customers on the purchase that makes it true', () => {
    const { result } = run('casual-to-loyal.yaml');
    const of = (id: string) => result.changes.filter((c) => c.segmentId === id);
    const loyal = of('loyal-customers');
    expect(loyal).toEqual([
      expect.objectContaining({
        change: 'entered',
        at: utc('2026-02-26T20:15:00'),
        eventType: 'Order Completed',
      }),
    ]);
    // a casual buyer since the first order, and still one when promoted
    expect(of('casual-buyers').map((c) => [c.change, c.at])).toEqual([
      ['entered', utc('2026-01-10T12:00:00')],
    ]);
    // the two orders before did not make it true
    const orders = result.events.filter((e) => e.type === 'Order Completed').map((e) => e.at);
    expect(orders).toHaveLength(3);
    expect(loyal[0]?.at).toBe(orders[2]);
  });

  it('prints each entry and exit with its virtual time', () => {
    const lines = formatSimulation(run('cart-abandoner.yaml').result, {
      segments: ['cart-abandoners'],
    });
    expect(lines).toEqual([
      '2026-03-02 10:30:00  u:ada  entered  cart-abandoners (v1)  on Cart Abandoned',
      '2026-03-03 09:15:00  u:ada  exited   cart-abandoners (v1)  on Order Completed',
    ]);
  });
});
