import type { CustomerHistory } from './history';

export const OFFER_MODEL_FORMAT = 'pulse.offer-model';
export const OFFER_MODEL_FORMAT_VERSION = 1;

/**
 * Item-item co-purchase model: for each product, the products bought by the same customers,
 * cosine-weighted (co-buyers / √(buyers_i · buyers_j)) so best sellers do not neighbour everything.
 */
export interface OfferModel {
  format: typeof OFFER_MODEL_FORMAT;
  formatVersion: typeof OFFER_MODEL_FORMAT_VERSION;
  version: string;
  trainedAt: string;
  /** Product id → its category. */
  categories: Record<string, string>;
  /** Product id → [neighbour id, similarity] best first. */
  neighbours: Record<string, [string, number][]>;
  /** Products by number of buyers, best first: the cold-start fill and the baseline. */
  popular: string[];
  /** Customers whose orders trained it. */
  customers: number;
}

export interface OfferTraining {
  trainedAt: Date;
  /** Only orders up to here count (evaluation trains on the past of its held-out period). */
  asOf?: number;
  /** Neighbours kept per product. */
  keep?: number;
}

/** Trains the co-purchase model on the customers' orders. */
export function trainOffers(
  histories: readonly CustomerHistory[],
  options: OfferTraining,
): OfferModel {
  const asOf = options.asOf ?? Infinity;
  const buyers = new Map<string, number>();
  const co = new Map<string, Map<string, number>>();
  const categories: Record<string, string> = {};
  let customers = 0;
  for (const h of histories) {
    const bought = new Set<string>();
    for (const o of h.orders) {
      if (o.at > asOf) continue;
      for (const item of o.items) {
        bought.add(item.productId);
        categories[item.productId] = item.category;
      }
    }
    if (bought.size === 0) continue;
    customers += 1;
    const list = [...bought];
    for (const i of list) {
      buyers.set(i, (buyers.get(i) ?? 0) + 1);
      let row = co.get(i);
      if (!row) co.set(i, (row = new Map()));
      for (const j of list) if (j !== i) row.set(j, (row.get(j) ?? 0) + 1);
    }
  }
  const keep = options.keep ?? 20;
  const neighbours: OfferModel['neighbours'] = {};
  for (const [i, row] of co) {
    const ni = buyers.get(i) ?? 1;
    neighbours[i] = [...row]
      .map(([j, n]): [string, number] => [
        j,
        Math.round((n / Math.sqrt(ni * (buyers.get(j) ?? 1))) * 1e4) / 1e4,
      ])
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, keep);
  }
  const popular = [...buyers]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 50)
    .map(([id]) => id);
  return {
    format: OFFER_MODEL_FORMAT,
    formatVersion: OFFER_MODEL_FORMAT_VERSION,
    version: options.trainedAt.toISOString(),
    trainedAt: options.trainedAt.toISOString(),
    categories,
    neighbours,
    popular,
    customers,
  };
}

/** What a recommendation reads of a customer. */
export interface OfferInput {
  /** Products bought (ever). */
  purchased: readonly string[];
  /** Products viewed recently, most recent first. */
  recentlyViewed: readonly string[];
}

/** How much recent browsing weighs against purchases: views are fresher intent. */
export const BROWSING_WEIGHT = 1.5;

/**
 * Top `k` products not bought yet: Σ similarity to what was bought, plus browsing (its
 * neighbours, and the viewed product itself, weighted by BROWSING_WEIGHT); filled from the
 * popular list when the customer's history says too little.
 */
export function recommend(model: OfferModel, input: OfferInput, k: number): string[] {
  const owned = new Set(input.purchased);
  const score = new Map<string, number>();
  const bump = (id: string, by: number) => {
    if (!owned.has(id)) score.set(id, (score.get(id) ?? 0) + by);
  };
  for (const p of owned) for (const [j, s] of model.neighbours[p] ?? []) bump(j, s);
  input.recentlyViewed.forEach((v, rank) => {
    const w = BROWSING_WEIGHT / (1 + rank * 0.5);
    bump(v, w);
    for (const [j, s] of model.neighbours[v] ?? []) bump(j, s * w * 0.5);
  });
  const ranked = [...score]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([id]) => id);
  for (const id of model.popular) {
    if (ranked.length >= k) break;
    if (!owned.has(id) && !ranked.includes(id)) ranked.push(id);
  }
  return ranked.slice(0, k);
}

/** The popularity baseline: best sellers not bought yet. */
export function recommendPopular(
  model: OfferModel,
  purchased: readonly string[],
  k: number,
): string[] {
  const owned = new Set(purchased);
  return model.popular.filter((id) => !owned.has(id)).slice(0, k);
}

/** The next-best-offer trait: the leading category, the products, and whether to lead with a discount. */
export interface NextBestOffer {
  category: string | null;
  productIds: string[];
  discount: boolean;
}

/** `discountShare` is the share of past orders that used a discount (the profile builder keeps it). */
export function nextBestOffer(
  model: OfferModel,
  input: OfferInput,
  discountShare: number | null,
  k = 5,
): NextBestOffer {
  const productIds = recommend(model, input, k);
  const first = productIds[0];
  return {
    category: first === undefined ? null : (model.categories[first] ?? null),
    productIds,
    // deal hunters convert on a code; others are not trained to wait for one
    discount: discountShare !== null && discountShare >= 0.5,
  };
}

export type ParsedOfferModel = { ok: true; model: OfferModel } | { ok: false; reason: string };

export function parseOfferModel(json: unknown): ParsedOfferModel {
  if (typeof json !== 'object' || json === null) return { ok: false, reason: 'not a JSON object' };
  const m = json as Partial<OfferModel>;
  if (m.format !== OFFER_MODEL_FORMAT)
    return { ok: false, reason: `format is not ${OFFER_MODEL_FORMAT}` };
  if (m.formatVersion !== OFFER_MODEL_FORMAT_VERSION)
    return {
      ok: false,
      reason: `formatVersion ${String(m.formatVersion)}; this build reads ${OFFER_MODEL_FORMAT_VERSION}`,
    };
  if (
    typeof m.neighbours !== 'object' ||
    m.neighbours === null ||
    !Array.isArray(m.popular) ||
    typeof m.categories !== 'object'
  )
    return { ok: false, reason: 'neighbours, popular or categories missing' };
  return { ok: true, model: m as OfferModel };
}
