import type { ProfileChange, ProfileSnapshot, SegmentChange } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import type { SegmentSet } from '@pulse/rules';
import type { Scheduler } from '@pulse/scheduler';
import type { PopulationDistributions } from './distributions';
import { evaluateChange } from './evaluator';
import type { SegmenterMetrics } from './segmenter-metrics';
import type { RemovalRecord, RemovalStore } from './removal-store';
import type { SegmentStore, TransitionOutcome, TransitionRequest, Verdict } from './store';

export interface ProcessorOptions {
  set: SegmentSet;
  store: SegmentStore;
  distributions: PopulationDistributions;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  /** Sends segment changes; resolves once acked. */
  publish(changes: readonly SegmentChange[]): Promise<void>;
  metrics?: SegmenterMetrics;
  /** Most customers re-checked per moved percentile cut. */
  thresholdRecheckLimit?: number;
  /** Exits of deleted segments. */
  removals: RemovalStore;
}

export interface ProcessReport {
  customers: number;
  evaluations: number;
  published: number;
}

/** One customer's records of a batch, folded: its last snapshot and every path they changed. */
interface Pending {
  customerId: string;
  first: ProfileChange;
  last: ProfileChange;
  changed: Set<string>;
}

const ALL = null;

/**
 * The segmenter's transitions: profile changes (cause `event`/`merge`) and re-checks when time
 * alone can flip a rule (cause `clock`). Each customer's outcome is one Lua transition, then the
 * outbox is published, settled into the member sets, and the next re-check scheduled.
 */
