import { inCategory, recommend } from '@pulse/templates';
import type {
  Product,
  Recommendation,
  RecommendationProfile,
  RecommendationReason,
} from '@pulse/templates';

/**
 * The profile builder's `nextBestOffer` trait as templates see it (`customer.offer`): the
 * category most likely to convert, the products behind it, and whether to lead with a discount.
 */
export interface Offer {
  category: string | null;
  productIds: string[];
  /** Lead with a discount (the model's "deal hunter" flag, or a percentage above 0). */
  discount: boolean;
  /** The percentage when the trait carries one (a number), else null: the template's own. */
  discountPercent: number | null;
}

/** A recommendation, or a product picked because the customer's next best offer names it. */
export type OfferRecommendation = Omit<Recommendation, 'reason'> & {
  reason: RecommendationReason | 'offer';
};

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/**
 * Reads the trait as the read API serves it (an object) or as change records carry it (JSON
 * text); null when absent, unreadable, or naming neither a category, products nor a discount.
 * `discount` may be a boolean or a percentage. Pure.
 */
export function parseNextBestOffer(value: unknown): Offer | null {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>; // read field by field below
  const productIds = Array.isArray(o.productIds)
    ? o.productIds.filter((id): id is string => text(id) !== null)
    : [];
  const percent =
    typeof o.discount === 'number' && Number.isFinite(o.discount) && o.discount > 0
      ? o.discount
      : null;
  const offer: Offer = {
    category: text(o.category),
    productIds,
    discount: o.discount === true || percent !== null,
    discountPercent: percent,
  };
  return offer.category !== null || productIds.length > 0 || offer.discount ? offer : null;
}

export interface OfferRecommendOptions {
  catalog: readonly Product[];
  profile: RecommendationProfile;
  now: number;
  offer: Offer | null;
  /** Most products returned; default 4 (as `recommend`). */
  limit?: number;
  coPurchases?: ReadonlyMap<string, readonly string[]>;
  /** Ids never to recommend (the abandoned cart's lines). */
  exclude?: readonly string[];
}

/**
 * Send-time recommendations led by the next best offer: the offer's own products (in the
 * model's order), then the offered category's best sellers, then the usual blocks of
 * `recommend` (recent browsing, accessories and co-purchases, affinity, popularity) to fill
 * up. Never what was bought or is in the cart. Without an offer: exactly `recommend`. Pure.
 */
export function recommendWithOffer(options: OfferRecommendOptions): OfferRecommendation[] {
  const limit = options.limit ?? 4;
  const base = {
    catalog: options.catalog,
    profile: options.profile,
    now: options.now,
    ...(options.coPurchases ? { coPurchases: options.coPurchases } : {}),
  };
  const offer = options.offer;
  if (!offer) return recommend({ ...base, limit, exclude: options.exclude ?? [] });
  const excluded = new Set<string>([
    ...(options.profile.purchases?.products ?? []),
    ...(options.profile.cart?.lines ?? []).map((l) => l.productId),
    ...(options.exclude ?? []),
  ]);
  const byId = new Map(options.catalog.map((p) => [p.id, p]));
  const picked: Product[] = [];
  const pick = (p: Product | undefined) => {
    if (!p || picked.length >= limit || excluded.has(p.id)) return;
    excluded.add(p.id);
    picked.push(p);
  };
  for (const id of offer.productIds) pick(byId.get(id));
  if (offer.category !== null) {
    const popular = [...options.catalog].sort(
      (a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id),
    );
    for (const p of popular) if (inCategory(p.category, offer.category)) pick(p);
  }
  const led: OfferRecommendation[] = picked.map((p) => ({
    id: p.id,
    name: p.name,
    category: p.category,
    price: p.price,
    currency: p.currency,
    image: p.image,
    url: p.url,
    reason: 'offer',
  }));
  if (led.length >= limit) return led;
  const rest = recommend({ ...base, limit: limit - led.length, exclude: [...excluded] });
  return [...led, ...rest];
}
