import { randomUUID } from 'node:crypto';
import type { ProfileChange, PulseEvent } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import type { AvroSerde, KafkaClient } from '@pulse/kafka';
import type { Redis } from '@pulse/redis';
import type { AggregateSpec } from '@pulse/rules';
import type { Registry } from 'prom-client';
import {
  aggregatesToBackfill,
  backfillLockKey,
  covers,
  markReady,
  readReady,
} from './aggregate-backfill-state';
import { createBackfillMetrics } from './backfill-metrics';
import { committedOffsets, replayTopic, type ReplayedRecord } from './backfill-reader';
import { changeRecord } from './change-records';
import { eventSuppressionIds, withoutErased } from './erasure-ids';
import { foldEvent } from './fold';
import type { FoldOptions } from './fold-options';
import { CUSTOMER_KEYS, type ProfileKeys } from './keys';
import type { Op } from './ops';
import { ruleAggregateOps } from './rule-aggregates';
import type { ApplyRequest, ProfileStore } from './store';

export interface BackfillOptions {
  redis: Redis;
  keys: ProfileKeys;
  store: ProfileStore;
  kafka: KafkaClient;
  serde: AvroSerde;
  fold: FoldOptions;
  clock: Clock;
  logger: Logger;
  registry?: Registry;
  /** Every aggregate the loaded segments register (the folder maintains these). */
  specs: readonly AggregateSpec[];
  /** Session aggregates: derived from session state when records are built, never backfilled. */
  sessionSpecs?: readonly AggregateSpec[];
  eventsTopic: string;
  /** The live consumer group on events.v1 (its committed offsets split history from live). */
  groupId: string;
  /** Publishes change records (the folder's publish); resolves once acked. */
  publish(changes: ProfileChange[]): Promise<void>;
  /** How long the backfill lock lasts without a refresh; default 60 s. */
  lockMs?: number;
  /** Wait between looks at `agg:ready` while another copy backfills; default 1 s. */
  pollMs?: number;
}

/** Per canonical customer: the new aggregates (JSON text by id) and the event ids folded. */
interface Folded {
  values: Record<string, string>;
  seen: Set<string>;
}

const MARKS = CUSTOMER_KEYS.indexOf('marks');
const CHUNK = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Backfills the rule aggregates no earlier run maintained (decision 6), before the live consumer
 * starts: replays events.v1 (kept forever) and writes each such aggregate, computed from
 * scratch per canonical customer, then marks it ready in `agg:ready` (what the segmenter waits
 * for). Which events the live fold will still bring is settled by position, not by time:
 *
 * - the live group resumes at its committed offsets, and every event there or later that it
 *   has not applied yet will be folded live *with* the new aggregates — so the backfill leaves
 *   those out, or they would count twice;
 * - below the committed offsets, and above them where the event's idempotency mark is already
 *   on the customer (applied before a crash, uncommitted), the live fold skips the event — so
 *   the backfill folds it.
 *
 * Replacing the stored value (not adding to it) makes a re-run after a crash idempotent and
 * drops a stale value left from an earlier time the aggregate was maintained. That is sound
 * because nothing else writes these aggregates meanwhile: this copy's consumer has not started
 * and other copies wait on the lock. (Copies of an older version still consuming would fold
 * without the new aggregates: stop them before rolling out a segment that needs one.)
 *
 * Events go to the customer their identities resolve to *now* (merges folded in, the survivor
 * of `!into` chains) through the store's own identity map; events naming an erased identity are
 * skipped, as are events no profile holds (never folded, or invalid and dead-lettered).
 */
export async function backfillRuleAggregates(options: BackfillOptions): Promise<void> {
  const { redis, keys, clock, logger } = options;
  const todo = await aggregatesToBackfill(redis, keys, options.specs, clock.now());
  const metrics = createBackfillMetrics(options.registry, options.specs, todo);
  if (todo.length === 0) return;
  const ids = todo.map((s) => s.id);
  const token = randomUUID();
  const lockMs = options.lockMs ?? 60_000;
  if ((await redis.set(backfillLockKey(keys), token, 'PX', lockMs, 'NX')) !== 'OK') {
    logger.info({ aggregates: ids }, 'another copy backfills rule aggregates: waiting');
    for (;;) {
      const ready = await readReady(redis, keys);
      if (ready && todo.every((s) => covers(ready, s))) break;
      if ((await redis.set(backfillLockKey(keys), token, 'PX', lockMs, 'NX')) === 'OK')
        return runLocked(options, todo, token, metrics); // that copy died: take over
      await sleep(options.pollMs ?? 1_000);
    }
    metrics.ready(todo);
    return;
  }
  await runLocked(options, todo, token, metrics);
}

async function runLocked(
  options: BackfillOptions,
  todo: readonly AggregateSpec[],
  token: string,
  metrics: ReturnType<typeof createBackfillMetrics>,
): Promise<void> {
  const { redis, keys, logger, clock } = options;
  const refresh = setInterval(
    () =>
      void redis.pexpire(backfillLockKey(keys), options.lockMs ?? 60_000).catch(() => undefined),
    Math.max(1_000, (options.lockMs ?? 60_000) / 3),
  );
  try {
    const started = clock.now();
    logger.info(
      { aggregates: todo.map((s) => s.id) },
      'backfilling new rule aggregates from events',
    );
    const committed = await committedOffsets(options.kafka, options.groupId, options.eventsTopic);
    const folded = new Map<string, Folded>();
    const replay = await replayTopic<PulseEvent>({
      kafka: options.kafka,
      serde: options.serde,
      topic: options.eventsTopic,
      logger,
      onBatch: async (records) => {
        await foldReplayed(options, todo, committed, records, folded);
        metrics.replayed(records.length);
      },
    });
    const written = await writeAll(options, todo, folded, `backfill:${started}`);
    metrics.profiles(written);
    await markReady(redis, keys, todo, clock.now(), written);
    metrics.ready(todo);
    logger.info(
      {
        aggregates: todo.map((s) => s.id),
        events: replay.records,
        customers: folded.size,
        written,
      },
      'rule aggregates backfilled and ready',
    );
  } finally {
    clearInterval(refresh);
    if ((await redis.get(backfillLockKey(keys))) === token) await redis.del(backfillLockKey(keys));
  }
}