export function createProcessor(options: ProcessorOptions) {
  const { store, distributions, scheduler, clock } = options;
  // Swapped by a segment reload; each batch and re-check reads it once, so it sees one set.
  let set = options.set;
  // Segments whose rule aggregates the profile builder has not backfilled: evaluated, not decided.
  let held: ReadonlySet<string> = new Set();
  const decided = (verdicts: Verdict[]): Verdict[] =>
    held.size === 0 ? verdicts : verdicts.filter((v) => !held.has(v.segmentId));
  const limit = options.thresholdRecheckLimit ?? 10_000;

  async function finish(
    requests: readonly Pick<TransitionRequest, 'customerId'>[],
    outcomes: readonly Pick<TransitionOutcome, 'outbox' | 'nextFlipAt'>[],
    reschedule: (i: number) => boolean,
  ): Promise<number> {
    const byCustomer = new Map<string, SegmentChange[]>();
    outcomes.forEach((o, i) => {
      const id = requests[i]?.customerId;
      if (id && o.outbox.length > 0) byCustomer.set(id, o.outbox);
    });
    const all = [...byCustomer.values()].flat();
    const publishAndSettle = async (): Promise<void> => {
      if (all.length > 0) await options.publish(all);
      options.metrics?.published(all, clock.now());
      const sizes = await store.settle(byCustomer, clock.now());
      for (const [segmentId, size] of sizes) options.metrics?.members(segmentId, size);
    };
    // The next re-checks do not wait for the publish: scheduling is idempotent (same id and due
    // time), so a failed publish that redelivers the batch schedules the same again.
    await Promise.all([
      publishAndSettle(),
      ...outcomes.map(async (o, i) => {
        const id = requests[i]?.customerId;
        if (!id || o.nextFlipAt === null || !reschedule(i)) return;
        await scheduler.schedule(id, o.nextFlipAt);
      }),
    ]);
    return all.length;
  }

  function countFlaps(outcomes: readonly TransitionOutcome[]): void {
    for (const o of outcomes) for (const id of o.flaps) options.metrics?.flapped(id);
  }

  let rechecking: Promise<void> | undefined;

  /**
   * A moved percentile cut re-checks the customers it passed — thousands at times — through the
   * scheduler; that is kept off the batch's path (one refresh at a time), so a profile change
   * never waits for it. A failure is logged; the next batch tries again.
   */
  function rechecksInBackground(now: number): void {
    rechecking ??= thresholdRechecks(now)
      .catch((err: unknown) => options.logger.warn({ err }, 'percentile re-checks failed'))
      .finally(() => {
        rechecking = undefined;
      });
  }

  async function thresholdRechecks(now: number): Promise<void> {
    for (const move of await distributions.refresh(now)) {
      const ids = await distributions.between(move, limit);
      await Promise.all(ids.map((id) => scheduler.schedule(id, now)));
      if (ids.length >= limit)
        options.logger.warn(
          { move, limit },
          'percentile cut moved past more customers than re-checked',
        );
    }
  }

  async function reevaluate(
    customerId: string,
    dueAt: number,
    cause: 'clock' | 'definition',
  ): Promise<ProcessReport> {
    const profile = await store.profile(customerId);
    if (!profile) return { customers: 0, evaluations: 0, published: 0 };
    const now = Math.max(clock.now(), dueAt);
    const snapshot = JSON.parse(profile.snapshot) as ProfileSnapshot; // stored by handleChanges
    const evaluation = evaluateChange(set, {
      customerId,
      snapshot,
      changed: ALL,
      memberships: profile.members,
      distributions: distributions.current(),
      now,
    });
    const request: TransitionRequest = {
      customerId,
      cause,
      version: profile.version,
      snapshot: '',
      at: dueAt,
      eventId: null,
      eventOccurredAt: null,
      verdicts: decided(evaluation.verdicts),
    };
    const outcomes = await store.transition([request]);
    countFlaps(outcomes);
    const published = await finish([request], outcomes, () => true);
    return { customers: 1, evaluations: evaluation.evaluated, published };
  }

  return {
    /** Handles a batch of profile-changes.v1 records (in partition order). */
    async handleChanges(records: readonly ProfileChange[]): Promise<ProcessReport> {
      const now = clock.now();
      rechecksInBackground(now);
      const pending = new Map<string, Pending>();
      for (const r of records) {
        const p = pending.get(r.customerId);
        if (!p)
          pending.set(r.customerId, {
            customerId: r.customerId,
            first: r,
            last: r,
            changed: new Set(r.changed),
          });
        else {
          if (r.version >= p.last.version) p.last = r;
          for (const c of r.changed) p.changed.add(c);
        }
      }
      const list = [...pending.values()];
      const states = await store.states(list.map((p) => p.customerId));
      const stored = states.map((s) => s.memberships);
      let evaluations = 0;
      const metrics: { customerId: string; values: Map<string, number | undefined> }[] = [];
      const requests: TransitionRequest[] = list.map((p, i) => {
        const { last } = p;
        const storedVersion = states[i]?.version ?? 0;
        const base = {
          customerId: p.customerId,
          version: last.version,
          at: now,
          eventId: last.eventId,
          eventOccurredAt: last.eventOccurredAt,
        };
        if (last.tombstone) {
          // Merged away: it leaves every segment (the survivor's change re-evaluates the rest).
          const verdicts = (stored[i] ?? [])
            .filter((m) => m.member)
            .map((m) => ({
              segmentId: m.segmentId,
              version: m.version,
              member: false,
              nextFlipAt: null,
            }));
          metrics.push({
            customerId: p.customerId,
            values: new Map(set.metrics.map((m) => [m.id, undefined])),
          });
          return { ...base, cause: 'merge', snapshot: '', verdicts };
        }
        if (last.version <= storedVersion)
          return { ...base, cause: 'event', snapshot: '', verdicts: [] }; // redelivered: republish only
        // A gap (records skipped, a first sight) means the changed paths are not all known.
        const contiguous = storedVersion > 0 && p.first.version <= storedVersion + 1;
        const evaluation = evaluateChange(set, {
          customerId: p.customerId,
          snapshot: last.profile,
          changed: contiguous ? [...p.changed] : ALL,
          memberships: new Set((stored[i] ?? []).filter((m) => m.member).map((m) => m.segmentId)),
          distributions: distributions.current(),
          now,
        });
        evaluations += evaluation.evaluated;
        metrics.push({ customerId: p.customerId, values: evaluation.metricValues });
        return {
          ...base,
          cause: last.mergedFrom.length > 0 ? 'merge' : 'event',
          snapshot: JSON.stringify(last.profile),
          verdicts: decided(evaluation.verdicts),
        };
      });
      const outcomes = await store.transition(requests);
      countFlaps(outcomes);
      // The population values and the outbox are independent writes: neither waits for the other.
      const [, published] = await Promise.all([
        distributions.record(metrics),
        finish(requests, outcomes, (i) => {
          const before = (stored[i] ?? []).reduce<number | null>(
            (min, m) =>
              m.nextFlipAt !== null && (min === null || m.nextFlipAt < min) ? m.nextFlipAt : min,
            null,
          );
          return !outcomes[i]?.applied || outcomes[i]?.nextFlipAt !== before;
        }),
      ]);
      // Erased (a tombstone merged into no one): its exits are out, now its data goes too.
      await store.forget(
        list.filter((p) => p.last.tombstone && p.last.mergedInto === null).map((p) => p.customerId),
      );
      return { customers: list.length, evaluations, published };
    },

    /** A re-check due now: time alone may have flipped some rules of this customer. */
    recheck: (customerId: string, dueAt: number) => reevaluate(customerId, dueAt, 'clock'),

    /**
     * Re-evaluates a stored profile against the current segments after a definition changed
     * (cause `definition`). Like a re-check it applies only at the stored profile version, so a
     * live change that got in first wins and nothing is evaluated twice.
     */
    reevaluate: (customerId: string) => reevaluate(customerId, clock.now(), 'definition'),

    /**
     * A deleted segment's exits for these customers (see remove-segment.lua): published and
     * settled like any change; a re-check scheduled only for the removed membership is moved to
     * the customer's next one, or cancelled. Returns how many exits this call wrote.
     */
    async removeSegment(
      customerIds: readonly string[],
      removal: Pick<RemovalRecord, 'segmentId' | 'number' | 'removedAt'>,
    ): Promise<number> {
      const outcomes = await options.removals.remove(customerIds, removal);
      await finish(
        customerIds.map((customerId) => ({ customerId })),
        outcomes.map((o) => ({ outbox: o.outbox, nextFlipAt: null })),
        () => false,
      );
      await Promise.all(
        outcomes.map(async (o, i) => {
          const id = customerIds[i];
          if (!id || o.removedFlip === null) return;
          const timer = await scheduler.get(id);
          // Only the re-check the removed segment asked for: another may be due sooner.
          if (!timer || timer.leased || timer.dueAt !== o.removedFlip) return;
          if (o.nextFlipAt === null) await scheduler.cancel(id);
          else if (o.nextFlipAt !== timer.dueAt) await scheduler.schedule(id, o.nextFlipAt);
        }),
      );
      return outcomes.filter((o) => o.exited).length;
    },

    /**
     * Segments that must not change anyone's membership yet (their aggregates are being
     * backfilled); their stored memberships stay as they are until released.
     */
    hold(segmentIds: ReadonlySet<string>): void {
      held = segmentIds;
    },

    /** Uses a newly loaded segment set from the next batch / re-check on. */
    useSet(next: SegmentSet): void {
      set = next;
      distributions.useMetrics(next.metrics);
    },
  };
}

export type Processor = ReturnType<typeof createProcessor>;
