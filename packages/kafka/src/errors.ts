import { PulseError } from '@pulse/core';

/**
 * Stable codes of the errors this package throws. Retry logic reads `retriable`, never the code;
 * the code names what went wrong in logs, metrics and dead-letter headers.
 */
export const KafkaErrorCode = {
  /** First byte of a record is not the Confluent magic byte 0. Not retriable. */
  BAD_MAGIC_BYTE: 'BAD_MAGIC_BYTE',
  /** Record shorter than the 5-byte wire-format header, or has no value at all. Not retriable. */
  TRUNCATED_RECORD: 'TRUNCATED_RECORD',
  /** The registry does not know the schema id a record names. Not retriable. */
  UNKNOWN_SCHEMA_ID: 'UNKNOWN_SCHEMA_ID',
  /** Avro bytes do not decode with the writer schema (or do not resolve to the reader's). */
  AVRO_DECODE_FAILED: 'AVRO_DECODE_FAILED',
  /** A value does not match the schema it is encoded with. Not retriable. */
  AVRO_ENCODE_FAILED: 'AVRO_ENCODE_FAILED',
  /** The registry refused a schema as incompatible with the subject's history. Not retriable. */
  SCHEMA_INCOMPATIBLE: 'SCHEMA_INCOMPATIBLE',
  /** The registry rejected a schema as malformed (HTTP 422). Not retriable. */
  INVALID_SCHEMA: 'INVALID_SCHEMA',
  /** The registry could not be reached, timed out or answered 5xx/429. Retriable. */
  REGISTRY_UNAVAILABLE: 'REGISTRY_UNAVAILABLE',
  /** The registry answered with an unexpected 4xx. Not retriable. */
  REGISTRY_REQUEST_FAILED: 'REGISTRY_REQUEST_FAILED',
  /** `send` was called for a topic with no known schema. Not retriable. */
  NO_SCHEMA_FOR_TOPIC: 'NO_SCHEMA_FOR_TOPIC',
  /** The producer or consumer was used after `close()`. Not retriable. */
  CLOSED: 'KAFKA_CLIENT_CLOSED',
  /** A kafkajs error with no more specific mapping; `retriable` follows kafkajs. */
  KAFKA_ERROR: 'KAFKA_ERROR',
} as const;

export type KafkaErrorCode = (typeof KafkaErrorCode)[keyof typeof KafkaErrorCode];

interface KafkaJsErrorShape {
  name: string;
  message: string;
  retriable: boolean;
  type?: unknown;
  cause?: unknown;
}

function isKafkaJsError(err: unknown): err is KafkaJsErrorShape & Error {
  return (
    err instanceof Error &&
    err.name.startsWith('KafkaJS') &&
    'retriable' in err &&
    typeof err.retriable === 'boolean'
  );
}

/**
 * kafkajs wraps the last failure in KafkaJSNumberOfRetriesExceeded (always `retriable: false`)
 * once its own retrier gives up. For the application the operation is as retriable as that
 * last failure was: a broker that was down for 30 s is still a transient failure, and reading
 * the wrapper's flag would send healthy records to the dead-letter topic.
 */
function retriableOf(err: KafkaJsErrorShape): boolean {
  if (err.name === 'KafkaJSNumberOfRetriesExceeded' && isKafkaJsError(err.cause)) {
    return retriableOf(err.cause);
  }
  return err.retriable;
}

/** `KafkaJSConnectionError` → `KAFKA_CONNECTION_ERROR`; protocol errors use their type. */
function codeOf(err: KafkaJsErrorShape): string {
  if (err.name === 'KafkaJSNumberOfRetriesExceeded' && isKafkaJsError(err.cause)) {
    return codeOf(err.cause);
  }
  if (typeof err.type === 'string' && err.type.length > 0) return `KAFKA_${err.type}`;
  const bare = err.name.replace(/^KafkaJS/, '');
  if (bare.length === 0 || bare === 'Error') return KafkaErrorCode.KAFKA_ERROR;
  return `KAFKA_${bare.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/**
 * Maps anything kafkajs throws to a PulseError: `retriable` from kafkajs's own flag (see
 * {@link retriableOf} for the one exception), `code` `KAFKA_<PROTOCOL_TYPE>` or
 * `KAFKA_<CLASS_NAME>`. PulseErrors pass through unchanged; other errors become retriable
 * `KAFKA_ERROR`s, in line with `isRetriable` treating unknown errors as transient.
 */
export function toPulseError(err: unknown, context?: string): PulseError {
  if (err instanceof PulseError) return err;
  const prefix = context ? `${context}: ` : '';
  if (isKafkaJsError(err)) {
    return new PulseError(codeOf(err), `${prefix}${err.message}`, {
      retriable: retriableOf(err),
      cause: err,
      details: { kafkajs: err.name },
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PulseError(KafkaErrorCode.KAFKA_ERROR, `${prefix}${message}`, {
    retriable: true,
    cause: err,
  });
}
