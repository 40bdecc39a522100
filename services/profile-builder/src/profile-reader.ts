import type { FoldOptions } from './fold-options';
import { identity } from './identity-ids';
import { POPULATION_DIMENSIONS } from './keys';
import { profileState } from './profile-state';
import { profileView, type ProfileView } from './profile-view';
import { rfmScores } from './rfm';
import type { ProfileStore } from './store';
import type { TagDefinition } from './tags';

/**
 * Finds a customer by canonical id (`u:…`), userId, anonymousId or email (in that order) and reads the profile with
 * everything relative to `now`, RFM ranked against the live population. Undefined when unknown.
 */
export async function readProfile(
  store: ProfileStore,
  fold: FoldOptions,
  id: string,
  now: number,
  tags: readonly TagDefinition[] = [],
): Promise<ProfileView | undefined> {
  const candidates = [identity('u', id), identity('a', id)];
  if (id.includes('@')) candidates.push(identity('e', id));
  // A canonical customer id as other services carry it (`u:…`, `a:…`, `e:…`) is tried first.
  if (/^[uae]:./.test(id)) candidates.unshift(id);
  const resolved = await store.resolve(candidates);
  let customerId = resolved.find((c): c is string => !!c);
  for (let hop = 0; customerId && hop < 10; hop += 1) {
    const read = await store.read(customerId);
    if (read.status === 'unknown') return undefined;
    if (read.status === 'moved') {
      customerId = read.into;
      continue;
    }
    const state = profileState(customerId, read.version, read.dump);
    let rfm = null;
    if (state.purchases.orders > 0 && state.purchases.lastPurchaseAt !== null) {
      const values = [
        state.purchases.lastPurchaseAt,
        state.purchases.orders,
        // net of refunds, as the population's monetary set holds it (population.ts)
        Number(read.dump.p.spentCents ?? 0) - Number(read.dump.p.refundedCents ?? 0),
      ];
      const [r, f, m] = await Promise.all(
        POPULATION_DIMENSIONS.map((d, i) => store.rank(d, values[i] ?? 0)),
      );
      if (r && f && m) rfm = rfmScores(r, f, m);
    }
    return profileView(state, now, fold.affinityHalfLifeMs, rfm, tags);
  }
  return undefined;
}
