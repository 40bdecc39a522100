import { describe, expect, it } from '@jest/globals';
import { env } from './env';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it('reads bare milliseconds and ms, s, m, h, d units', () => {
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('7d')).toBe(604_800_000);
  });

  it('refuses anything else', () => {
    for (const text of ['', 's', '-1s', '1w', '1 h 2m', 'ten']) {
      expect(parseDuration(text)).toBeUndefined();
    }
  });

  it('prints the shortest exact spelling', () => {
    expect(formatDuration(10_000)).toBe('10s');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(1_500)).toBe('1500ms');
    expect(formatDuration(0)).toBe('0ms');
  });
});

describe('env builders', () => {
  it('refuse a bad declaration at once', () => {
    expect(() => env.int({ env: 'lower_case', doc: 'x' })).toThrow('UPPER_SNAKE_CASE');
    expect(() => env.int({ env: 'A', doc: ' ' })).toThrow('A needs a doc line');
    expect(() => env.int({ env: 'A', default: 0, min: 1, doc: 'x' })).toThrow(
      'A: default 0 is not an integer of at least 1',
    );
    expect(() => env.enum({ env: 'A', values: ['x'], default: 'x', doc: 'x' })).not.toThrow();
    expect(() => env.duration({ env: 'A', default: 'soon', doc: 'x' })).toThrow(
      'A: default soon is not a duration',
    );
  });

  it('int refuses fractions, words and unsafe integers', () => {
    const port = env.int({ env: 'PORT', doc: 'Port.' });
    expect(port.read('42')).toEqual({ ok: true, value: 42 });
    for (const bad of ['4.2', '0x10', '1e3', '99999999999999999999']) {
      expect(port.read(bad).ok).toBe(false);
    }
  });

  it('bool accepts the usual spellings', () => {
    const flag = env.bool({ env: 'FLAG', doc: 'Flag.' });
    expect(['true', 'ON', '1', 'yes'].map((t) => flag.read(t))).toEqual(
      Array(4).fill({ ok: true, value: true }),
    );
    expect(['false', 'Off', '0', 'no'].map((t) => flag.read(t))).toEqual(
      Array(4).fill({ ok: true, value: false }),
    );
  });

  it('list takes a separator and needs one item', () => {
    const topics = env.list({ env: 'TOPICS', separator: ';', doc: 'Topics.' });
    expect(topics.read('a; b')).toEqual({ ok: true, value: ['a', 'b'] });
    expect(topics.read(';;').ok).toBe(false);
  });

  it('optional without default yields undefined, required without value is a problem', () => {
    const optional = env.string({ env: 'OPT', optional: true, doc: 'Opt.' });
    const required = env.string({ env: 'REQ', doc: 'Req.' });
    expect(optional.read(undefined)).toEqual({ ok: true, value: undefined });
    expect(optional.required).toBe(false);
    expect(required.required).toBe(true);
    expect(required.read(undefined)).toEqual({
      ok: false,
      problem: {
        env: 'REQ',
        value: undefined,
        expected: 'a non-blank string',
        message: 'REQ is required but not set: expected a non-blank string',
      },
    });
  });

  it('quotes long bad values shortened', () => {
    const port = env.int({ env: 'PORT', doc: 'Port.' });
    const result = port.read('x'.repeat(200));
    expect(result.ok ? '' : result.problem.message).toContain(`"${'x'.repeat(80)}…"`);
  });
});
