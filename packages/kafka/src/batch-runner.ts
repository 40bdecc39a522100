import { dlqTopic } from '@pulse/contracts';
import { describeError, systemClock, type Logger } from '@pulse/core';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { createBatchProcessor, type BatchScope, type ConsumedRecord } from './batch-processor';
import type { ConsumerMetrics } from './consumer-metrics';
import { CONSUMER_DEFAULTS, type BatchConsumerOptions } from './consumer-options';
import { deadLetterHeaders, errorCodeOf, headersToText, reasonOf } from './dead-letter';
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
        await commitThrough(payload, chunk, groupId, deps.metrics);
      }
    } finally {
      scope.dispose();
    }
  };
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

async function commitThrough(
  payload: EachBatchPayload,
  chunk: readonly KafkaMessage[],
  groupId: string,
  metrics: ConsumerMetrics,
): Promise<void> {
  const last = chunk[chunk.length - 1];
  if (!last) return;
  const { topic, partition, highWatermark } = payload.batch;
  const next = nextOffset(last.offset);
  payload.resolveOffset(last.offset);
  await payload.commitOffsetsIfNecessary({
    topics: [{ topic, partitions: [{ partition, offset: next }] }],
  });
  const lag = BigInt(highWatermark) - BigInt(next);
  metrics.lag.set(
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
  return async (
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<ConsumedRecord<V>> => {
    const readerSchema = readerFor(topic);
    const { schemaId, value } = await options.serde.decode<V>(
      message.value,
      readerSchema ? { readerSchema } : {},
    );
    return {
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString('utf8') : null,
      value,
      headers: headersToText(message.headers),
      timestamp: Number(message.timestamp),
      schemaId,
    };
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
