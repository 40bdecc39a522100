import type { ProfileChange, PulseEvent } from '@pulse/contracts';
import { PulseError, type Clock, type Logger } from '@pulse/core';
import { Batch, type FoldReport } from './batch';
import { tombstoneRecord } from './change-records';
import { withoutErased } from './erasure-ids';
import { foldEvent } from './fold';
import { DEFAULT_SESSION_GAP_MS, type FoldOptions } from './fold-options';
import { chooseSurvivor, eventIdentities, identity } from './identity-ids';
import { tombstoneVersion, unfinishedMerges } from './merge-resume';
import { mergeOps } from './merge-ops';
import { populationUpdates } from './population';
import { changedPeople, findDuplicates, type DuplicateDetection } from './duplicates';
import type { Op } from './ops';
import { mergeRuleAggregateOps, ruleAggregateOps, type RuleAggregates } from './rule-aggregates';
import { SESSION_EVENT, isSessionSpec } from './session-aggregates';
import type { AggregateSpec } from '@pulse/rules';
import type { ApplyRequest, LinkRequest, ProfileStore } from './store';

export interface FolderOptions {
  store: ProfileStore;
  fold: FoldOptions;
  clock: Clock;
  logger: Logger;
  /** The rule aggregates to maintain (`SegmentSet.aggregates` of the loaded segments). */
  aggregates?: readonly AggregateSpec[];
  /** Sends change records; resolves once acked. */
  publish(changes: ProfileChange[]): Promise<void>;
  /** Fuzzy duplicate detection among known customers (off when absent). */
  duplicates?: DuplicateDetection;
}

export type { FoldReport } from './batch';

/** Thrown for an event whose content makes no sense (it goes to the DLQ with this reason). */
export const PROFILE_EVENT_INVALID = 'PROFILE_EVENT_INVALID';

interface Item {
  event: PulseEvent;
  ops: Op[];
  changed: string[];
}

const MAX_HOPS = 10;

/** One apply of `applyAll`; `refold` items carry rule aggregate ops recomputed on a conflict. */
interface Work {
  request: ApplyRequest;
  event: PulseEvent | null;
  changed: string[];
  mergedFrom?: string[];
  refold?: { ops: Op[]; changed: string[] };
}

/** Identities of an event that links ids: identify's email trait, alias's previous id. */
function linkIdentities(event: PulseEvent, mapped: ReadonlyMap<string, string | null>): string[] {
  const ids = eventIdentities(event);
  const payload = event.payload;
  if ('pulse.events.IdentifyPayload' in payload && payload['pulse.events.IdentifyPayload'].email) {
    ids.push(identity('e', payload['pulse.events.IdentifyPayload'].email));
  }
  if ('pulse.events.AliasPayload' in payload) {
    const prev = payload['pulse.events.AliasPayload'].previous_id;
    ids.push(mapped.get(identity('u', prev)) ? identity('u', prev) : identity('a', prev));
  }
  return [...new Set(ids)];
}

/**
 * Folds batches of events into Redis and publishes what changed. Order-independent ops let it
 * pipeline a batch in one round trip; events that link identities (identify, alias, or ids that
 * resolve to two customers) run the merge steps after it.
 */
