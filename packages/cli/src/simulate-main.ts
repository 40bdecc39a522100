import path from 'node:path';
import { formatSimulation, runScenarioFile, virtualTime } from '@pulse/segmenter/dist/simulate';

const HELP = `usage: pulse simulate --scenario <file.yaml> [--segments <dir>] [--events] [--all]

Plays a scripted customer journey (config/scenarios/) through ingest's normalization, the
profile builder's fold, the cart-abandonment timer and the segment rules, with a virtual clock
that also fires time-driven re-checks at their due instants. Prints each entry and exit with
its virtual time; exit 1 when the scenario is invalid or one of its \`expect:\` lines fails.

  --scenario <file>   the scenario (required)
  --segments <dir>    segment files (default: SEGMENTER_SEGMENTS_DIR or config/segments)
  --events            also print the events, including the cart timer's Cart Abandoned
  --all               print every segment, not only the scenario's \`segments:\``;

/** `pulse simulate`: wiring only; the simulation is @pulse/segmenter's simulate. */
export function simulateMain(argv: readonly string[]): number {
  const flag = (name: string) => argv.includes(name);
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const file = value('--scenario');
  if (flag('--help') || file === undefined) {
    process.stdout.write(`${HELP}\n`);
    return file === undefined && !flag('--help') ? 2 : 0;
  }
  const segmentsDir =
    value('--segments') ?? process.env.SEGMENTER_SEGMENTS_DIR ?? 'config/segments';
  const run = runScenarioFile({
    file: path.resolve(file),
    segmentsDir: path.resolve(segmentsDir),
    env: process.env,
  });
  if (!run.ok) {
    for (const p of run.problems) process.stderr.write(`${p}\n`);
    return 1;
  }
  for (const p of run.segmentProblems) process.stderr.write(`segment file skipped: ${p}\n`);
  const { scenario, result } = run;
  process.stdout.write(
    `${scenario.name} — until ${virtualTime(scenario.until)} UTC (virtual time)\n`,
  );
  const lines = formatSimulation(result, {
    segments: flag('--all') ? [] : scenario.segments,
    events: flag('--events'),
  });
  for (const line of lines) process.stdout.write(`  ${line}\n`);
  if (lines.length === 0) process.stdout.write('  (no segment changes)\n');
  for (const p of result.problems)
    process.stderr.write(`${p.file}:${p.line}:${p.column}: ${p.message}\n`);
  if (result.problems.length > 0) return 1;
  if (scenario.expect.length > 0)
    process.stdout.write(`all ${scenario.expect.length} expectations hold\n`);
  return 0;
}
