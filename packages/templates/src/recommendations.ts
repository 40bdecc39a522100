import { inCategory } from './conditions';
import type { Product } from './catalog';

/** Why a product was recommended. */
export type RecommendationReason = 'viewed' | 'accessory' | 'affinity' | 'popular';

export interface Recommendation {
  id: string;
  name: string;
  category: string;
  price: number;
  currency: string;
  image: string | null;
  url: string | null;
  reason: RecommendationReason;
}

/** The profile fields recommendations read (profile builder's read API shape). */
export interface RecommendationProfile {
  purchases?: { products?: string[] };
  browsing?: { categories?: Record<string, { lastSeenAt?: number | null }> };
  cart?: { lines?: { productId: string }[] };
  derived?: {
    productsViewedLast24h?: string[];
    categoryAffinity?: { category: string; score: number }[];
  };
}

export interface RecommendOptions {
  catalog: readonly Product[];
  profile: RecommendationProfile;
  now: number;
  /** Most products returned; default 4. */
  limit?: number;
  /** product id → ids bought with it, mined from orders. */
  coPurchases?: ReadonlyMap<string, readonly string[]>;
  /** Further ids never to recommend (e.g. the abandoned cart's lines). */
  exclude?: readonly string[];
}

const DAY_MS = 86_400_000;

/**
 * Send-time recommendations: products of the categories viewed in the last 24 h (the viewed
 * products first), then accessories of what was bought (catalog relations and co-purchases),
 * then the top affinity categories, then the most popular — never what was bought or is in the
 * cart. Pure and deterministic (ties broken by popularity, then id).
 */
export function recommend(options: RecommendOptions): Recommendation[] {
  const { catalog, profile, now } = options;
  const limit = options.limit ?? 4;
  const byId = new Map(catalog.map((p) => [p.id, p]));
  const excluded = new Set<string>([
    ...(profile.purchases?.products ?? []),
    ...(profile.cart?.lines ?? []).map((l) => l.productId),
    ...(options.exclude ?? []),
  ]);
  const popular = [...catalog].sort(
    (a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id),
  );
  const out: Recommendation[] = [];
  const add = (p: Product | undefined, reason: RecommendationReason) => {
    if (!p || out.length >= limit || excluded.has(p.id)) return;
    excluded.add(p.id);
    out.push({
      id: p.id,
      name: p.name,
      category: p.category,
      price: p.price,
      currency: p.currency,
      image: p.image,
      url: p.url,
      reason,
    });
  };
  const viewed = profile.derived?.productsViewedLast24h ?? [];
  const viewedCats = new Set(
    viewed.map((id) => byId.get(id)?.category).filter((c): c is string => !!c),
  );
  for (const [cat, info] of Object.entries(profile.browsing?.categories ?? {}))
    if (typeof info.lastSeenAt === 'number' && info.lastSeenAt > now - DAY_MS) viewedCats.add(cat);
  for (const id of viewed) add(byId.get(id), 'viewed');
  for (const p of popular)
    if ([...viewedCats].some((c) => inCategory(p.category, c))) add(p, 'viewed');
  for (const bought of profile.purchases?.products ?? []) {
    for (const id of byId.get(bought)?.related ?? []) add(byId.get(id), 'accessory');
    for (const id of options.coPurchases?.get(bought) ?? []) add(byId.get(id), 'accessory');
  }
  for (const { category } of (profile.derived?.categoryAffinity ?? []).slice(0, 3))
    for (const p of popular) if (inCategory(p.category, category)) add(p, 'affinity');
  for (const p of popular) add(p, 'popular');
  return out;
}
