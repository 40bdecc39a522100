/** One product line of an order, as the models need it. */
export interface OrderItem {
  productId: string;
  category: string;
}

/** A completed order (time in epoch ms, total in the store's base currency). */
export interface OrderFact {
  at: number;
  total: number;
  discounted: boolean;
  items: OrderItem[];
}

/** One email engagement fact: delivered, opened (human) or clicked (human). */
export interface EmailFact {
  at: number;
  kind: 'delivered' | 'opened' | 'clicked';
}

/** A product page seen. */
export interface ViewFact {
  at: number;
  productId: string;
  category: string;
}

/**
 * A customer's event history, the common input of training and evaluation: built from the demo
 * generator's simulation or from events.v1 (`historiesFromEvents`). Lists need not be sorted.
 */
export interface CustomerHistory {
  customerId: string;
  firstSeenAt: number;
  orders: OrderFact[];
  emails: EmailFact[];
  views: ViewFact[];
}

export const DAY_MS = 86_400_000;

/** The UTC day number of an instant, as the profile builder buckets by it. */
export const utcDay = (at: number): number => Math.floor(at / DAY_MS);
