import pino from 'pino';

/**
 * The structured logger every component receives: JSON lines, `log.info({fields}, 'msg')`,
 * and a child per component (`log.child({ component: 'consumer' })`).
 */
export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Service or tool name, the `name` field of every line. */
  name: string;
  /** pino level; default `info`. */
  level?: string;
  /** Where lines go; default stdout. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    name: options.name,
    level: options.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(base, options.destination) : pino(base);
}

/** A logger that discards everything, for tests and benchmarks that assert on other things. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
