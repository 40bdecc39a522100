/**
 * What segment-changes.v1 says about membership, in topic order: a change (entered/exited), or
 * a removal (a tombstone keyed by the customer: gone from every segment, e.g. erased).
 */
export type MembershipFact =
  | {
      kind: 'change';
      /** The change id: a republished change (same id) counts once. */
      id: string;
      customerId: string;
      segmentId: string;
      change: 'entered' | 'exited';
      at: number;
    }
  | { kind: 'removal'; customerId: string; at: number };

/** One stretch of membership; `from` null: a member before the first record read. */
export interface MemberInterval {
  from: number | null;
  /** Null: still a member at the last record. */
  to: number | null;
}

/** One segment's membership as the records tell it. */
export interface SegmentMembership {
  segmentId: string;
  /**
   * Members before the first record: customers whose first record for the segment is an exit
   * (the topic's retention dropped their entry). Members who neither entered nor left within
   * the records are not visible at all, so sizes are a lower bound when the topic was trimmed.
   */
  initial: number;
  /** +1 / -1 per real transition (repeated entries and exits of non-members are no-ops). */
  steps: { at: number; delta: 1 | -1 }[];
  /** Each customer's intervals of membership, in order. */
  intervals: Map<string, MemberInterval[]>;
}

function membershipOf(all: Map<string, SegmentMembership>, segmentId: string): SegmentMembership {
  let m = all.get(segmentId);
  if (!m) all.set(segmentId, (m = { segmentId, initial: 0, steps: [], intervals: new Map() }));
  return m;
}

function enter(m: SegmentMembership, customerId: string, at: number): void {
  const list = m.intervals.get(customerId);
  const last = list?.[list.length - 1];
  if (last && last.to === null) return; // already a member
  if (list) list.push({ from: at, to: null });
  else m.intervals.set(customerId, [{ from: at, to: null }]);
  m.steps.push({ at, delta: 1 });
}

function exit(m: SegmentMembership, customerId: string, at: number): void {
  const list = m.intervals.get(customerId);
  if (!list) {
    // first seen leaving: a member since before the records begin
    m.intervals.set(customerId, [{ from: null, to: at }]);
    m.initial += 1;
    m.steps.push({ at, delta: -1 });
    return;
  }
  const last = list[list.length - 1];
  if (!last || last.to !== null) return; // not a member: nothing to leave
  last.to = at;
  m.steps.push({ at, delta: -1 });
}

/**
 * Replays the records into each segment's membership. Records are applied in the order given
 * (one customer's records are in order on its partition, which an event-time sort could break
 * for changes of equal or skewed time); steps carry their own time for bucketing.
 */
export function reconstructMemberships(
  facts: readonly MembershipFact[],
): Map<string, SegmentMembership> {
  const all = new Map<string, SegmentMembership>();
  const seen = new Set<string>();
  for (const f of facts) {
    if (f.kind === 'removal') {
      for (const m of all.values()) {
        const last = m.intervals.get(f.customerId)?.at(-1);
        if (last && last.to === null) exit(m, f.customerId, f.at);
      }
      continue;
    }
    if (seen.has(f.id)) continue;
    seen.add(f.id);
    const m = membershipOf(all, f.segmentId);
    if (f.change === 'entered') enter(m, f.customerId, f.at);
    else exit(m, f.customerId, f.at);
  }
  return all;
}

/** Whether the customer was a member at `at` (intervals are [from, to)). */
export function memberAt(m: SegmentMembership, customerId: string, at: number): boolean {
  return (m.intervals.get(customerId) ?? []).some(
    (i) => (i.from === null || i.from <= at) && (i.to === null || at < i.to),
  );
}
