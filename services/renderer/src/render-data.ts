import type { Product, RecommendationProfile, RenderData } from '@pulse/templates';
import { parseNextBestOffer, recommendWithOffer } from './next-best-offer';
import type { Offer } from './next-best-offer';
import type { Profile } from './profile-source';

/** A cart line as Cart Abandoned carries it. */
export interface CartLineIn {
  product_id: string | null;
  name: string | null;
  price: number | null;
  quantity: number | null;
  currency: string | null;
  url: string | null;
  image_url: string | null;
}

export interface RenderInputs {
  profile: Profile;
  now: number;
  catalog: readonly Product[];
  coPurchases?: ReadonlyMap<string, readonly string[]>;
  campaign: { id: string; name: string; variant: string | null };
  links: Record<string, string>;
  brand: string;
  cart: { lines: CartLineIn[]; value: number | null; currency: string | null } | null;
  segments: string[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** The recipient's address: the first identity email, else the `email` trait. */
export function recipientOf(profile: Profile): string | null {
  return str(profile.identities?.emails?.[0]) ?? str(profile.traits?.email);
}

/** `customer.offer` in templates: the next best offer plus a display name of its category. */
export type OfferData = Offer & { categoryName: string | null };

/** The offer templates read, from the profile's `nextBestOffer` trait; null when absent. */
export function offerData(profile: Profile): OfferData | null {
  const offer = parseNextBestOffer(profile.traits?.nextBestOffer);
  if (!offer) return null;
  // "Shoes/Running" reads as "Running" in a sentence.
  return { ...offer, categoryName: offer.category?.split('/').pop()?.trim() || null };
}

/** The data every template renders from (names documented in @pulse/templates' README). */
export function renderData(input: RenderInputs): RenderData {
  const t = input.profile.traits ?? {};
  const offer = offerData(input.profile);
  const cartLines = input.cart?.lines ?? [];
  const items = cartLines.map((l) => ({
    name: l.name,
    price: l.price,
    quantity: l.quantity ?? 1,
    currency: l.currency ?? input.cart?.currency,
    url: l.url,
    image: l.image_url,
  }));
  const currency = str(t.currency) ?? input.cart?.currency ?? 'USD';
  return {
    $locale: str(t.locale) ?? 'en-US',
    $timeZone: str(t.timezone) ?? str(t.time_zone) ?? 'UTC',
    $currency: currency,
    now: input.now,
    customer: {
      id: input.profile.customerId,
      firstName: str(t.first_name) ?? str(t.firstName),
      lastName: str(t.last_name) ?? str(t.lastName),
      email: recipientOf(input.profile),
      segments: input.segments,
      offer,
    },
    profile: input.profile,
    cart: {
      items,
      itemCount: items.reduce((n, i) => n + Number(i.quantity ?? 1), 0),
      value: input.cart?.value ?? 0,
      currency: input.cart?.currency ?? currency,
    },
    recommendations: recommendWithOffer({
      catalog: input.catalog,
      profile: input.profile as RecommendationProfile, // the profile builder's JSON has these fields
      now: input.now,
      offer,
      ...(input.coPurchases ? { coPurchases: input.coPurchases } : {}),
      exclude: cartLines.map((l) => l.product_id).filter((id): id is string => id !== null),
    }),
    campaign: { ...input.campaign, brand: input.brand },
    links: input.links,
  };
}
