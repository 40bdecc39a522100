import type { StateDump } from './dump';
import { chooseSurvivor } from './identity-ids';
import type { ProfileStore } from './store';

/**
 * The version a loser's tombstone carries: one past its last version. After the drop step only
 * the fence is left, holding that number (`!tv`, see merge-drop.lua), so a re-announced
 * tombstone carries the same version as the first.
 */
export function tombstoneVersion(loser: StateDump): number {
  const kept = loser.p['!tv'];
  return kept !== undefined ? Number(kept) : Number(loser.p['!v'] ?? 0) + 1;
}

/**
 * Merges among `customerIds` that were fenced but whose tombstone was never acked: a crash hit
 * between the merge's first step and the publish. One round trip; only the survivor the fence
 * names is trusted (the one `chooseSurvivor` picks), so resuming cannot invert a merge.
 */
export async function unfinishedMerges(
  store: ProfileStore,
  customerIds: readonly string[],
): Promise<{ loser: string; into: string }[]> {
  const fences = await store.fences(customerIds);
  const out: { loser: string; into: string }[] = [];
  fences.forEach((f, i) => {
    const loser = customerIds[i];
    if (!loser || !f.into || f.acked) return;
    if (chooseSurvivor(loser, f.into).survivor === f.into) out.push({ loser, into: f.into });
  });
  return out;
}
