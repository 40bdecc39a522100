import { describe, expect, it } from '@jest/globals';
import { parseSuppressArgs } from './suppress-main';

describe('pulse suppress arguments', () => {
  it('infers the format from the extension and names the list after the file', () => {
    expect(parseSuppressArgs(['import', 'lists/old-esp.ndjson'])).toEqual({
      ok: true,
      args: {
        file: 'lists/old-esp.ndjson',
        format: 'ndjson',
        scope: 'marketing',
        source: 'old-esp.ndjson',
      },
    });
    expect(
      parseSuppressArgs(['import', 'a.txt', '--scope', 'all', '--source', 'bounces']),
    ).toMatchObject({
      ok: true,
      args: { format: 'csv', scope: 'all', source: 'bounces' },
    });
  });

  it('refuses a missing file, an unknown flag and bad values', () => {
    expect(parseSuppressArgs(['import'])).toMatchObject({ ok: false });
    expect(parseSuppressArgs(['export', 'a.csv'])).toMatchObject({ ok: false });
    expect(parseSuppressArgs(['import', 'a.csv', '--force', 'x'])).toMatchObject({
      ok: false,
      error: 'unknown option or missing value: --force',
    });
    expect(parseSuppressArgs(['import', 'a.csv', '--scope', 'some'])).toMatchObject({ ok: false });
  });
});
