import { readFileSync } from 'node:fs';
import { loadConfig } from '@pulse/config';
import { formatProblem } from '@pulse/rules';
import { configSpec as profileBuilderConfig } from '@pulse/profile-builder/dist/config';
import { foldOptionsOf } from '@pulse/profile-builder/dist/profile-builder';
import { loadSegments, readSegmentFiles } from '../segment-files';
import { parseScenario, type Scenario } from './scenario';
import { simulate, type SimulationResult } from './simulate';

export type ScenarioRun =
  | { ok: true; scenario: Scenario; result: SimulationResult; segmentProblems: string[] }
  /** The scenario file does not parse: `file:line:col: message` each. */
  | { ok: false; problems: string[] };

/**
 * Reads a scenario file and the segment directory and plays it. The fold options come from the
 * profile builder's own configuration (`env`: PROFILE_BASE_CURRENCY, PROFILE_FX_RATES, ...), so
 * money and windows fold as in the live service.
 */
export function runScenarioFile(options: {
  file: string;
  segmentsDir: string;
  env?: Readonly<Record<string, string | undefined>>;
}): ScenarioRun {
  const parsed = parseScenario(options.file, readFileSync(options.file, 'utf8'));
  if (!parsed.ok) return { ok: false, problems: parsed.problems.map(formatProblem) };
  const { set, problems } = loadSegments(readSegmentFiles(options.segmentsDir));
  const foldOptions = foldOptionsOf(loadConfig(profileBuilderConfig, options.env ?? {}));
  const result = simulate({ scenario: parsed.value, set, foldOptions });
  return { ok: true, scenario: parsed.value, result, segmentProblems: problems };
}
