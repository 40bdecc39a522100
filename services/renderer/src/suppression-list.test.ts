import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { importSuppressionLines } from './suppression-import';
import type { ListedEmail, SuppressionList } from './suppression-list';
import { csvHeaderColumn, listKeysOf, parseListLine } from './suppression-list';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** An in-memory list with the same contract, for the pure import logic. */
function memoryList(): SuppressionList & { keys: Set<string> } {
  const keys = new Set<string>();
  return {
    keys,
    async add(entries) {
      for (const k of entries) keys.add(k);
    },
    async lookup(email) {
      return listKeysOf(email).some((k) => keys.has(k))
        ? ({ source: 'x', scope: 'marketing' } as ListedEmail)
        : null;
    },
  };
}

describe('suppression list lines', () => {
  it('hashes plain addresses after normalizing them like the profile builder', () => {
    expect(parseListLine(' Maya.Smith+promo@GMAIL.com ', 'csv')).toEqual({
      ok: true,
      key: `sha256:${sha('mayasmith@gmail.com')}`,
    });
  });

  it('takes SHA-256 and MD5 hex hashes as they are, in CSV and NDJSON', () => {
    const h = sha('a@b.co');
    expect(parseListLine(h.toUpperCase(), 'csv')).toEqual({ ok: true, key: `sha256:${h}` });
    expect(parseListLine(JSON.stringify({ email_md5: md5('a@b.co') }), 'ndjson')).toEqual({
      ok: true,
      key: `md5:${md5('a@b.co')}`,
    });
    expect(listKeysOf('A@B.co')).toEqual([`sha256:${h}`, `md5:${md5('a@b.co')}`]);
  });

  it('skips blanks and comments, rejects what is neither', () => {
    expect(parseListLine('', 'csv')).toBeNull();
    expect(parseListLine('# exported 2025-01-01', 'ndjson')).toBeNull();
    expect(parseListLine('not-an-email', 'csv')).toMatchObject({ ok: false });
    expect(parseListLine('{"name":"x"}', 'ndjson')).toMatchObject({ ok: false });
    expect(parseListLine('[1', 'ndjson')).toMatchObject({
      ok: false,
      message: 'not a JSON object',
    });
  });

  it('finds the named column of a CSV header, and knows a data row from a header', () => {
    expect(csvHeaderColumn('name,email,reason')).toBe(1);
    expect(csvHeaderColumn('a@b.co,bounced')).toBeNull();
  });

  it('imports a CSV with a header, reporting bad lines by number', async () => {
    const list = memoryList();
    const report = await importSuppressionLines(
      [
        'name,email',
        'Ann,ann@example.com',
        'Bob,bob-at-example',
        '',
        `Cy,${sha('cy@example.com')}`,
      ],
      'csv',
      list,
      { source: 'old-esp', scope: 'marketing' },
    );
    expect(report).toEqual({
      imported: 2,
      rejected: 1,
      problems: [{ line: 3, message: expect.stringContaining('bob-at-example') }],
    });
    expect(await list.lookup('ANN@example.com')).not.toBeNull();
    expect(await list.lookup('cy@example.com')).not.toBeNull();
    expect(await list.lookup('dan@example.com')).toBeNull();
  });
});
