import type { Logger } from '@pulse/core';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/** pino's level names, the ones kafkajs entries are forwarded at. */
export type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * Messages kafkajs logs at ERROR for things a consumer group does routinely (a rebalance is
 * how the group moves partitions, not a failure). They are forwarded at info.
 */
const ROUTINE_ERRORS = [/rebalanc/i, /not a member of the group|unknown member/i];

/**
 * Warnings about choices we made on purpose. The idempotent producer's retries are bounded so
 * a send to an unreachable cluster fails instead of hanging; the producer is then recreated
 * and the caller retries (at-least-once, as everywhere in Pulse).
 */
const EXPECTED_WARNINGS = [/Limiting retries for the idempotent producer/];

/**
 * The pino level for a kafkajs entry. kafkajs is noisy: its INFO lines (starting, joined,
 * stopped with full assignments) are debug detail for us, its DEBUG lines are trace.
 */
export function pinoLevelFor(level: logLevel, message: string): PinoLevel {
  if (EXPECTED_WARNINGS.some((re) => re.test(message))) return 'debug';
  switch (level) {
    case logLevel.ERROR:
      return ROUTINE_ERRORS.some((re) => re.test(message)) ? 'info' : 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'debug';
    case logLevel.DEBUG:
    case logLevel.NOTHING:
      return 'trace';
  }
}

/** The most verbose kafkajs level worth producing for a pino logger at `pinoLevel`. */
export function kafkajsLevelFor(pinoLevel: string): logLevel {
  switch (pinoLevel) {
    case 'trace':
      return logLevel.DEBUG;
    case 'debug':
      return logLevel.INFO;
    case 'silent':
      return logLevel.NOTHING;
    default:
      // At info and above ROUTINE_ERRORS still need ERROR; WARN includes it.
      return logLevel.WARN;
  }
}

/** A kafkajs `logCreator` that writes every entry to `logger` as structured fields. */
export function pinoLogCreator(logger: Logger): logCreator {
  const children = new Map<string, Logger>();
  const childFor = (namespace: string): Logger => {
    let child = children.get(namespace);
    if (!child) {
      child = logger.child({ kafkajs: namespace });
      children.set(namespace, child);
    }
    return child;
  };
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const fields: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(log)) {
        // pino stamps its own time; kafkajs's `logger` field only repeats its name.
        if (name !== 'message' && name !== 'timestamp' && name !== 'logger') fields[name] = value;
      }
      childFor(namespace)[pinoLevelFor(level, log.message)](fields, log.message);
    };
}
