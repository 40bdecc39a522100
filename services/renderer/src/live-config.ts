import type { Logger } from '@pulse/core';
import { formatProblem } from '@pulse/templates';
import type { TemplateProblem } from '@pulse/templates';
import type { LoadedConfig, LoadResult } from './load-config';

/** What a check did: nothing changed, the new files now serve, or they failed and the old serve. */
export type ReloadOutcome =
  | { status: 'unchanged' }
  | { status: 'reloaded' }
  | { status: 'failed'; problems: TemplateProblem[] };

/** The templates, campaigns, catalog and co-purchases in service now. */
export interface ContentSource {
  current(): LoadedConfig;
}

export interface LiveConfig extends ContentSource {
  /** Reloads when the files changed since the last check. */
  check(): ReloadOutcome;
  /** Stops polling; idempotent. */
  close(): void;
}

export interface LiveConfigOptions {
  /** The set serving from the start (loaded strictly: a bad set fails the start). */
  initial: LoadedConfig;
  load: () => LoadResult;
  /** Cheap summary of the files (paths, sizes, mtimes); a new value triggers a load. */
  fingerprint: () => string;
  logger: Logger;
  /** Poll period; 0: only explicit `check()` calls. */
  pollMs: number;
}

/** A fixed set, for tests and tools that never reload. */
export const staticContent = (config: LoadedConfig): ContentSource => ({ current: () => config });

/**
 * Hot reload by polling: when the config files change, the whole set is loaded and validated
 * again; only a set without problems replaces the one serving. A template that fails to compile
 * or names an unknown helper is logged with its file:line and the previous version keeps
 * serving — a marketer's typo never stops mail. A failing fingerprint is not retried until the
 * files change again. Each render reads `current()` once, so one email never mixes two sets.
 */
export function createLiveConfig(options: LiveConfigOptions): LiveConfig {
  const { logger } = options;
  let serving = options.initial;
  let seen = options.fingerprint();
  const check = (): ReloadOutcome => {
    const now = options.fingerprint();
    if (now === seen) return { status: 'unchanged' };
    seen = now;
    const result = options.load();
    if (!result.ok) {
      logger.error(
        { problems: result.problems.map(formatProblem) },
        'renderer config reload failed; the previous version keeps serving',
      );
      return { status: 'failed', problems: result.problems };
    }
    serving = result.config;
    logger.info(
      {
        campaigns: serving.campaigns.map((c) => c.id),
        templates: serving.templates.emailIds,
        coPurchaseProducts: serving.coPurchases.size,
        skippedOrders: result.skippedOrders,
      },
      'renderer config reloaded',
    );
    return { status: 'reloaded' };
  };
  const timer =
    options.pollMs > 0
      ? setInterval(() => {
          try {
            check();
          } catch (err) {
            // A file vanishing mid-walk and the like: the next poll tries again.
            seen = '';
            logger.warn({ err }, 'renderer config check failed');
          }
        }, options.pollMs)
      : null;
  timer?.unref();
  return {
    current: () => serving,
    check,
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}
