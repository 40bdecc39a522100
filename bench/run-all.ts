// `pnpm bench`: every bench/<area>/run.ts in turn (each measures its own baselines in the same
// run), then one table of every figure with its baseline, ratio and goal, and one JSON file.
// Needs the stack (`bash infra/stack.sh env`) and a build (`pnpm build`). BENCH_ONLY=a,b limits
// the areas.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { printTable, writeResults, type Figure } from './lib/report';

const AREAS = ['kafka', 'timer', 'rules', 'ingest', 'profile', 'renderer', 'segmenter', 'e2e'];
const resultsDir = path.join(__dirname, 'results');

function isFigure(value: unknown): value is Figure {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as Partial<Figure>;
  return typeof f.figure === 'string' && typeof f.value === 'number' && typeof f.unit === 'string';
}

/** The figures of the newest results file `area` wrote since `since`, if any. */
function figuresOf(area: string, since: number): Figure[] | undefined {
  const files = readdirSync(resultsDir)
    .filter((f) => f.startsWith(`${area}-`) && f.endsWith('.json'))
    .map((f) => path.join(resultsDir, f))
    .filter((f) => statSync(f).mtimeMs >= since)
    .sort();
  const newest = files[files.length - 1];
  if (!newest) return undefined;
  const data: unknown = JSON.parse(readFileSync(newest, 'utf8'));
  const figures = (data as { figures?: unknown }).figures;
  return Array.isArray(figures) ? figures.filter(isFigure) : undefined;
}

function main(): void {
  const only = process.env.BENCH_ONLY?.split(',').map((a) => a.trim());
  const areas = AREAS.filter(
    (area) =>
      (!only || only.includes(area)) &&
      readdirSync(__dirname).includes(area) &&
      readdirSync(path.join(__dirname, area)).includes('run.ts'),
  );
  const all: Figure[] = [];
  const failed: string[] = [];
  for (const area of areas) {
    console.log(`\n######## bench:${area}`);
    const since = Date.now();
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, area, 'run.ts')],
      {
        stdio: 'inherit',
        env: process.env,
      },
    );
    const figures = run.status === 0 ? figuresOf(area, since) : undefined;
    if (!figures) {
      failed.push(area);
      continue;
    }
    all.push(...figures.map((f) => ({ ...f, figure: `${area}: ${f.figure}` })));
  }
  printTable('pnpm bench — every figure of this run', all);
  console.log(`\nresults: ${writeResults('all', { areas, failed, figures: all })}`);
  if (failed.length > 0) {
    console.error(`\nno figures from: ${failed.join(', ')} (see their output above)`);
    process.exitCode = 1;
  }
}

main();
