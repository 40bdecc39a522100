import type { AggregateSpec } from '@pulse/rules';
import type { ProfileChange } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import { AT_RISK_THRESHOLD } from '@pulse/predict';
import { changeRecord } from './change-records';
import type { RescoringConfig } from './rescoring-config';
import type { RescoreOutcome, RescoringMetrics } from './rescoring-metrics';
import type { ClaimedScore, RescoreStore, ScoreWrite } from './rescoring-store';
import type { StateDump } from './dump';
import type { ProfileStore } from './store';

/** The path a rescored change names in `changed`: what segments on churnRisk depend on. */
export const CHURN_RISK_PATH = 'traits.churnRisk';

/** Rounds of `batch` customers one tick runs at most before yielding to the next tick. */
export const MAX_ROUNDS_PER_TICK = 50;

/** The churnRisk a scored change record carries (JSON text of a number), or null. */
export function churnRiskOf(change: ProfileChange): number | null {
  const text = change.tombstone ? undefined : change.profile.traits.churnRisk;
  if (text === undefined) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * Whether a new score is worth a profile change: it differs by `minChange` or more, or it
 * crossed `threshold` (the At risk segment's) either way. A customer without a published score
 * always gets one.
 */
export function materialChange(
  last: number | null,
  next: number,
  minChange: number,
  threshold = AT_RISK_THRESHOLD,
): boolean {
  if (last === null) return true;
  if (next === last) return false;
  return last >= threshold !== next >= threshold || Math.abs(next - last) >= minChange - 1e-12;
}

export interface RescorerOptions {
  store: ProfileStore;
  queue: RescoreStore;
  /** Adds the predictive traits to a change record, scored at its `at` (`forChange`). */
  score(change: ProfileChange): ProfileChange;
  /** Sends scored change records to profile-changes.v1; resolves once acked. */
  publish(changes: ProfileChange[]): Promise<void>;
  config: RescoringConfig;
  clock: Clock;
  logger: Logger;
  metrics: RescoringMetrics;
  /** Rule aggregates over sessions, derived into the records like the folder's (session-aggregates.ts). */
  sessionSpecs?: readonly AggregateSpec[];
}

/** What one tick did, by outcome. */
export type RescoreReport = Record<RescoreOutcome, number>;

interface Decided {
  claim: ClaimedScore;
  version: number;
}

/** The rescoring job: `start` runs a tick every `config.interval`; `tick` runs one now. */
export interface Rescorer {
  /** Records the scores of change records just published by the folder (or tombstones). */
  noteScored(changes: readonly ProfileChange[]): Promise<void>;
  /** Claims and rescores due customers, round after round while full rounds come back. */
  tick(): Promise<RescoreReport>;
  start(): void;
  /** Stops the loop and waits for a running tick (idempotent). */
  close(): Promise<void>;
}

/**
 * Recomputes churnRisk of customers whose score is older than `config.after`: a customer who
 * goes quiet keeps the score of their last change otherwise. The queue holds one entry per
 * scored customer (when its score was written); a tick leases the oldest due ones in batches
 * (atomic, so copies never share a customer; a crashed copy's lease runs out), scores each
 * stored profile at now, and for a material change bumps the profile's version (only if no live
 * change got in since the read) and publishes a change record like the folder's, naming
 * `traits.churnRisk`, so segments on it (At risk) re-evaluate.
 */
export function createRescorer(options: RescorerOptions): Rescorer {
  const { store, queue, config, clock, metrics } = options;
  const logger = options.logger.child({ component: 'churn-rescoring' });
  const scored = (customerId: string, version: number, dump: StateDump, at: number) =>
    options.score(
      changeRecord({
        customerId,
        version,
        dump,
        event: null,
        changed: [CHURN_RISK_PATH],
        at,
        sessionSpecs: options.sessionSpecs,
      }),
    );

  /** Re-reads bumped profiles: a record of the state at the new version, unless it moved on. */
  async function bumpedRecords(bumped: readonly Decided[], now: number): Promise<ProfileChange[]> {
    store.evict(bumped.map((b) => b.claim.customerId)); // this process's cached versions are stale
    const fresh = await Promise.all(bumped.map((b) => store.read(b.claim.customerId)));
    const out: ProfileChange[] = [];
    bumped.forEach((b, i) => {
      const f = fresh[i];
      if (f?.status === 'found' && f.version === b.version)
        out.push(scored(b.claim.customerId, b.version, f.dump, now));
    });
    return out;
  }

  /** Scores claimed customers at `now`: which are gone, unchanged, or worth a new version. */
  async function decide(claimed: readonly ClaimedScore[], now: number) {
    const reads = await Promise.all(claimed.map((c) => store.read(c.customerId)));
    const gone: string[] = [];
    const unchanged: string[] = [];
    const material: Decided[] = [];
    claimed.forEach((claim, i) => {
      const r = reads[i];
      const next =
        r?.status === 'found'
          ? churnRiskOf(scored(claim.customerId, r.version, r.dump, now))
          : null;
      if (r?.status !== 'found' || next === null) gone.push(claim.customerId);
      else if (materialChange(claim.lastScore, next, config.minChange))
        material.push({ claim, version: r.version });
      else unchanged.push(claim.customerId);
    });
    return { gone, unchanged, material };
  }

  async function round(now: number, count: RescoreReport): Promise<number> {
    const claimed = await queue.claim(now - config.after, config.lease, config.batch);
    if (claimed.length === 0) return 0;
    const { gone, unchanged, material } = await decide(claimed, now);
    const bumps = await Promise.all(material.map((m) => queue.bump(m.claim.customerId, m.version)));
    const bumped: Decided[] = [];
    const raced: string[] = [];
    material.forEach((m, i) => {
      const b = bumps[i];
      if (b?.status === 'bumped') bumped.push({ claim: m.claim, version: b.version });
      else if (b?.status === 'raced') raced.push(m.claim.customerId);
      else gone.push(m.claim.customerId);
    });
    const changes = await bumpedRecords(bumped, now);
    if (changes.length > 0) {
      await options.publish(changes);
      await store.updatePopulation(
        [],
        changes.map((c) => ({ customerId: c.customerId, version: c.version })),
      );
    }
    // bumped, but a live change moved the profile on before the re-read: that change publishes
    const published = new Set(changes.map((c) => c.customerId));
    raced.push(...bumped.map((b) => b.claim.customerId).filter((id) => !published.has(id)));
    await queue.record([
      ...changes.map((c) => ({ customerId: c.customerId, score: churnRiskOf(c), at: now })),
      ...gone.map((customerId) => ({ customerId, score: null, at: now })),
    ]);
    await queue.touch([...unchanged, ...raced], now);
    count.published += changes.length;
    count.unchanged += unchanged.length;
    count.raced += raced.length;
    count.gone += gone.length;
    return claimed.length;
  }

  async function tick(): Promise<RescoreReport> {
    const count: RescoreReport = { published: 0, unchanged: 0, raced: 0, gone: 0 };
    try {
      for (let i = 0; i < MAX_ROUNDS_PER_TICK && !closed; i += 1) {
        if ((await round(clock.now(), count)) < config.batch) break;
      }
    } finally {
      // rounds finished before a failure count too
      for (const k of Object.keys(count) as RescoreOutcome[]) metrics.rescored(k, count[k]);
    }
    const oldest = await queue.oldest();
    const behind = oldest === null ? 0 : clock.now() - config.after - oldest;
    metrics.lag(Math.max(0, behind) / 1000);
    if (count.published > 0) logger.info({ ...count }, 'churn scores rescored');
    return count;
  }

  let closed = false;
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | undefined;
  const schedule = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((err: unknown) =>
          logger.warn({ err }, 'churn rescoring tick failed (leased customers come back)'),
        )
        .finally(schedule);
    }, config.interval);
  };

  return {
    async noteScored(changes) {
      const writes: ScoreWrite[] = [];
      for (const c of changes) {
        const score = churnRiskOf(c);
        if (c.tombstone || score !== null)
          writes.push({ customerId: c.customerId, score, at: c.at });
      }
      await queue.record(writes);
    },
    tick,
    start: () => {
      if (started || closed) return;
      started = true;
      running = queue
        .seed()
        .then((queued) => {
          if (queued > 0)
            logger.info({ queued }, 'customers scored before rescoring existed queued');
        })
        .catch((err: unknown) => logger.warn({ err }, 'seeding churn rescoring failed'))
        .finally(schedule);
    },
    close: () =>
      (closing ??= (async () => {
        closed = true;
        clearTimeout(timer);
        await running.catch(() => undefined);
      })()),
  };
}
