export { PulseError, isRetriable, describeError } from './errors';
export type { PulseErrorOptions } from './errors';
export { systemClock, ManualClock } from './clock';
export type { Clock } from './clock';
export { createLogger, silentLogger } from './logger';
export type { Logger, LoggerOptions } from './logger';
export { bearerMatches } from './bearer';
