import type { Clock, Logger } from '@pulse/core';
import { needsBackfill } from './launch-backfill';
import type { LaunchBackfill } from './launch-backfill';
import type { ContentSource } from './live-config';

export interface BackfillRunnerOptions {
  content: ContentSource;
  backfill: LaunchBackfill;
  clock: Clock;
  logger: Logger;
  /** How often campaigns added by a reload and unfinished backfills are looked at. */
  intervalMs: number;
  /** Campaign ids already launched at start. */
  launched: readonly string[];
}

/**
 * Launches the campaigns a reload adds and runs every pending launch backfill, one at a time,
 * every `intervalMs` (a pass that fails — the segmenter unreachable — is retried by the next).
 * `close()` stops at the next email and waits for it; idempotent.
 */
export function startBackfillRunner(options: BackfillRunnerOptions) {
  const { backfill, logger } = options;
  const launched = new Set(options.launched);
  const finished = new Set<string>();
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  async function pass(): Promise<void> {
    for (const c of options.content.current().campaigns) {
      if (stop.signal.aborted) return;
      if (!launched.has(c.id)) {
        await backfill.launch(c, options.clock.now());
        launched.add(c.id);
      }
      if (!needsBackfill(c) || finished.has(c.id)) continue;
      const run = await backfill.run(c, stop.signal);
      if (run.status === 'done' || run.status === 'none') finished.add(c.id);
      else if (run.status === 'stopped')
        logger.warn({ campaignId: c.id, reason: run.reason }, 'launch backfill paused');
    }
  }

  const schedule = () => {
    if (stop.signal.aborted) return;
    timer = setTimeout(() => void runPass(), options.intervalMs);
    timer.unref();
  };
  const runPass = (): Promise<void> => {
    clearTimeout(timer);
    current = current
      .then(pass)
      .catch((err: unknown) => logger.warn({ err }, 'launch backfill failed; retried later'))
      .finally(schedule);
    return current;
  };
  void runPass();
  let closed: Promise<void> | undefined;
  return {
    /** Runs a pass now (after the one in progress); resolves when it is over. */
    wake: runPass,
    close(): Promise<void> {
      closed ??= (async () => {
        stop.abort();
        clearTimeout(timer);
        await current;
      })();
      return closed;
    },
  };
}

export type BackfillRunner = ReturnType<typeof startBackfillRunner>;
