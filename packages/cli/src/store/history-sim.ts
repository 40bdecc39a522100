import type { CustomerHistory, OrderFact } from '@pulse/predict';
import type { Product } from './catalog';
import { drawTruth, simulationCatalog, type HiddenTruth } from './ground-truth';
import { generateCustomers } from './customers';
import { createRng, type Rng } from './rng';

const DAY = 86_400_000;

export interface SimulatedStore {
  start: number;
  end: number;
  catalog: Product[];
  histories: CustomerHistory[];
  truth: HiddenTruth[];
}

export interface SimulationOptions {
  seed: number;
  customers: number;
  /** The simulated present; history runs `days` before it. */
  end: number;
  days: number;
  demoCatalog: readonly Product[];
}

/** How active the customer still is on `at`: 1, fading to ¼ over the decline, 0 after churn. */
function vigour(t: HiddenTruth, at: number): number {
  if (at >= t.churnAt) return 0;
  const declineStart = t.churnAt - t.declineDays * DAY;
  if (at < declineStart) return 1;
  return 1 - (0.75 * (at - declineStart)) / (t.churnAt - declineStart);
}

/** Picks a product: a favourite category three times in four, best sellers of it more often. */
function pickProduct(
  rng: Rng,
  t: HiddenTruth,
  byCategory: Map<string, Product[]>,
  all: readonly string[],
): Product {
  const category = rng.chance(0.75) ? rng.pick(t.favouriteCategories) : rng.pick(all);
  const items = byCategory.get(category) ?? [];
  // Zipf-like: rank r is chosen with weight 1 / (r + 1)
  return rng.weighted(items.map((p, r) => [p, 1 / (r + 1)] as const));
}

function simulateOne(
  rng: Rng,
  t: HiddenTruth,
  end: number,
  byCategory: Map<string, Product[]>,
  categories: readonly string[],
  deals: boolean,
): CustomerHistory {
  const h: CustomerHistory = {
    customerId: t.customerId,
    firstSeenAt: t.signupAt,
    orders: [],
    emails: [],
    views: [],
  };
  const firstDay = Math.floor(t.signupAt / DAY);
  const newsletterDay = rng.int(0, 6);
  for (let day = firstDay; day * DAY < end; day += 1) {
    const at = Math.max(t.signupAt, day * DAY + rng.int(0, DAY - 1));
    if (at > end) break;
    const v = vigour(t, at);
    if ((day - firstDay) % 7 === newsletterDay) {
      h.emails.push({ at, kind: 'delivered' });
      // after churn a few opens remain (preview panes, the odd curious look)
      if (rng.chance(t.openProbability * Math.max(v, 0.1))) {
        h.emails.push({ at: at + 3_600_000, kind: 'opened' });
        if (rng.chance(0.25)) h.emails.push({ at: at + 3_700_000, kind: 'clicked' });
      }
    }
    if (v === 0) continue;
    if (rng.chance(t.ordersPerDay * 2 * v)) {
      const p = pickProduct(rng, t, byCategory, categories);
      h.views.push({ at, productId: p.id, category: p.category });
    }
    if (!rng.chance(t.ordersPerDay * v)) continue;
    const first = pickProduct(rng, t, byCategory, categories);
    const items = [first];
    const companion = rng.chance(0.3)
      ? (byCategory.get(first.category) ?? []).find((p) => p.id !== first.id)
      : undefined;
    if (companion) items.push(companion);
    // browse before buying: the product page a few days ahead of the order
    if (rng.chance(0.6))
      h.views.push({
        at: Math.max(t.signupAt, at - rng.int(1, 4) * DAY),
        productId: first.id,
        category: first.category,
      });
    const order: OrderFact = {
      at,
      total: Math.round(items.reduce((s, p) => s + p.price, 0) * 100) / 100,
      discounted: deals ? rng.chance(0.8) : rng.chance(0.1),
      items: items.map((p) => ({ productId: p.id, category: p.category })),
    };
    h.orders.push(order);
  }
  return h;
}

/**
 * A seeded store's long history with a known truth: the same customers and personas as the
 * demo (`generateCustomers`), their hidden churn and preference processes drawn, then day by
 * day their newsletters, opens, clicks, product views and orders. Deterministic per seed.
 */
export function simulateStore(options: SimulationOptions): SimulatedStore {
  const rng = createRng(options.seed);
  const start = options.end - options.days * DAY;
  const customers = generateCustomers(rng, options.customers, `sim${options.seed}`, options.end);
  const catalog = simulationCatalog(options.demoCatalog);
  const categories = [...new Set(catalog.map((p) => p.category))].sort();
  const byCategory = new Map(categories.map((c) => [c, catalog.filter((p) => p.category === c)]));
  const truth = drawTruth(rng, customers, categories, start, options.end);
  const histories = truth.map((t) =>
    simulateOne(rng, t, options.end, byCategory, categories, t.persona === 'deal-hunter'),
  );
  return { start, end: options.end, catalog, histories, truth };
}
