import { describe, expect, it } from '@jest/globals';
import { parseImportArgs } from './import-args';

describe('parseImportArgs', () => {
  it('takes kind and format from the file name', () => {
    expect(parseImportArgs(['data/customers.csv'])).toEqual({
      ok: true,
      args: {
        file: 'data/customers.csv',
        kind: 'customers',
        format: 'csv',
        gzip: false,
        quiet: false,
      },
    });
    expect(parseImportArgs(['Orders-2024.ndjson.gz'])).toMatchObject({
      ok: true,
      args: { kind: 'orders', format: 'ndjson', gzip: true },
    });
  });

  it('lets the kind word and flags win over the file name', () => {
    const parsed = parseImportArgs([
      'orders',
      'export.txt',
      '--format=csv',
      '--url',
      'http://ingest:8080',
      '--write-key',
      'k',
      '--quiet',
    ]);
    expect(parsed).toEqual({
      ok: true,
      args: {
        file: 'export.txt',
        kind: 'orders',
        format: 'csv',
        gzip: false,
        quiet: true,
        url: 'http://ingest:8080',
        writeKey: 'k',
      },
    });
    expect(parseImportArgs(['customers.csv', '--kind', 'orders'])).toMatchObject({
      args: { kind: 'orders' },
    });
  });

  it('names what is missing or wrong', () => {
    expect(parseImportArgs([])).toEqual({ ok: false, error: 'name one file to import' });
    expect(parseImportArgs(['crm.csv'])).toMatchObject({
      ok: false,
      error: expect.stringContaining('--kind'),
    });
    expect(parseImportArgs(['customers.xlsx'])).toMatchObject({
      ok: false,
      error: expect.stringContaining('--format'),
    });
    expect(parseImportArgs(['people', 'a.csv'])).toEqual({
      ok: false,
      error: 'kind must be customers or orders',
    });
    expect(parseImportArgs(['customers.csv', '--url'])).toEqual({
      ok: false,
      error: '--url needs a value',
    });
    expect(parseImportArgs(['customers.csv', '--verbose'])).toEqual({
      ok: false,
      error: 'unknown option --verbose',
    });
  });
});
