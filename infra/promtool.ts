import { spawnSync } from 'node:child_process';

/** Why the Prometheus checks cannot run, or undefined when promtool is on PATH. */
export function promtoolMissing(): string | undefined {
  const res = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (!res.error && res.status === 0) return undefined;
  return (
    'promtool is not on PATH, so the Prometheus config, alert rules and dashboards cannot be ' +
    "checked. Install Debian's prometheus package (apt-get install prometheus), which ships " +
    'promtool; .ci/run installs it in CI.'
  );
}

export interface PromtoolResult {
  status: number | null;
  output: string;
}

/** Runs promtool with `args` (and `input` on stdin); never throws on a non-zero exit. */
export function promtool(args: readonly string[], input?: string): PromtoolResult {
  const missing = promtoolMissing();
  if (missing) throw new Error(missing);
  const res = spawnSync('promtool', [...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}
