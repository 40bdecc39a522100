/**
 * One error hierarchy for Pulse. Every error carries a stable `code` (documented where it is
 * thrown) and a `retriable` flag: retry logic reads the flag, never the message.
 */
export interface PulseErrorOptions {
  /** Whether retrying the same operation may succeed (network, timeouts, broker leadership). */
  retriable?: boolean;
  cause?: unknown;
  /** Structured context for logs and dead-letter headers. */
  details?: Record<string, unknown>;
}

export class PulseError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: PulseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PulseError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }
}

/** True when `err` says retrying may help; unknown errors are treated as retriable. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof PulseError) return err.retriable;
  if (err !== null && typeof err === 'object' && 'retriable' in err) {
    return Boolean((err as { retriable: unknown }).retriable);
  }
  return true;
}

/** A short, single-line reason for logs and dead-letter headers. */
export function describeError(err: unknown): string {
  if (err instanceof PulseError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
