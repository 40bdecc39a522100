import type { ProfileChange } from '@pulse/contracts';
import type { StateDump } from './dump';
import { chooseSurvivor } from './identity-ids';
import {
  blockingKeys,
  scoreDuplicate,
  verdict,
  type DuplicateConfig,
  type Person,
} from './duplicate-score';
import { personOf, type DuplicateStore, type ReviewPair } from './duplicate-store';

export interface DuplicateDetection {
  store: DuplicateStore;
  config: DuplicateConfig;
}

/** Change paths after which a customer is (re)checked for duplicates. */
const IDENTITY_PATHS = new Set([
  'traits.first_name',
  'traits.last_name',
  'traits.phone',
  'traits.postal_code',
  'traits.email',
]);

/**
 * Known customers (`u:` ids) whose identity traits changed in a batch, with their traits as the
 * batch left them. Anonymous profiles are not matched: they merge through identify.
 */
export function changedPeople(
  changes: readonly ProfileChange[],
  latest: ReadonlyMap<string, StateDump>,
): { customerId: string; person: Person }[] {
  const out: { customerId: string; person: Person }[] = [];
  for (const c of changes) {
    if (c.tombstone || !c.customerId.startsWith('u:')) continue;
    if (!c.changed.some((p) => IDENTITY_PATHS.has(p))) continue;
    const dump = latest.get(c.customerId);
    if (dump) out.push({ customerId: c.customerId, person: personOf(dump.p) });
  }
  return out;
}

/**
 * Indexes the people under their blocking keys, scores them against the known customers sharing
 * a key, lists pairs in the review band and answers the pairs to merge (survivor first). Two
 * round trips, only for batches in which identity traits changed.
 */
export async function findDuplicates(
  d: DuplicateDetection,
  people: readonly { customerId: string; person: Person }[],
  now: number,
): Promise<{ survivor: string; loser: string }[]> {
  if (people.length === 0) return [];
  const found = await d.store.indexAndFind(
    people.map((p) => ({ customerId: p.customerId, blocks: blockingKeys(p.person) })),
  );
  const candidates = [...new Set(found.flat().filter((id) => id.startsWith('u:')))];
  const known = await d.store.people(candidates);
  const byId = new Map(candidates.map((id, i) => [id, known[i]]));
  const merges = new Map<string, { survivor: string; loser: string }>();
  const review: ReviewPair[] = [];
  people.forEach((p, i) => {
    for (const other of found[i] ?? []) {
      const person = byId.get(other);
      if (!person) continue;
      const { score, reasons } = scoreDuplicate(p.person, person, d.config);
      const pair = chooseSurvivor(p.customerId, other);
      const key = `${pair.survivor}|${pair.loser}`;
      const action = verdict(score, d.config);
      if (action === 'merge') merges.set(key, pair);
      else if (action === 'review')
        review.push({ a: pair.survivor, b: pair.loser, score, reasons, at: now });
    }
  });
  await d.store.review(
    review,
    [...merges.values()].map((m) => [m.survivor, m.loser]),
  );
  return [...merges.values()];
}
