import { createKeyspace, type Redis } from '@pulse/redis';
import { SegmentSet, type AggregateSpec } from '@pulse/rules';

/**
 * The rule aggregates the profile builder has folded from all of history, as it records them
 * (services/profile-builder/src/aggregate-backfill-state.ts writes `<PROFILE_KEY_PREFIX>:agg:ready`,
 * aggregate id → `{horizonMs, readyAt, backfilled}` JSON, plus `!since` once it keeps the record).
 * Undefined: no profile builder keeps it (an older one, or none), so there is nothing to wait for.
 */
export async function readReadyAggregates(
  redis: Redis,
  profileKeyPrefix: string,
): Promise<Map<string, number> | undefined> {
  const all = await redis.hgetall(createKeyspace(profileKeyPrefix).plain('agg', 'ready'));
  if (all['!since'] === undefined) return undefined;
  const ready = new Map<string, number>();
  for (const [id, text] of Object.entries(all)) {
    if (id.startsWith('!')) continue;
    const horizon = Number((JSON.parse(text) as { horizonMs?: unknown }).horizonMs); // its JSON
    if (Number.isFinite(horizon)) ready.set(id, horizon);
  }
  return ready;
}

/** Every aggregate one segment reads: its windows and its percentile metrics' populations. */
function aggregatesOf(set: SegmentSet, id: string): AggregateSpec[] {
  const segment = set.get(id);
  if (!segment) return [];
  const alone = new SegmentSet([segment]);
  return [
    ...alone.aggregates,
    ...alone.metrics.flatMap((m) => (m.kind === 'aggregate' ? [m.agg] : [])),
  ];
}

/**
 * Segments that must not decide yet: they read an aggregate the profile builder has not
 * backfilled (absent from `ready`, or ready for a shorter window than the rule needs). Their
 * members would enter or exit on an empty aggregate otherwise.
 */
export function heldSegments(
  set: SegmentSet,
  ready: ReadonlyMap<string, number> | undefined,
): Set<string> {
  if (ready === undefined) return new Set();
  return new Set(
    set.segments
      .filter((s) => aggregatesOf(set, s.id).some((a) => (ready.get(a.id) ?? -1) < a.horizonMs))
      .map((s) => s.id),
  );
}
