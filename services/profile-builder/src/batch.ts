import type { ProfileChange, PulseEvent } from '@pulse/contracts';
import type { Clock } from '@pulse/core';
import type { AggregateSpec } from '@pulse/rules';
import { changeRecord } from './change-records';
import type { StateDump } from './dump';
import type { ApplyOutcome } from './store';

export interface FoldReport {
  applied: number;
  duplicates: number;
  merges: number;
  published: number;
  /** Events skipped because they name an erased identity. */
  erased: number;
}

/** What one `foldBatch` gathers: change records to publish, latest states, acks, merged-away ids. */
export class Batch {
  constructor(
    private readonly clock: Clock,
    /** Rule aggregates over sessions, derived into each change record's snapshot. */
    private readonly sessionSpecs: readonly AggregateSpec[] = [],
  ) {}

  readonly changes: ProfileChange[] = [];
  readonly latest = new Map<string, StateDump>();
  readonly acks = new Map<string, number>();
  readonly removed = new Set<string>();
  /** A customer's last event of the batch (the cause of a duplicate merge it leads to). */
  readonly causes = new Map<string, PulseEvent>();
  readonly report: FoldReport = {
    applied: 0,
    duplicates: 0,
    merges: 0,
    published: 0,
    erased: 0,
  };
  /** Paths changed by a customer's earlier events of this batch (its last one publishes). */
  readonly pendingChanged = new Map<string, Set<string>>();

  record(
    customerId: string,
    outcome: ApplyOutcome,
    event: PulseEvent | null,
    changed: string[],
    mergedFrom?: string[],
  ): void {
    if (outcome.status === 'moved' || outcome.status === 'conflict') return;
    if (event) this.causes.set(customerId, event);
    const pending = this.pendingChanged.get(customerId) ?? new Set<string>();
    if (outcome.status === 'applied') for (const c of changed) pending.add(c);
    if (!outcome.dump) {
      this.pendingChanged.set(customerId, pending);
      // Not the customer's last event of the batch: that one publishes the snapshot.
      if (outcome.status === 'applied') this.report.applied += 1;
      else this.report.duplicates += 1;
      return;
    }
    this.pendingChanged.delete(customerId);
    for (const c of changed) pending.add(c);
    this.latest.set(customerId, outcome.dump);
    if (outcome.status === 'applied') this.report.applied += 1;
    else this.report.duplicates += 1;
    const acked = Number(outcome.dump.p['!acked'] ?? 0);
    // A redelivered event republishes the current snapshot only if its change was never acked.
    if (outcome.status !== 'applied' && acked >= outcome.version) return;
    const change = changeRecord({
      customerId,
      version: outcome.version,
      dump: outcome.dump,
      event,
      changed: [...pending].sort(),
      at: this.clock.now(),
      mergedFrom,
      sessionSpecs: this.sessionSpecs,
    });
    this.changes.push(change);
    this.acks.set(customerId, Math.max(this.acks.get(customerId) ?? 0, outcome.version));
  }
}
