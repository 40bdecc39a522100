import type { EventReject, PulseEvent } from '@pulse/contracts';
import { eventKey } from '@pulse/contracts';
import { describeError, PulseError, type Logger } from '@pulse/core';
import type { PulseProducer } from '@pulse/kafka';
import type { ClaimState, Deduper } from './dedup';
import type { IngestMetrics } from './ingest-metrics';

/** An accepted event; `dedup` is true when its id came from the sender (a messageId). */
export interface Accepted {
  event: PulseEvent;
  dedup: boolean;
}

export interface PublishOutcome {
  published: number;
  duplicates: number;
}

/** Publishes accepted events (deduplicated, acked) and refused input (best effort). */
export interface Publisher {
  /**
   * Resolves once every new event is acknowledged by Kafka. Rejects with a retriable
   * `INGEST_UNAVAILABLE` when Kafka did not ack within the timeout; claims are released.
   */
  publish(source: string, items: readonly Accepted[]): Promise<PublishOutcome>;
  /** Sends a reject record and counts it; never throws (a failure is logged). */
  reject(reject: EventReject): Promise<void>;
  /** Readiness: true, or why not (the last publish failed and none succeeded since). */
  health(): true | string;
}

export interface PublisherOptions {
  producer: PulseProducer;
  deduper: Deduper;
  eventsTopic: string;
  rejectsTopic: string;
  ackTimeoutMs: number;
  metrics: IngestMetrics;
  logger: Logger;
}

/** Longest raw input kept in a reject record. */
export const MAX_REJECT_RAW = 8 * 1024;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PulseError('KAFKA_ACK_TIMEOUT', `no ack within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createPublisher(options: PublisherOptions): Publisher {
  const { producer, deduper, metrics, logger } = options;
  let lastFailure: string | undefined;

  // A pending claim outlives any publish that is still running (the ack timeout) with margin.
  const pendingMs = 2 * options.ackTimeoutMs + 5_000;

  /** The items to publish now; throws a retriable error when one is being published elsewhere. */
  async function claim(source: string, items: readonly Accepted[]): Promise<Accepted[]> {
    const ids = items.filter((item) => item.dedup).map((item) => item.event.id);
    if (ids.length === 0) return [...items];
    let states: ClaimState[];
    try {
      states = await deduper.claimPending(source, ids, pendingMs);
    } catch (err) {
      // Dedup is best effort: without Redis, publishing beats refusing (downstream dedups).
      logger.warn({ err }, 'dedup unavailable; publishing without it');
      return [...items];
    }
    const state = new Map<string, ClaimState>();
    ids.forEach((id, i) => {
      // A repeated id within one call: the first occurrence decides, the rest are duplicates.
      if (!state.has(id)) state.set(id, states[i] ?? 'new');
    });
    const busy = [...state].filter(([, s]) => s === 'pending').map(([id]) => id);
    if (busy.length > 0) {
      const claimed = [...state].filter(([, s]) => s === 'new').map(([id]) => id);
      await deduper.release(source, claimed).catch(() => undefined);
      throw new PulseError(
        'INGEST_BUSY',
        `${busy.length} message id(s) are being published by another request; retry`,
        { retriable: true, details: { ids: busy.slice(0, 10) } },
      );
    }
    const taken = new Set<string>();
    return items.filter((item) => {
      if (!item.dedup) return true;
      const id = item.event.id;
      if (taken.has(id) || state.get(id) !== 'new') return false;
      taken.add(id);
      return true;
    });
  }

  return {
    async publish(source, items) {
      const fresh = await claim(source, items);
      const duplicates = items.length - fresh.length;
      if (duplicates > 0) metrics.duplicates.inc({ source }, duplicates);
      if (fresh.length === 0) return { published: 0, duplicates };
      const started = process.hrtime.bigint();
      try {
        await withTimeout(
          Promise.all(
            fresh.map(({ event }) =>
              producer.send(options.eventsTopic, { key: eventKey(event), value: event }),
            ),
          ),
          options.ackTimeoutMs,
        );
      } catch (err) {
        const claimed = fresh.filter((item) => item.dedup).map((item) => item.event.id);
        await deduper.release(source, claimed).catch(() => undefined);
        lastFailure = describeError(err);
        throw new PulseError('INGEST_UNAVAILABLE', 'events could not be published to Kafka', {
          retriable: true,
          cause: err,
        });
      }
      lastFailure = undefined;
      const stored = fresh.filter((item) => item.dedup).map((item) => item.event.id);
      // Best effort: should it fail, the pending claims expire and a retry publishes again
      // (a duplicate downstream idempotency absorbs, never a loss).
      if (stored.length > 0)
        await deduper
          .confirm(source, stored)
          .catch((err: unknown) => logger.warn({ err }, 'dedup confirm failed'));
      metrics.ackSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      metrics.accepted.inc({ source }, fresh.length);
      return { published: fresh.length, duplicates };
    },
    async reject(reject) {
      metrics.rejected.inc({ reason: reject.reason });
      const value = { ...reject, raw: reject.raw.slice(0, MAX_REJECT_RAW) };
      try {
        await withTimeout(
          producer.sendRaw(options.rejectsTopic, {
            key: reject.source,
            value: Buffer.from(JSON.stringify(value), 'utf8'),
          }),
          options.ackTimeoutMs,
        );
      } catch (err) {
        logger.warn({ err, reason: reject.reason }, 'reject record could not be published');
      }
    },
    health: () => (lastFailure === undefined ? true : `last publish failed: ${lastFailure}`),
  };
}
