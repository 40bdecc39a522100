import { describe, expect, it } from '@jest/globals';
import { parseForgetArgs } from './forget-client';

describe('pulse forget arguments', () => {
  it('takes one id and an optional --url', () => {
    expect(parseForgetArgs(['jane@example.com'])).toEqual({
      ok: true,
      args: { id: 'jane@example.com', url: undefined },
    });
    expect(parseForgetArgs(['u:42', '--url', 'http://pb:8082'])).toEqual({
      ok: true,
      args: { id: 'u:42', url: 'http://pb:8082' },
    });
  });

  it('names what is wrong', () => {
    expect(parseForgetArgs([])).toEqual({ ok: false, error: 'give exactly one customer id' });
    expect(parseForgetArgs(['a', 'b'])).toEqual({
      ok: false,
      error: 'give exactly one customer id',
    });
    expect(parseForgetArgs(['a', '--url'])).toEqual({ ok: false, error: '--url needs a value' });
    expect(parseForgetArgs(['a', '--force'])).toEqual({
      ok: false,
      error: 'unknown option --force',
    });
  });
});
