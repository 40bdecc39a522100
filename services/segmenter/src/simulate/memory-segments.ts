import type { ProfileChange, ProfileSnapshot } from '@pulse/contracts';
import { distributionFromValues, type Distributions, type SegmentSet } from '@pulse/rules';
import { evaluateChange } from '../evaluator';
import type { Cause, Verdict } from '../store';

/** One membership change, as the segmenter would publish it to segment-changes.v1. */
export interface SimulatedChange {
  at: number;
  customerId: string;
  segmentId: string;
  segmentVersion: number;
  change: 'entered' | 'exited';
  cause: Cause;
  /** Type of the event that caused it (null for a clock re-check). */
  eventType: string | null;
}

interface Stored {
  member: boolean;
  version: number;
  nextFlipAt: number | null;
}

interface Customer {
  version: number;
  snapshot: ProfileSnapshot;
  memberships: Map<string, Stored>;
}

/**
 * The segmenter's processor in memory: the same evaluation (`evaluateChange`, the dependency
 * index) and the same transition rules as `transition.lua` (a change only where the verdict
 * differs from the stored membership; the earliest stored flip is the next re-check), with the
 * live population distributions kept from the simulated customers' metric values.
 */
export class MemorySegments {
  private readonly customers = new Map<string, Customer>();
  private readonly population = new Map<string, Map<string, number>>();
  private distributions: Distributions = new Map();

  constructor(private readonly set: SegmentSet) {}

  /** A profile change at `now`; answers the changes and the customer's next re-check. */
  change(
    record: ProfileChange,
    now: number,
  ): { changes: SimulatedChange[]; recheckAt: number | null } {
    const prev = this.customers.get(record.customerId);
    // As the live processor: only a contiguous version lets the dependency index narrow the work.
    const contiguous = prev !== undefined && record.version === prev.version + 1;
    const customer: Customer = prev ?? {
      version: 0,
      snapshot: record.profile,
      memberships: new Map(),
    };
    customer.version = record.version;
    customer.snapshot = record.profile;
    this.customers.set(record.customerId, customer);
    const members = new Set(
      [...customer.memberships].filter(([, m]) => m.member).map(([id]) => id),
    );
    const evaluation = evaluateChange(this.set, {
      customerId: record.customerId,
      snapshot: record.profile,
      changed: contiguous ? record.changed : null,
      memberships: members,
      distributions: this.distributions,
      now,
    });
    this.record(record.customerId, evaluation.metricValues);
    const changes = this.transition(
      record.customerId,
      customer,
      evaluation.verdicts,
      now,
      'event',
      record.eventType,
    );
    return { changes, recheckAt: earliest(customer) };
  }

  /** A clock re-check due at `dueAt`: every segment evaluated at that instant. */
  recheck(
    customerId: string,
    dueAt: number,
  ): { changes: SimulatedChange[]; recheckAt: number | null } {
    const customer = this.customers.get(customerId);
    if (!customer) return { changes: [], recheckAt: null };
    const evaluation = evaluateChange(this.set, {
      customerId,
      snapshot: customer.snapshot,
      changed: null,
      // stored members are held to exit bounds (hysteresis), as in the live processor
      memberships: new Set([...customer.memberships].filter(([, m]) => m.member).map(([id]) => id)),
      distributions: this.distributions,
      now: dueAt,
    });
    const changes = this.transition(
      customerId,
      customer,
      evaluation.verdicts,
      dueAt,
      'clock',
      null,
    );
    return { changes, recheckAt: earliest(customer) };
  }

  /** Customers whose percentile rules read a population (re-checked when it moves). */
  populationMembers(): string[] {
    const ids = new Set<string>();
    for (const values of this.population.values()) for (const id of values.keys()) ids.add(id);
    return [...ids];
  }

  private record(customerId: string, values: Map<string, number | undefined>): void {
    for (const [metricId, v] of values) {
      const pop = this.population.get(metricId) ?? new Map<string, number>();
      if (v === undefined || !Number.isFinite(v)) pop.delete(customerId);
      else pop.set(customerId, v);
      this.population.set(metricId, pop);
    }
    this.distributions = new Map(
      [...this.population].map(([id, pop]) => [id, distributionFromValues([...pop.values()])]),
    );
  }

  private transition(
    customerId: string,
    customer: Customer,
    verdicts: readonly Verdict[],
    at: number,
    cause: Cause,
    eventType: string | null,
  ): SimulatedChange[] {
    const out: SimulatedChange[] = [];
    for (const v of verdicts) {
      const was = customer.memberships.get(v.segmentId)?.member ?? false;
      if (was !== v.member)
        out.push({
          at,
          customerId,
          segmentId: v.segmentId,
          segmentVersion: v.version,
          change: v.member ? 'entered' : 'exited',
          cause,
          eventType,
        });
      customer.memberships.set(v.segmentId, {
        member: v.member,
        version: v.version,
        nextFlipAt: v.nextFlipAt,
      });
    }
    return out;
  }
}

function earliest(customer: Customer): number | null {
  let min: number | null = null;
  for (const m of customer.memberships.values())
    if (m.nextFlipAt !== null && (min === null || m.nextFlipAt < min)) min = m.nextFlipAt;
  return min;
}
