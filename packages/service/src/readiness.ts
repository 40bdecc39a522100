import { describeError } from '@pulse/core';

/**
 * Asks one dependency whether the service can do its work: `true` means ready; `false` or a
 * string means not ready (the string says why, e.g. `'consumer has not joined its group'`).
 * A check that throws or does not answer in time counts as not ready.
 */
export type ReadinessCheck = () => Promise<boolean | string>;

/** One check's outcome, as `/readyz` shows it. */
export interface CheckOutcome {
  ok: boolean;
  reason?: string;
}

/** The `/readyz` body. */
export interface ReadinessReport {
  ready: boolean;
  /** Names of the checks that did not pass, in declaration order. */
  failing: string[];
  checks: Record<string, CheckOutcome>;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const answer = (async (): Promise<CheckOutcome> => {
    try {
      const result = await check();
      if (result === true) return { ok: true };
      return { ok: false, reason: typeof result === 'string' ? result : 'not ready' };
    } catch (err) {
      return { ok: false, reason: describeError(err) };
    }
  })();
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each under `timeoutMs`; ready only when all pass. */
export async function runReadiness(
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const outcomes = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => ({
      name,
      outcome: await runCheck(check, timeoutMs),
    })),
  );
  const report: ReadinessReport = { ready: true, failing: [], checks: {} };
  for (const { name, outcome } of outcomes) {
    report.checks[name] = outcome;
    if (!outcome.ok) report.failing.push(name);
  }
  report.ready = report.failing.length === 0;
  return report;
}
