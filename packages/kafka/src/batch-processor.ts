import { PulseError, isRetriable } from '@pulse/core';
import type { KafkaMessage } from 'kafkajs';
import type { Outcome } from './retry';

/** One decoded record as a handler sees it. */
export interface ConsumedRecord<V = unknown> {
  topic: string;
  partition: number;
  /** Kafka offsets are int64: a decimal string (compare with BigInt). */
  offset: string;
  /** The key as UTF-8 text (Pulse keys records by customer id), or null. */
  key: string | null;
  value: V;
  /** Headers as UTF-8 text; the last value wins when a header repeats. */
  headers: Record<string, string>;
  /** Record timestamp, milliseconds since the epoch. */
  timestamp: number;
  /** Registry id of the schema the record was written with. */
  schemaId: number;
}

/** What a handler gets besides its records. */
export interface BatchContext {
  topic: string;
  partition: number;
  /** Tells the group coordinator we are alive; call it during long work. */
  heartbeat(): Promise<void>;
  /** Aborted when the work must stop: close deadline passed or the partition was reassigned. */
  signal: AbortSignal;
  /** 0 on the first call for these records, then 1, 2... on retries. */
  attempt: number;
}

/**
 * Processes records in order. Throw a retriable error (per `isRetriable`) to have the same
 * records retried after a backoff; throw a non-retriable one to have the failing record(s)
 * dead-lettered. Called again for records it already saw after a crash or retry: be idempotent.
 */
export type BatchHandler<V = unknown> = (
  records: ConsumedRecord<V>[],
  ctx: BatchContext,
) => Promise<void>;

/** Per-batch controls from the consumer: when to stop, how to heartbeat, how to retry. */
export interface BatchScope {
  topic: string;
  partition: number;
  heartbeat(): Promise<void>;
  signal: AbortSignal;
  /** Runs `op` with transient-failure retries; `operation` names it for metrics and logs. */
  retry<T>(operation: string, op: (attempt: number) => Promise<T>): Promise<Outcome<T>>;
}

export interface BatchProcessorOptions<V> {
  /** Synchronous when it can be (no promise per record on the hot path), else a promise. */
  decode(
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): ConsumedRecord<V> | Promise<ConsumedRecord<V>>;
  handleBatch: BatchHandler<V>;
  /** Produces the original record to the dead-letter topic; resolves once acked. */
  deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
  ): Promise<void>;
  /** Told how long each handler call took. */
  observeHandler?(topic: string, seconds: number): void;
}

export interface BatchProcessor {
  /** True when every record was handled or dead-lettered; false when it stopped early. */
  process(scope: BatchScope, messages: readonly KafkaMessage[]): Promise<boolean>;
}

interface Pair<V> {
  record: ConsumedRecord<V>;
  message: KafkaMessage;
}

/**
 * The per-batch algorithm, free of kafkajs wiring:
 * 1. decode every record; undecodable ones go to the DLQ (decode is retried while the registry
 *    is unreachable);
 * 2. hand the decoded ones to the handler, retrying transient failures;
 * 3. on a non-retriable failure, re-run the handler one record at a time: records that still
 *    fail non-retriably go to the DLQ, the rest proceed.
 * `process` resolves true when every record is handled or dead-lettered (safe to commit), false
 * when it stopped early (closing, partition lost) — then nothing of these records is committed.
 */
export function createBatchProcessor<V>(options: BatchProcessorOptions<V>): BatchProcessor {
  async function callHandler(
    scope: BatchScope,
    records: ConsumedRecord<V>[],
  ): Promise<Outcome<void>> {
    return scope.retry('handler', async (attempt) => {
      const started = performance.now();
      try {
        await options.handleBatch(records, {
          topic: scope.topic,
          partition: scope.partition,
          heartbeat: scope.heartbeat,
          signal: scope.signal,
          attempt,
        });
      } finally {
        options.observeHandler?.(scope.topic, (performance.now() - started) / 1000);
      }
    });
  }

  async function deadLetter(
    scope: BatchScope,
    message: KafkaMessage,
    error: unknown,
  ): Promise<boolean> {
    const outcome = await scope.retry('dlq', async () => {
      try {
        await options.deadLetter(scope.topic, scope.partition, message, error);
      } catch (err) {
        // Whatever stops the dead letter, the record must not be skipped: keep trying.
        throw new PulseError('DLQ_PRODUCE_FAILED', `dead-lettering failed: ${String(err)}`, {
          retriable: true,
          cause: err,
        });
      }
    });
    return outcome.ok;
  }

  /** After a failed first attempt: non-retriable → dead letter, transient → the retry loop. */
  async function afterFailure(
    scope: BatchScope,
    message: KafkaMessage,
    error: unknown,
  ): Promise<Outcome<ConsumedRecord<V>>> {
    if (!isRetriable(error)) return { ok: false, error, stopped: false };
    // Hand the failure to the retry loop as its first attempt, so it backs off and counts it.
    let failed: { error: unknown } | undefined = { error };
    return scope.retry('decode', async () => {
      if (failed) {
        const { error: first } = failed;
        failed = undefined;
        throw first;
      }
      return options.decode(scope.topic, scope.partition, message);
    });
  }

  /** One plain attempt first (the common case: synchronous, no retry bookkeeping). */
  function decodeOne(
    scope: BatchScope,
    message: KafkaMessage,
  ): Outcome<ConsumedRecord<V>> | Promise<Outcome<ConsumedRecord<V>>> {
    try {
      const decoded = options.decode(scope.topic, scope.partition, message);
      if (!(decoded instanceof Promise)) return { ok: true, value: decoded };
      return decoded.then(
        (value): Outcome<ConsumedRecord<V>> => ({ ok: true, value }),
        (error: unknown) => afterFailure(scope, message, error),
      );
    } catch (error) {
      return afterFailure(scope, message, error);
    }
  }

  async function decodeAll(
    scope: BatchScope,
    messages: readonly KafkaMessage[],
  ): Promise<Pair<V>[] | undefined> {
    const pairs: Pair<V>[] = [];
    for (const message of messages) {
      let decoded = decodeOne(scope, message);
      if (decoded instanceof Promise) decoded = await decoded;
      if (decoded.ok) pairs.push({ record: decoded.value, message });
      else if (decoded.stopped || !(await deadLetter(scope, message, decoded.error)))
        return undefined;
    }
    return pairs;
  }

  /** One record at a time, so one poison record does not hold back the others. */
  async function isolate(
    scope: BatchScope,
    pairs: readonly Pair<V>[],
    firstError: unknown,
  ): Promise<boolean> {
    if (pairs.length === 1 && pairs[0]) return deadLetter(scope, pairs[0].message, firstError);
    for (const pair of pairs) {
      const outcome = await callHandler(scope, [pair.record]);
      if (outcome.ok) continue;
      if (outcome.stopped || !(await deadLetter(scope, pair.message, outcome.error))) return false;
    }
    return true;
  }

  async function processBatch(
    scope: BatchScope,
    messages: readonly KafkaMessage[],
  ): Promise<boolean> {
    const pairs = await decodeAll(scope, messages);
    if (!pairs) return false;
    if (pairs.length === 0) return true;
    const whole = await callHandler(
      scope,
      pairs.map((p) => p.record),
    );
    if (whole.ok) return true;
    if (whole.stopped) return false;
    return isolate(scope, pairs, whole.error);
  }

  return { process: processBatch };
}