/** The canonical customer of each event now (null: no profile holds its identities). */
async function canonical(store: ProfileStore, events: readonly PulseEvent[]) {
  const perEvent = events.map(eventSuppressionIds);
  const all = [...new Set(perEvent.flat())];
  const resolved = await store.resolve(all);
  const mapped = new Map(all.map((id, i) => [id, resolved[i] ?? null]));
  const out = perEvent.map((ids) => ids.map((id) => mapped.get(id)).find((c) => !!c) ?? null);
  for (let hop = 0; hop < 10; hop += 1) {
    const open = [...new Set(out.filter((c): c is string => c !== null))];
    const fences = await store.fences(open);
    const into = new Map(open.map((c, i) => [c, fences[i]?.into ?? null]));
    if (![...into.values()].some((v) => v !== null)) break;
    for (let i = 0; i < out.length; i += 1) out[i] = into.get(out[i] ?? '') ?? out[i] ?? null;
  }
  return out;
}

async function foldReplayed(
  options: BackfillOptions,
  specs: readonly AggregateSpec[],
  committed: ReadonlyMap<number, number>,
  records: readonly ReplayedRecord<PulseEvent>[],
  folded: Map<string, Folded>,
): Promise<void> {
  const { kept } = await withoutErased(
    records.map((r) => r.value),
    (h) => options.store.erasedAmong(h),
  );
  const keep = new Set(kept);
  const live = records.filter((r) => keep.has(r.value) && foldEvent(r.value, options.fold).ok);
  const customers = await canonical(
    options.store,
    live.map((r) => r.value),
  );
  // At or past the committed offset: only events already applied (their mark is there).
  const late = live
    .map((r, i) => ({ r, c: customers[i] }))
    .filter(({ r, c }) => c && r.offset >= (committed.get(r.partition) ?? 0));
  const marks =
    late.length === 0
      ? []
      : await (() => {
          const p = options.redis.pipeline();
          for (const { r, c } of late)
            p.zscore(options.keys.customer(c as string)[MARKS] as string, r.value.id);
          return p.exec();
        })();
  const applied = new Set(late.filter((_, i) => marks?.[i]?.[1] !== null).map(({ r }) => r));
  live.forEach((r, i) => {
    const c = customers[i];
    if (!c) return;
    if (r.offset >= (committed.get(r.partition) ?? 0) && !applied.has(r)) return;
    const state = folded.get(c) ?? { values: {}, seen: new Set<string>() };
    if (state.seen.has(r.value.id)) return; // a duplicate on the topic: the live fold skipped it too
    const next = ruleAggregateOps(specs, { token: '', values: state.values }, r.value);
    if (next.changed.length === 0) return;
    state.values = next.after.values;
    state.seen.add(r.value.id);
    folded.set(c, state);
  });
}

/** Writes the folded values (replacing what is stored) and publishes the change records. */
async function writeAll(
  options: BackfillOptions,
  specs: readonly AggregateSpec[],
  folded: ReadonlyMap<string, Folded>,
  mark: string,
): Promise<number> {
  const { store, clock } = options;
  const ids = specs.map((s) => s.id);
  let written = 0;
  const customers = [...folded.keys()];
  for (let i = 0; i < customers.length; i += CHUNK) {
    let chunk = customers.slice(i, i + CHUNK);
    for (let attempt = 0; chunk.length > 0 && attempt < 5; attempt += 1) {
      const current = await store.readAggregates(chunk, ids);
      const requests: ApplyRequest[] = [];
      chunk.forEach((customerId, j) => {
        const values = folded.get(customerId)?.values ?? {};
        const now = current[j] ?? { token: '', values: {} };
        const sets: Op[] = ids
          .filter((id) => values[id] !== undefined && values[id] !== now.values[id])
          .map((id) => ({ op: 'aggSet', id, value: values[id] as string }));
        if (sets.length === 0) return; // already written (a resumed run)
        requests.push({
          customerId,
          mark,
          markScore: clock.now(),
          ops: [{ op: 'aggCheck', token: now.token }, ...sets],
          snapshot: true,
        });
      });
      const { outcomes } = await store.linkAndApply([], requests);
      const changes: ProfileChange[] = [];
      const retry: string[] = [];
      outcomes.forEach((o, j) => {
        const r = requests[j] as ApplyRequest;
        if (o.status === 'conflict') retry.push(r.customerId);
        if (o.status !== 'applied' || !o.dump) return;
        const changed = r.ops.flatMap((op) => (op.op === 'aggSet' ? [`aggregates.${op.id}`] : []));
        changes.push(
          changeRecord({
            customerId: r.customerId,
            version: o.version,
            dump: o.dump,
            event: null,
            changed,
            at: clock.now(),
            sessionSpecs: options.sessionSpecs,
          }),
        );
      });
      if (changes.length > 0) {
        await options.publish(changes);
        await store.updatePopulation(
          [],
          changes.map((c) => ({ customerId: c.customerId, version: c.version })),
        );
      }
      written += changes.length;
      chunk = retry;
    }
  }
  return written;
}
