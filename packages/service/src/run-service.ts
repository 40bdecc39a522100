import { ConfigError } from '@pulse/config';
import type { ConfigSpec } from '@pulse/config';
import { createLogger } from '@pulse/core';
import type { Logger } from '@pulse/core';
import { createServiceRuntime } from './runtime';
import type { ServiceRuntimeOptions } from './runtime';

/** Exit codes of a service process. */
export const EXIT = {
  /** Shut down cleanly after SIGTERM/SIGINT. */
  ok: 0,
  /** Start failed, a fatal error happened, or shutdown was unclean or passed its deadline. */
  failure: 1,
  /** Bad configuration (sysexits.h EX_CONFIG): the log line lists every problem. */
  config: 78,
} as const;

/** Options of `runService`: the runtime's, read from `process.env`. */
export type RunServiceOptions<S extends ConfigSpec> = Omit<ServiceRuntimeOptions<S>, 'env'>;

/**
 * The only place a service touches its process: starts the runtime, then on the first
 * SIGTERM or SIGINT shuts down gracefully and exits 0 (1 when a step failed or the
 * SHUTDOWN_TIMEOUT deadline passed). A fatal error (unhandled rejection, uncaught exception)
 * is logged and the service closed before exiting 1. Bad config logs one line listing every
 * problem and exits 78. Call it from a service's `main.ts` and nowhere else.
 */
export async function runService<S extends ConfigSpec>(
  options: RunServiceOptions<S>,
): Promise<void> {
  const runtime = createServiceRuntime({ ...options, env: process.env });
  let logger: Logger = options.logger ?? createLogger({ name: options.name });
  let exiting = false;

  const shutdown = async (reason: string, code: number): Promise<void> => {
    if (exiting) {
      logger.warn({ reason }, 'shutdown already in progress');
      return;
    }
    exiting = true;
    logger.info({ reason }, 'stopping');
    const report = await runtime.stop();
    process.exit(report.ok ? code : EXIT.failure);
  };
  const fatal = (kind: string) => (err: unknown) => {
    logger.fatal({ err }, kind);
    void shutdown(kind, EXIT.failure);
  };

  process.on('SIGTERM', () => void shutdown('SIGTERM', EXIT.ok));
  process.on('SIGINT', () => void shutdown('SIGINT', EXIT.ok));
  process.on('unhandledRejection', fatal('unhandled rejection'));
  process.on('uncaughtException', fatal('uncaught exception'));

  try {
    logger = (await runtime.start()).logger;
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.fatal({ code: err.code, problems: err.problems.map((p) => p.env) }, err.message);
      process.exit(EXIT.config);
    }
    if (exiting) return; // a signal arrived during start; that shutdown decides the exit code
    logger.fatal({ err }, 'start failed');
    await shutdown('start failed', EXIT.failure);
  }
}
