import { describe, expect, it } from '@jest/globals';
import { parseScenario } from './scenario';

const messages = (text: string) => {
  const r = parseScenario('bad.yaml', text);
  if (r.ok) throw new Error('expected problems');
  return r.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`);
};

describe('parseScenario', () => {
  it('reads steps at absolute and relative virtual times', () => {
    const r = parseScenario(
      'ok.yaml',
      'name: x\ncustomer: ann\nrun_for: 1d\nsteps:\n  - at: 2026-01-05T10:00\n    page: Home\n  - after: 31m\n    track: Product Added\n    properties: { product_id: p1 }\n',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.value.steps.map((s) => [s.at, s.customer, s.action.kind])).toEqual([
      [Date.UTC(2026, 0, 5, 10), 'ann', 'page'],
      [Date.UTC(2026, 0, 5, 10, 31), 'ann', 'track'],
    ]);
    expect(r.value.until).toBe(Date.UTC(2026, 0, 6, 10, 31));
    expect(r.value.cartStages).toEqual([1_800_000, 86_400_000]);
  });

  it('reports every problem with file, line and column', () => {
    expect(
      messages(
        'name: x\nsteps:\n  - after: 5m\n    page: Home\n  - at: 2026-13-45\n    page: Home\n  - at: 2026-01-01\n    track: A\n    colour: red\n  - at: 2026-01-01\n    after: xyz\n    page: Home\n',
      ),
    ).toEqual([
      'bad.yaml:3:5: the first step needs at: <time> (after: counts from the step before)',
      'bad.yaml:5:9: at must be a time such as 2026-01-05T10:00 (UTC) or 2026-01-05',
      "bad.yaml:9:5: unknown key 'colour' in a step (expected one of: at, after, customer, track, page, identify, properties)",
      'bad.yaml:10:5: a step needs exactly one of at: <time> or after: <duration>',
    ]);
  });

  it('refuses steps that go back in time, bad expectations and YAML syntax errors', () => {
    expect(
      messages(
        'name: x\nsteps:\n  - at: 2026-01-02\n    page: Home\n  - at: 2026-01-01\n    page: Home\nexpect:\n  - { at: 2026-01-02, joined: vip }\n',
      ),
    ).toEqual([
      'bad.yaml:5:9: steps must not go back in time',
      "bad.yaml:8:23: unknown key 'joined' in an expectation (expected one of: at, customer, entered, exited)",
    ]);
    expect(messages('name: [\n')[0]).toMatch(/^bad\.yaml:\d+:\d+: /);
  });
});
