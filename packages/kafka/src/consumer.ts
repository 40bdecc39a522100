import { PulseError, type Logger } from '@pulse/core';
import type { Consumer } from 'kafkajs';
import { createBatchRunner, type Lifecycle } from './batch-runner';
import { createConsumerMetrics } from './consumer-metrics';
import { CONSUMER_DEFAULTS, type BatchConsumerOptions } from './consumer-options';
import { KafkaErrorCode, toPulseError } from './errors';
import { OffsetCommitter } from './offset-committer';
import { provisionDlqTopics } from './provision';
import { sleep } from './retry';

/** A running consumer group member. */
export interface BatchConsumer {
  /** Creates the DLQ topics, joins the group and starts fetching. */
  start(): Promise<void>;
  /**
   * Stops fetching, lets the in-flight batch finish (its ctx.signal aborts at the deadline),
   * commits what finished, leaves the group and disconnects. Idempotent.
   */
  close(): Promise<void>;
}

/** After the deadline aborted the handler, how long it may take to notice. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Creates a batch consumer: at-least-once delivery, offsets committed only after every record
 * up to them was handled or dead-lettered (and the dead letter acked).
 */
export function createBatchConsumer<V = unknown>(options: BatchConsumerOptions<V>): BatchConsumer {
  const { groupId } = options;
  const logger = (options.logger ?? options.kafka.logger).child({ component: 'consumer', groupId });
  const metrics = createConsumerMetrics(options.instruments ?? options.registry);
  const life: Lifecycle = {
    closing: false,
    closeStarted: new AbortController(),
    deadline: new AbortController(),
  };
  const sessionTimeout = options.sessionTimeout ?? CONSUMER_DEFAULTS.sessionTimeout;
  const heartbeatInterval =
    options.heartbeatInterval ?? Math.min(3_000, Math.floor(sessionTimeout / 3));
  const consumer = options.kafka.kafkajs.consumer({
    groupId,
    sessionTimeout,
    heartbeatInterval,
    rebalanceTimeout: options.rebalanceTimeout ?? CONSUMER_DEFAULTS.rebalanceTimeout,
    maxBytesPerPartition: options.maxBytesPerPartition ?? CONSUMER_DEFAULTS.maxBytesPerPartition,
    retry: { restartOnFailure: async () => !life.closing },
  });
  watchCrashes(consumer, options, logger, life);
  const committer = new OffsetCommitter(logger);
  const eachBatch = createBatchRunner(options, {
    logger,
    metrics,
    life,
    heartbeatInterval,
    committer,
  });
  let starting: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  async function start(): Promise<void> {
    if (life.closing) throw new PulseError(KafkaErrorCode.CLOSED, `consumer ${groupId} is closed`);
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...options.topics],
        fromBeginning: options.fromBeginning ?? false,
      });
      // After subscribe, which fails for a missing topic: no dead-letter topic for a typo.
      await provisionDlqTopics({ kafka: options.kafka, topics: options.topics, groupId });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently:
          options.partitionsConsumedConcurrently ??
          CONSUMER_DEFAULTS.partitionsConsumedConcurrently,
        eachBatch,
      });
      logger.info({ topics: options.topics }, 'consumer started');
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw toPulseError(err, `consumer ${groupId} could not start`);
    }
  }

  async function close(): Promise<void> {
    life.closing = true;
    life.closeStarted.abort();
    await starting?.catch(() => undefined);
    const closeTimeoutMs = options.closeTimeoutMs ?? CONSUMER_DEFAULTS.closeTimeoutMs;
    const deadline = setTimeout(() => life.deadline.abort(), closeTimeoutMs);
    const giveUp = new AbortController();
    try {
      // Commits still in flight from finished batches land before the group is left.
      await committer.flush();
      // A handler that ignores its abort signal must not hold shutdown forever.
      const stopped = await Promise.race([
        consumer.disconnect().then(() => true),
        sleep(closeTimeoutMs + CLOSE_GRACE_MS, giveUp.signal).then(() => false),
      ]);
      if (stopped) logger.info('consumer closed');
      else logger.error({ closeTimeoutMs }, 'consumer did not stop in time; abandoning it');
    } catch (err) {
      logger.warn({ err }, 'consumer disconnect failed');
    } finally {
      clearTimeout(deadline);
      giveUp.abort();
    }
  }

  return {
    start: () =>
      (starting ??= start().catch((err: unknown) => {
        starting = undefined; // a failed start may be tried again
        throw err;
      })),
    close: () => (closing ??= close()),
  };
}

function watchCrashes<V>(
  consumer: Consumer,
  options: BatchConsumerOptions<V>,
  logger: Logger,
  life: Lifecycle,
): void {
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    if (restart || life.closing) {
      logger.warn({ err: error, restart }, 'consumer crashed; kafkajs restarts it');
      return;
    }
    const fatal = toPulseError(error, `consumer ${options.groupId} stopped`);
    logger.fatal({ err: fatal }, 'consumer stopped for good');
    options.onFatalError?.(fatal);
  });
}
