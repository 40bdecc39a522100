import type { SegmentChange } from '@pulse/contracts';
import { customerKey } from './from-events';
import type { MembershipFact } from './segment-sizes';

/** A segment-changes.v1 record as read from the topic: a change, or a tombstone (null value). */
export interface SegmentChangeRecord {
  key: string | null;
  /** The Kafka record time (epoch ms): when a tombstone has no time of its own. */
  timestamp: number;
  value: SegmentChange | null;
}

/**
 * Membership facts from segment-changes.v1 records in topic order, customer ids matched like
 * emails.v1's (`customerKey`). A tombstone removes its key's customer from every segment at
 * the record's time; one without a key says nothing and is left out.
 */
export function membershipFacts(records: readonly SegmentChangeRecord[]): MembershipFact[] {
  const facts: MembershipFact[] = [];
  for (const r of records) {
    if (r.value === null) {
      if (r.key !== null)
        facts.push({ kind: 'removal', customerId: customerKey(r.key), at: r.timestamp });
      continue;
    }
    facts.push({
      kind: 'change',
      id: r.value.id,
      customerId: customerKey(r.value.customerId),
      segmentId: r.value.segmentId,
      change: r.value.change,
      at: r.value.at,
    });
  }
  return facts;
}

/** Segment change id → segment id: which segment an email triggered by that change targets. */
export function segmentsByChangeId(records: readonly SegmentChangeRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of records) if (r.value) out.set(r.value.id, r.value.segmentId);
  return out;
}
