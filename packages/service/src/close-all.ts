import { describeError } from '@pulse/core';
import type { Logger } from '@pulse/core';

/** One named shutdown step, e.g. `['consumer', () => consumer.close()]`. */
export type CloseStep = readonly [name: string, close: () => Promise<void> | void];

/** Options of `closeAll`. */
export interface CloseAllOptions {
  /** Give up on the remaining steps after this long (all steps together). */
  deadlineMs: number;
  /** Each step's start, end and failure is logged here. */
  logger: Logger;
}

/** What happened to each step. `ok` is true only when every step finished without error. */
export interface CloseReport {
  ok: boolean;
  /** Steps that finished cleanly, in order. */
  closed: string[];
  /** Steps that threw, with the reason. */
  failed: { step: string; error: string }[];
  /** The step still running when the deadline passed, if any. */
  timedOut: string | undefined;
  /** Steps not started because the deadline had passed. */
  skipped: string[];
}

const TIMED_OUT = Symbol('timed out');

/**
 * Runs shutdown steps in order, each guarded: a step that throws is logged and the next one
 * still runs. All steps share one deadline; when it passes, the running step is abandoned and
 * the rest are skipped. Never rejects: the report says what happened.
 */
export async function closeAll(
  steps: readonly CloseStep[],
  options: CloseAllOptions,
): Promise<CloseReport> {
  const { logger } = options;
  const report: CloseReport = {
    ok: true,
    closed: [],
    failed: [],
    timedOut: undefined,
    skipped: [],
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), options.deadlineMs);
  });
  try {
    for (const [index, [step, close]] of steps.entries()) {
      const started = Date.now();
      logger.debug({ step }, 'closing');
      const outcome = await Promise.race([runGuarded(close), deadline]);
      if (outcome === TIMED_OUT) {
        report.timedOut = step;
        report.skipped = steps.slice(index + 1).map(([name]) => name);
        logger.error(
          { step, skipped: report.skipped, deadlineMs: options.deadlineMs },
          'shutdown deadline passed',
        );
        break;
      }
      if (outcome === undefined) {
        report.closed.push(step);
        logger.debug({ step, ms: Date.now() - started }, 'closed');
      } else {
        report.failed.push({ step, error: describeError(outcome.error) });
        logger.error({ step, err: outcome.error }, 'close step failed; continuing');
      }
    }
  } finally {
    clearTimeout(timer);
  }
  report.ok = report.failed.length === 0 && report.timedOut === undefined;
  return report;
}

async function runGuarded(
  close: () => Promise<void> | void,
): Promise<undefined | { error: unknown }> {
  try {
    await close();
    return undefined;
  } catch (error) {
    return { error };
  }
}

/**
 * Makes a close function idempotent: the first call starts it, every call gets the same promise
 * (the shape of BullMQ's `Worker.close()`).
 */
export function once<T>(close: () => Promise<T>): () => Promise<T> {
  let closing: Promise<T> | undefined;
  return () => {
    // async wrapper: a close() that throws synchronously still yields one rejected promise.
    closing ??= (async () => close())();
    return closing;
  };
}

/** `closeAll` wrapped with `once`: an idempotent close for a component made of steps. */
export function createClose(
  steps: readonly CloseStep[],
  options: CloseAllOptions,
): () => Promise<CloseReport> {
  return once(() => closeAll(steps, options));
}
