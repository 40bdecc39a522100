import type { ProfileSnapshot } from '@pulse/contracts';
import { foldAggregates } from './aggregates';
import type { AggregateEvent } from './aggregates';
import type { AggregateSpec } from './ast';

/** A customer's story for tests, simulations and benchmarks. */
export interface SnapshotInput {
  traits?: Readonly<Record<string, unknown>>;
  events?: readonly AggregateEvent[];
  email?: string | null;
  firstSeenAt?: number | null;
  lastSeenAt?: number | null;
}

/**
 * Builds a ProfileSnapshot the way the profile builder would: traits JSON-encoded, and every
 * event folded (in event-time order) into the aggregates the loaded rules need.
 */
export function snapshotFrom(
  specs: readonly AggregateSpec[],
  input: SnapshotInput,
): ProfileSnapshot {
  let aggregates: Record<string, string> = {};
  const events = [...(input.events ?? [])].sort((a, b) => a.occurredAt - b.occurredAt);
  for (const e of events) aggregates = foldAggregates(specs, aggregates, e).aggregates;
  const traits: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.traits ?? {})) traits[k] = JSON.stringify(v);
  const times = events.map((e) => e.occurredAt);
  return {
    email: input.email ?? null,
    userIds: [],
    anonymousIds: [],
    firstSeenAt: input.firstSeenAt ?? (times.length > 0 ? Math.min(...times) : null),
    lastSeenAt: input.lastSeenAt ?? (times.length > 0 ? Math.max(...times) : null),
    traits,
    aggregates,
  };
}

/** Shorthand for an AggregateEvent. */
export function ev(
  type: string,
  occurredAt: number,
  properties: Record<string, unknown> = {},
): AggregateEvent {
  return { type, occurredAt, properties };
}
