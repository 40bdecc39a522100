import { dlqTopic } from '@pulse/contracts';
import { describeError, systemClock, type Logger } from '@pulse/core';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { createBatchProcessor, type BatchScope, type ConsumedRecord } from './batch-processor';
import type { Decoded } from './serde';
import type { ConsumerMetrics } from './consumer-metrics';
import { CONSUMER_DEFAULTS, type BatchConsumerOptions } from './consumer-options';
import { deadLetterHeaders, errorCodeOf, headersToText, reasonOf } from './dead-letter';
import type { OffsetCommitter } from './offset-committer';
import { schemaLookup } from './producer-support';
import { RETRY_DEFAULTS, retryTransient, sleep } from './retry';

/** Where a consumer is in its life; shared by the runner and close(). */
export interface Lifecycle {
  closing: boolean;
  /** Wakes retry waits as soon as close() starts. */
  closeStarted: AbortController;
  /** Aborts handlers when the close deadline passed. */
  deadline: AbortController;
}

export interface RunnerDeps {
  logger: Logger;
  metrics: ConsumerMetrics;
  life: Lifecycle;
  heartbeatInterval: number;
  /** Commits handled offsets in the background (see OffsetCommitter). */
  committer: OffsetCommitter;
}

/** The kafkajs `eachBatch` callback: chunks the batch, processes, commits each chunk. */
export function createBatchRunner<V>(
  options: BatchConsumerOptions<V>,
  deps: RunnerDeps,
): (payload: EachBatchPayload) => Promise<void> {
  const { groupId } = options;
  const maxPerCall = options.maxRecordsPerCall ?? CONSUMER_DEFAULTS.maxRecordsPerCall;
  const processor = createBatchProcessor<V>({
    decode: recordDecoder<V>(options),
    handleBatch: options.handleBatch,
    deadLetter: deadLetterer(options, deps),
    observeHandler: (topic, seconds) =>
      deps.metrics.handlerDuration.observe({ consumergroup: groupId, topic }, seconds),
  });

  return async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    if (deps.life.closing || batch.messages.length === 0) return;
    const labels = { consumergroup: groupId, topic: batch.topic };
    deps.metrics.batches.inc(labels);
    deps.metrics.records.inc(labels, batch.messages.length);
    const scope = batchScope(options, deps, payload);
    try {
      // Between chunks, a close stops the batch: what was handled is committed, the rest waits.
      for (let i = 0; i < batch.messages.length && !deps.life.closing; i += maxPerCall) {
        const chunk = batch.messages.slice(i, i + maxPerCall);
        if (!(await processor.process(scope, chunk))) return;
        commitThrough(payload, chunk, groupId, deps);
      }
    } finally {
      scope.dispose();
      // kafkajs leaves the group once this batch returns: what was handled is committed first.
      if (deps.life.closing) await deps.committer.flush();
    }
  };
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

function commitThrough(
  payload: EachBatchPayload,
  chunk: readonly KafkaMessage[],
  groupId: string,
  deps: RunnerDeps,
): void {
  const last = chunk[chunk.length - 1];
  if (!last) return;
  const { topic, partition, highWatermark } = payload.batch;
  const next = nextOffset(last.offset);
  payload.resolveOffset(last.offset);
  deps.committer.request(payload.commitOffsetsIfNecessary, topic, partition, next);
  const lag = BigInt(highWatermark) - BigInt(next);
  deps.metrics.lag.set(
    { consumergroup: groupId, topic, partition: String(partition) },
    Number(lag > 0n ? lag : 0n),
  );
}

/** Controls for one kafkajs batch: stop when closing or when the partition is no longer ours. */
function batchScope<V>(
  options: BatchConsumerOptions<V>,
  deps: RunnerDeps,
  payload: EachBatchPayload,
): BatchScope & { dispose(): void } {
  const { topic, partition } = payload.batch;
  const lost = new AbortController();
  const signal = AbortSignal.any([deps.life.deadline.signal, lost.signal]);
  const policy = { ...RETRY_DEFAULTS, ...options.retry };
  const shouldStop = (): boolean =>
    deps.life.closing || lost.signal.aborted || !payload.isRunning() || payload.isStale();
  const heartbeat = async (): Promise<void> => {
    try {
      await payload.heartbeat();
    } catch (err) {
      // A failed heartbeat means a rebalance: these records may already belong to another member.
      lost.abort(err);
      throw err;
    }
  };
  const wait = async (ms: number): Promise<void> => {
    const until = Date.now() + ms;
    const wake = AbortSignal.any([deps.life.closeStarted.signal, lost.signal]);
    while (!shouldStop() && Date.now() < until) {
      await sleep(Math.min(until - Date.now(), deps.heartbeatInterval), wake);
      await heartbeat().catch(() => undefined);
    }
  };
  const retry: BatchScope['retry'] = (operation, op) =>
    retryTransient(op, {
      policy,
      shouldStop,
      wait,
      onRetry: (err, attempt, delayMs) => {
        deps.metrics.retries.inc({ consumergroup: options.groupId, topic, operation });
        deps.logger.warn(
          { topic, partition, operation, attempt, delayMs, err: describeError(err) },
          'transient failure; retrying',
        );
      },
    });
  return { topic, partition, heartbeat, signal, retry, dispose: () => lost.abort() };
}

function recordDecoder<V>(options: BatchConsumerOptions<V>) {
  const readerFor = schemaLookup(options.readerSchemas);
  const noOptions = {};
  const toRecord = (
    topic: string,
    partition: number,
    message: KafkaMessage,
    { schemaId, value }: Decoded<V>,
  ): ConsumedRecord<V> => ({
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value,
    headers: headersToText(message.headers),
    timestamp: Number(message.timestamp),
    schemaId,
  });
  // Synchronous once the writer schema is cached (every record after its schema's first).
  return (
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): ConsumedRecord<V> | Promise<ConsumedRecord<V>> => {
    const readerSchema = readerFor(topic);
    const decodeOptions = readerSchema ? { readerSchema } : noOptions;
    const known = options.serde.decodeKnown<V>(message.value, decodeOptions);
    if (known) return toRecord(topic, partition, message, known);
    return options.serde
      .decode<V>(message.value, decodeOptions)
      .then((decoded) => toRecord(topic, partition, message, decoded));
  };
}

function deadLetterer<V>(options: BatchConsumerOptions<V>, deps: RunnerDeps) {
  const clock = options.clock ?? systemClock;
  return async (
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
  ): Promise<void> => {
    const code = errorCodeOf(error);
    const info = {
      reason: reasonOf(error),
      code,
      topic,
      partition,
      offset: message.offset,
      groupId: options.groupId,
      at: clock.now(),
    };
    const meta = await options.producer.sendRaw(dlqTopic(topic, options.groupId), {
      key: message.key,
      value: message.value,
      headers: deadLetterHeaders(info, message.headers),
    });
    deps.metrics.deadLetters.inc({ consumergroup: options.groupId, topic, code });
    deps.logger.warn(
      { topic, partition, offset: message.offset, code, reason: info.reason, dlq: meta },
      'record dead-lettered',
    );
  };
}
