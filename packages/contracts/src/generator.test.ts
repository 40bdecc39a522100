import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PACKAGE_DIR = path.resolve(__dirname, '..');
const SCRIPT = path.join('scripts', 'generate-types.mjs');

function run(packageDir: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [path.join(packageDir, SCRIPT), ...args], {
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A copy of the generator, schemas and output inside the package, so avsc/prettier resolve. */
function copyPackage(): string {
  const dir = mkdtempSync(path.join(PACKAGE_DIR, '.generator-test-'));
  for (const part of ['scripts', 'schemas', path.join('src', 'generated')]) {
    cpSync(path.join(PACKAGE_DIR, part), path.join(dir, part), { recursive: true });
  }
  return dir;
}

describe('generate-types.mjs', () => {
  const copies: string[] = [];
  afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('--check passes on the committed output', () => {
    const { status, output } = run(PACKAGE_DIR, ['--check']);
    expect(output).toContain('up to date');
    expect(status).toBe(0);
  });

  it('--check fails, naming the file, once a schema changes; a run then fixes it', () => {
    const dir = copyPackage();
    copies.push(dir);
    const file = path.join(dir, 'schemas', 'emails.v1', 'value.avsc');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.fields.push({ name: 'locale', type: ['null', 'string'], default: null });
    writeFileSync(file, JSON.stringify(schema));
    const stale = run(dir, ['--check']);
    expect(stale.output).toMatch(/out of date: .*emails-v1\.ts/);
    expect(stale.status).toBe(1);
    expect(run(dir, []).status).toBe(0);
    expect(readFileSync(path.join(dir, 'src', 'generated', 'emails-v1.ts'), 'utf8')).toContain(
      'locale: string | null;',
    );
    expect(run(dir, ['--check']).status).toBe(0);
  });

  it('refuses a nullable field without a null default', () => {
    const dir = copyPackage();
    copies.push(dir);
    const file = path.join(dir, 'schemas', 'segment-changes.v1', 'value.avsc');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.fields.push({ name: 'note', type: ['string', 'null'] });
    writeFileSync(file, JSON.stringify(schema));
    const { status, output } = run(dir, ['--check']);
    expect(output).toContain('SegmentChange.note: put "null" first in the union');
    expect(output).toContain('SegmentChange.note: a nullable field needs "default": null');
    expect(status).toBe(2);
  });
});
