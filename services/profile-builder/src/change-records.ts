import type { ProfileChange, PulseEvent } from '@pulse/contracts';
import type { AggregateSpec } from '@pulse/rules';
import type { StateDump } from './dump';
import { profileState } from './profile-state';
import { toSnapshot } from './snapshot';

export interface ChangeInput {
  customerId: string;
  version: number;
  dump: StateDump;
  event: PulseEvent | null;
  changed: readonly string[];
  at: number;
  mergedFrom?: string[];
  /** Rule aggregates over sessions to derive into the snapshot (session-aggregates.ts). */
  sessionSpecs?: readonly AggregateSpec[];
}

/** A profile-changes.v1 record carrying the customer's snapshot after the change. */
export function changeRecord(input: ChangeInput): ProfileChange {
  const state = profileState(input.customerId, input.version, input.dump);
  return {
    customerId: input.customerId,
    version: input.version,
    eventId: input.event?.id ?? null,
    eventType: input.event?.type ?? null,
    eventOccurredAt: input.event?.occurredAt ?? null,
    at: input.at,
    changed: [...input.changed],
    profile: toSnapshot(state, input.dump, input.sessionSpecs),
    mergedFrom: input.mergedFrom ?? [],
    mergedInto: null,
    tombstone: false,
  };
}

/** The record that says a customer id was merged into another and no longer exists. */
/** `version` is one past the loser's last, so consumers apply it after everything else of it. */
export function tombstoneRecord(
  loser: string,
  version: number,
  survivor: string,
  event: PulseEvent | null,
  at: number,
): ProfileChange {
  return {
    customerId: loser,
    version,
    eventId: event?.id ?? null,
    eventType: event?.type ?? null,
    eventOccurredAt: event?.occurredAt ?? null,
    at,
    changed: ['identities'],
    profile: {
      email: null,
      userIds: [],
      anonymousIds: [],
      firstSeenAt: null,
      lastSeenAt: null,
      traits: {},
      aggregates: {},
    },
    mergedFrom: [],
    mergedInto: survivor,
    tombstone: true,
  };
}
