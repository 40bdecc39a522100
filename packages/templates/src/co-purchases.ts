/** One order as the miner needs it: who bought which products. */
export interface OrderLines {
  orderId: string;
  /** null: an order without a known customer forms its own basket. */
  customerId: string | null;
  productIds: readonly string[];
}

export interface CoPurchaseOptions {
  /** A pair counts only when at least this many customers bought both; default 2. */
  minSupport?: number;
  /** Most companions kept per product; default 5. */
  perProduct?: number;
  /** Baskets with more distinct products are skipped (resellers would pair everything); default 100. */
  maxBasket?: number;
}

/**
 * "Customers who bought X also bought Y", mined from orders: each customer's purchases (all of
 * their orders, each order counted once) form one basket, and every two products of a basket
 * are one co-purchase. Returns product id → companions, most shared customers first (ties by
 * id), ready for `recommend({ coPurchases })`. Pure and deterministic.
 */
export function mineCoPurchases(
  orders: Iterable<OrderLines>,
  options: CoPurchaseOptions = {},
): Map<string, string[]> {
  const minSupport = options.minSupport ?? 2;
  const perProduct = options.perProduct ?? 5;
  const maxBasket = options.maxBasket ?? 100;
  const seenOrders = new Set<string>();
  const baskets = new Map<string, Set<string>>();
  for (const o of orders) {
    if (seenOrders.has(o.orderId)) continue;
    seenOrders.add(o.orderId);
    const who = o.customerId === null ? `order:${o.orderId}` : `customer:${o.customerId}`;
    const basket = baskets.get(who) ?? new Set<string>();
    for (const id of o.productIds) basket.add(id);
    baskets.set(who, basket);
  }
  const counts = new Map<string, Map<string, number>>();
  for (const basket of baskets.values()) {
    if (basket.size < 2 || basket.size > maxBasket) continue;
    for (const x of basket) {
      const row = counts.get(x) ?? new Map<string, number>();
      counts.set(x, row);
      for (const y of basket) if (y !== x) row.set(y, (row.get(y) ?? 0) + 1);
    }
  }
  const out = new Map<string, string[]>();
  for (const [x, row] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    const companions = [...row]
      .filter(([, n]) => n >= minSupport)
      .sort(([a, n], [b, m]) => m - n || a.localeCompare(b))
      .slice(0, perProduct)
      .map(([y]) => y);
    if (companions.length > 0) out.set(x, companions);
  }
  return out;
}
