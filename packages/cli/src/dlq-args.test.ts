import { describe, expect, it } from '@jest/globals';
import { parseDlqArgs } from './dlq-args';

describe('parseDlqArgs', () => {
  it('parses the three commands with their defaults', () => {
    expect(parseDlqArgs(['list'])).toEqual({ ok: true, args: { command: 'list' } });
    expect(parseDlqArgs(['show', 'events.v1.dlq.g'])).toEqual({
      ok: true,
      args: { command: 'show', dlqTopic: 'events.v1.dlq.g', limit: 20 },
    });
    expect(parseDlqArgs(['replay', 'events.v1.dlq.g', '--chunk', '10', '--limit', '5'])).toEqual({
      ok: true,
      args: { command: 'replay', dlqTopic: 'events.v1.dlq.g', limit: 5, chunk: 10 },
    });
  });

  it('names what is wrong', () => {
    expect(parseDlqArgs([])).toEqual({ ok: false, error: 'missing dlq command' });
    expect(parseDlqArgs(['purge'])).toEqual({ ok: false, error: 'unknown dlq command "purge"' });
    expect(parseDlqArgs(['show'])).toEqual({ ok: false, error: 'show needs a dead-letter topic' });
    expect(parseDlqArgs(['show', 't', '--chunk', '2'])).toEqual({
      ok: false,
      error: 'unknown option --chunk for show',
    });
    expect(parseDlqArgs(['replay', 't', '--limit', '0'])).toEqual({
      ok: false,
      error: '--limit needs a positive whole number, got "0"',
    });
    expect(parseDlqArgs(['list', 'x'])).toEqual({ ok: false, error: 'list takes no arguments' });
  });
});