export function createFolder(options: FolderOptions) {
  const { store, clock } = options;
  // Rule aggregates over sessions are derived from the session state when a change record is
  // built (session-aggregates.ts); the others are folded from each event.
  const sessionSpecs = (options.aggregates ?? []).filter(isSessionSpec);
  const specs = (options.aggregates ?? []).filter((s) => !isSessionSpec(s));
  const specIds = specs.map((s) => s.id);
  const sessionPaths = sessionSpecs.map((s) => `aggregates.${s.id}`);
  for (const s of specs.filter((x) => x.events.includes(SESSION_EVENT)))
    options.logger.warn(
      { aggregate: s.id },
      `'${SESSION_EVENT}' cannot be mixed with other events`,
    );
  const sessionGapMs = options.fold.sessionGapMs ?? DEFAULT_SESSION_GAP_MS;

  /**
   * Folds each event into its customer's rule aggregates, in order (customers' aggregates read
   * once), and puts the resulting ops into the requests.
   */
  async function withRuleAggregates(items: Work[]): Promise<void> {
    const todo = items.filter((i) => i.refold && i.event);
    if (specs.length === 0 || todo.length === 0) return;
    const ids = [...new Set(todo.map((i) => i.request.customerId))];
    const read = await store.readAggregates(ids, specIds);
    const state = new Map<string, RuleAggregates>(
      ids.map((id, i) => [id, read[i] as RuleAggregates]),
    );
    for (const item of todo) {
      const base = item.refold as { ops: Op[]; changed: string[] }; // filtered above
      const id = item.request.customerId;
      const r = ruleAggregateOps(specs, state.get(id) as RuleAggregates, item.event as PulseEvent);
      state.set(id, r.after);
      item.request = { ...item.request, ops: [...r.check, ...base.ops, ...r.sets] };
      item.changed = [...new Set([...base.changed, ...r.changed])].sort();
    }
  }

  async function applyAll(
    batch: Batch,
    items: Work[],
    links: LinkRequest[] = [],
  ): Promise<{ previous: (string | null)[]; finalIds: string[]; statuses: string[] }> {
    let pending = items;
    let previous: (string | null)[] = [];
    const finalIds = items.map((i) => i.request.customerId);
    const statuses = items.map(() => 'pending');
    const index = new Map(items.map((item, i) => [item, i]));
    for (let hop = 0; pending.length > 0; hop += 1) {
      if (hop > MAX_HOPS)
        throw new PulseError('PROFILE_MERGE_CHAIN', 'merge chain too long', { retriable: true });
      const result = await store.linkAndApply(
        hop === 0 ? links : [],
        pending.map((p) => p.request),
      );
      if (hop === 0) previous = result.previous;
      const next: typeof pending = [];
      result.outcomes.forEach((outcome, i) => {
        const item = pending[i];
        if (!item) return;
        if (outcome.status === 'conflict') {
          // The rule aggregates moved on since they were read: refold them from a fresh read.
          if (!item.refold)
            throw new PulseError(
              'PROFILE_AGGREGATE_RACE',
              'rule aggregates changed during a merge',
              {
                retriable: true,
              },
            );
          next.push(item);
        } else if (outcome.status === 'moved') {
          const moved = { ...item, request: { ...item.request, customerId: outcome.into } };
          index.set(moved, index.get(item) ?? 0);
          finalIds[index.get(item) ?? 0] = outcome.into;
          next.push(moved);
        } else {
          statuses[index.get(item) ?? 0] = outcome.status;
          batch.record(item.request.customerId, outcome, item.event, item.changed, item.mergedFrom);
        }
      });
      pending = next;
      await withRuleAggregates(pending);
    }
    return { previous, finalIds, statuses };
  }

  async function merge(
    batch: Batch,
    a: string,
    b: string,
    cause: PulseEvent,
    depth = 0,
  ): Promise<string> {
    if (a === b) return a;
    if (depth > MAX_HOPS)
      throw new PulseError('PROFILE_MERGE_CHAIN', 'merge chain too long', { retriable: true });
    const { survivor, loser } = chooseSurvivor(a, b);
    const marked = await store.mergeMark(loser, survivor);
    if ('into' in marked) return merge(batch, marked.into, survivor, cause, depth + 1);
    const aggregateOps =
      specs.length === 0
        ? []
        : mergeRuleAggregateOps(
            specs,
            (await store.readAggregates([survivor], specIds))[0] as RuleAggregates,
            marked.dump.p,
          );
    const [check, ...sets] = aggregateOps;
    const ops: Op[] = [
      ...(check ? [check] : []),
      ...mergeOps(marked.dump, sessionGapMs),
      { op: 'sadd', key: 'ids', member: loser },
      ...sets,
    ];
    const request: ApplyRequest = {
      customerId: survivor,
      mark: `merge:${loser}`,
      markScore: cause.receivedAt,
      ops,
      snapshot: true,
    };
    const { finalIds } = await applyAll(batch, [
      { request, event: cause, changed: ['identities', ...sessionPaths], mergedFrom: [loser] },
    ]);
    const target = finalIds[0] ?? survivor;
    await store.setIdentities([...new Set([...marked.dump.ids, loser])], target);
    await store.mergeDrop(loser, survivor);
    batch.latest.delete(loser);
    batch.removed.add(loser);
    batch.changes.push(
      tombstoneRecord(loser, tombstoneVersion(marked.dump), target, cause, clock.now()),
    );
    batch.report.merges += 1;
    options.logger.info({ loser, survivor: target, eventId: cause.id }, 'customers merged');
    return target;
  }

  const identityOps = (ids: readonly string[]): Op[] =>
    ids.map((member) => ({ op: 'sadd', key: 'ids', member }));

  async function link(batch: Batch, item: Item): Promise<void> {
    const { event } = item;
    const candidates = linkIdentities(event, new Map());
    const resolved = await store.resolve(candidates);
    const mapped = new Map(candidates.map((id, i) => [id, resolved[i] ?? null]));
    const ids = linkIdentities(event, mapped);
    const customers = [...new Set(ids.map((id) => mapped.get(id)).filter((c): c is string => !!c))];
    // A userId names the customer: its profile survives (created when new), others merge in.
    const user = event.userId ? identity('u', event.userId) : undefined;
    let target = (user && mapped.get(user)) || user || customers[0] || ids[0];
    if (!target) return;
    if (user && !mapped.get(user) && customers.length > 0) {
      const first = customers[0] as string;
      target = await merge(batch, user, first, event);
    }
    for (const other of customers)
      if (other !== target) target = await merge(batch, target, other, event);
    const links = ids
      .filter((id) => !mapped.get(id))
      .map((id) => ({ identity: id, customerId: target as string }));
    const request: ApplyRequest = {
      customerId: target,
      mark: event.id,
      markScore: event.receivedAt,
      ops: [...item.ops, ...identityOps(ids)],
      snapshot: true,
    };
    const changed = [...item.changed, 'identities'];
    const work: Work[] = [{ request, event, changed, refold: { ops: [...request.ops], changed } }];
    await withRuleAggregates(work);
    const { previous, finalIds, statuses } = await applyAll(batch, work, links);
    await settleLinkRaces(batch, links, previous, event, finalIds[0] ?? target);
    // A redelivered link event: a merge it caused may have stopped before its tombstone was
    // published (or before its drop); finishing it again is idempotent and announces it.
    if (statuses[0] === 'duplicate')
      for (const m of await unfinishedMerges(store, ids))
        await merge(batch, m.loser, m.into, event);
  }

  /** A mapping another consumer created first: the customer we used merges with that one. */
  async function settleLinkRaces(
    batch: Batch,
    links: readonly LinkRequest[],
    previous: readonly (string | null)[],
    event: PulseEvent,
    used: string,
  ): Promise<void> {
    for (let i = 0; i < links.length; i += 1) {
      const existing = previous[i];
      if (existing && existing !== links[i]?.customerId) await merge(batch, used, existing, event);
    }
  }

  async function fastPath(batch: Batch, items: Item[]): Promise<Item[]> {
    const all = [...new Set(items.flatMap((i) => eventIdentities(i.event)))];
    const resolved = await store.resolve(all);
    const mapped = new Map(all.map((id, i) => [id, resolved[i] ?? null]));
    const needLink: Item[] = [];
    const work: (Work & { event: PulseEvent })[] = [];
    const links: LinkRequest[] = [];
    for (const item of items) {
      const ids = eventIdentities(item.event);
      const customers = [
        ...new Set(ids.map((id) => mapped.get(id)).filter((c): c is string => !!c)),
      ];
      const user = item.event.userId ? identity('u', item.event.userId) : undefined;
      const adopts = user !== undefined && !mapped.get(user) && customers.length === 1;
      if (customers.length > 1 || adopts) {
        needLink.push(item);
        continue;
      }
      const customerId = customers[0] ?? ids[0];
      if (!customerId) {
        options.logger.warn({ eventId: item.event.id }, 'event names no customer; skipped');
        continue;
      }
      for (const id of ids.filter((id) => !mapped.get(id))) {
        mapped.set(id, customerId);
        links.push({ identity: id, customerId });
      }
      const ops = [...item.ops, ...identityOps(ids)];
      work.push({
        request: {
          customerId,
          mark: item.event.id,
          markScore: item.event.receivedAt,
          ops,
          snapshot: true,
        },
        event: item.event,
        changed: item.changed,
        refold: { ops, changed: item.changed },
      });
    }
    // One snapshot (and change record) per customer per batch: its last event's. Consumers skip
    // versions at or below what they applied, and every snapshot is whole, so none is lost.
    const last = new Map<string, number>();
    work.forEach((w, i) => last.set(w.request.customerId, i));
    work.forEach((w, i) => {
      w.request = { ...w.request, snapshot: last.get(w.request.customerId) === i };
    });
    await withRuleAggregates(work);
    const { previous } = await applyAll(batch, work, links);
    for (let i = 0; i < links.length; i += 1) {
      const l = links[i];
      const existing = previous[i];
      const cause = work.find((w) => w.request.customerId === l?.customerId)?.event;
      if (l && existing && existing !== l.customerId && cause)
        await merge(batch, l.customerId, existing, cause);
    }
    return needLink;
  }

  const isLinking = (e: PulseEvent): boolean => e.kind === 'identify' || e.kind === 'alias';

  async function finish(batch: Batch): Promise<void> {
    if (batch.changes.length > 0) await options.publish(batch.changes);
    batch.report.published = batch.changes.length;
    const population = populationUpdates(batch.latest, batch.removed);
    const acks = [...batch.acks].map(([customerId, version]) => ({ customerId, version }));
    // Published: the tombstones of this batch's merges need not be announced again.
    await store.updatePopulation(population, acks, [...batch.removed]);
  }

  return {
    /**
     * Folds events in order of arrival (the ops commute, so identity links may run after the
     * simple events around them). Throws a non-retriable PROFILE_EVENT_INVALID, before writing
     * anything, when an event cannot be folded.
     */
    async foldBatch(all: readonly PulseEvent[]): Promise<FoldReport> {
      // Erased customers stay erased, replays included: one set lookup for the whole batch.
      const { kept: events, skipped } = await withoutErased(all, (h) => store.erasedAmong(h));
      const items: Item[] = [];
      for (const event of events) {
        const result = foldEvent(event, options.fold);
        if (!result.ok) {
          const reason = result.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
          throw new PulseError(
            PROFILE_EVENT_INVALID,
            `event ${event.id} (${event.type}): ${reason}`,
            { retriable: false, details: { eventId: event.id, problems: result.problems } },
          );
        }
        const sessions = result.ops.some((op) => op.op === 'session') ? sessionPaths : [];
        items.push({ event, ops: result.ops, changed: [...result.changed, ...sessions] });
      }
      const batch = new Batch(clock, sessionSpecs);
      batch.report.erased = skipped;
      const simple = items.filter((i) => !isLinking(i.event));
      const linking = [
        ...items.filter((i) => isLinking(i.event)),
        ...(await fastPath(batch, simple)),
      ];
      for (const item of linking) await link(batch, item);
      if (options.duplicates) {
        const people = changedPeople(batch.changes, batch.latest);
        for (const m of await findDuplicates(options.duplicates, people, clock.now())) {
          const cause = batch.causes.get(m.loser) ?? batch.causes.get(m.survivor);
          if (cause) await merge(batch, m.survivor, m.loser, cause);
        }
      }
      await finish(batch);
      return batch.report;
    },
  };
}

export type Folder = ReturnType<typeof createFolder>;
