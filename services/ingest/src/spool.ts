import type { PulseEvent } from '@pulse/contracts';
import { isRetriable, type Logger } from '@pulse/core';
import type { Keyspace, Redis } from '@pulse/redis';
import type { IngestMetrics } from './ingest-metrics';
import type { Accepted, Publisher } from './publisher';

/**
 * A bounded Redis stream holding pixel and email-tracking events while Kafka does not
 * acknowledge (those routes never fail the page, so they must not lose silently). What does not
 * fit is counted; `drain` publishes the oldest entries once Kafka is back.
 */
export interface Spool {
  /** Spools the events; false when the spool is full (nothing spooled). */
  push(source: string, items: readonly Accepted[]): Promise<boolean>;
  /** Publishes up to `max` spooled events and removes them; returns how many left the spool. */
  drain(publisher: Publisher, max?: number): Promise<number>;
  size(): Promise<number>;
}

export interface SpoolOptions {
  redis: Redis;
  keys: Keyspace;
  /** Most entries kept. */
  maxLength: number;
}

export function createSpool(options: SpoolOptions): Spool {
  const { redis, maxLength } = options;
  const key = options.keys.plain('ingest', 'spool');
  return {
    async push(source, items) {
      if ((await redis.xlen(key)) + items.length > maxLength) return false;
      const pipeline = redis.pipeline();
      for (const { event, dedup } of items) {
        pipeline.xadd(key, '*', 's', source, 'd', dedup ? '1' : '0', 'e', JSON.stringify(event));
      }
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
      return true;
    },
    async drain(publisher, max = 500) {
      const entries = await redis.xrange(key, '-', '+', 'COUNT', max);
      if (entries.length === 0) return 0;
      const bySource = new Map<string, { ids: string[]; items: Accepted[] }>();
      for (const [id, fields] of entries) {
        const field = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
        const group = bySource.get(field('s')) ?? { ids: [], items: [] };
        group.ids.push(id);
        group.items.push({
          event: JSON.parse(field('e')) as PulseEvent,
          dedup: field('d') === '1',
        });
        bySource.set(field('s'), group);
      }
      let drained = 0;
      for (const [source, { ids, items }] of bySource) {
        await publisher.publish(source, items);
        await redis.xdel(key, ...ids);
        drained += ids.length;
      }
      return drained;
    },
    size: () => redis.xlen(key),
  };
}

/**
 * The publisher the pixel and email-tracking routes use: when Kafka does not acknowledge, the
 * events go to the spool instead (counted); when the spool is full or Redis is down too, the
 * error stands and the route counts the loss.
 */
export function spoolingPublisher(
  publisher: Publisher,
  spool: Spool,
  metrics: IngestMetrics,
  logger: Logger,
): Publisher {
  return {
    ...publisher,
    async publish(source, items) {
      try {
        return await publisher.publish(source, items);
      } catch (err) {
        if (!isRetriable(err)) throw err;
        const spooled = await spool.push(source, items).catch((spoolErr: unknown) => {
          logger.warn({ err: spoolErr }, 'spool unavailable');
          return false;
        });
        if (!spooled) {
          metrics.rejected.inc({ reason: 'spool_full' });
          throw err;
        }
        metrics.spooled.inc({ source }, items.length);
        return { published: 0, duplicates: 0 };
      }
    },
  };
}

/** Drains the spool every `intervalMs` (one drain at a time); `stop()` ends it. */
export function startSpoolDrain(options: {
  spool: Spool;
  publisher: Publisher;
  intervalMs: number;
  logger: Logger;
}): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    options.spool
      .drain(options.publisher)
      .then((n) => {
        if (n > 0) options.logger.info({ drained: n }, 'spooled events published');
      })
      .catch((err: unknown) => options.logger.debug({ err }, 'spool drain failed; will retry'))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
