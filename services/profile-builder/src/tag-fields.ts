import type { ProfileState } from './profile-state';
import type { RfmScores } from './rfm';

/** What a tag condition reads: the profile state plus what the view derived from it. */
export interface TagInput {
  state: ProfileState;
  /** Category affinity decayed to the reading time, highest first. */
  affinity: readonly { category: string; score: number }[];
  daysSinceLastPurchase: number | null;
  openRate: number | null;
  clickRate: number | null;
  rfm: RfmScores | null;
}

export type TagValue = number | boolean | null;

/**
 * The names a tag condition may compare (`field: <name>`), each with its doc line. `null` (no
 * value, e.g. the discount share of a customer without orders) makes every comparison false.
 */
export const TAG_FIELDS: Readonly<Record<string, { doc: string; read(i: TagInput): TagValue }>> = {
  orders: { doc: 'orders counted (net of cancellations)', read: (i) => i.state.purchases.orders },
  spent: { doc: 'lifetime value, net of refunds', read: (i) => i.state.purchases.spent },
  averageOrderValue: {
    doc: 'lifetime value / orders',
    read: (i) => i.state.purchases.averageOrderValue,
  },
  discountShare: {
    doc: 'share of orders with a discount or coupon (0–1)',
    read: (i) => i.state.purchases.discountShare,
  },
  itemsBought: { doc: 'items bought', read: (i) => i.state.purchases.itemsBought },
  refunded: { doc: 'amount refunded', read: (i) => i.state.purchases.refunded },
  cancelledOrders: { doc: 'orders cancelled', read: (i) => i.state.purchases.cancelledOrders },
  daysSinceLastPurchase: {
    doc: 'whole days since the last order',
    read: (i) => i.daysSinceLastPurchase,
  },
  pageViews: { doc: 'pages viewed', read: (i) => i.state.browsing.pageViews },
  productViews: { doc: 'products viewed', read: (i) => i.state.browsing.productViews },
  topCategoryShare: {
    doc: "the top category's share of all category affinity (0–1)",
    read: (i) => {
      const total = i.affinity.reduce((sum, c) => sum + c.score, 0);
      const top = i.affinity[0];
      return top && total > 0 ? top.score / total : null;
    },
  },
  cartValue: { doc: 'value of the current cart', read: (i) => i.state.cart.value },
  openRate: { doc: 'unique human opens / delivered', read: (i) => i.openRate },
  clickRate: { doc: 'unique human clicks / delivered', read: (i) => i.clickRate },
  emailsDelivered: { doc: 'emails delivered', read: (i) => i.state.email.delivered },
  hardBounces: { doc: 'hard bounces', read: (i) => i.state.email.hardBounces },
  complaints: { doc: 'spam complaints', read: (i) => i.state.email.complaints },
  unsubscribed: { doc: 'unsubscribed (true/false)', read: (i) => i.state.email.unsubscribed },
  rfmRecency: { doc: 'RFM recency score 1–5', read: (i) => i.rfm?.recency ?? null },
  rfmFrequency: { doc: 'RFM frequency score 1–5', read: (i) => i.rfm?.frequency ?? null },
  rfmMonetary: { doc: 'RFM monetary score 1–5', read: (i) => i.rfm?.monetary ?? null },
};

/** Placeholders a tag name may hold, filled from the profile (`category-lover:{topCategory}`). */
export const TAG_PLACEHOLDERS: Readonly<Record<string, (i: TagInput) => string | undefined>> = {
  topCategory: (i) => i.affinity[0]?.category,
};
