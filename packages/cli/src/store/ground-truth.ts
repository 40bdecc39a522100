import type { Product } from './catalog';
import type { Customer, Persona } from './customers';
import type { Rng } from './rng';

const DAY = 86_400_000;

/**
 * A customer's hidden processes: what the generator draws their history from and what no model
 * sees. `pulse eval` scores the models against it, so the reported figures mean something.
 */
export interface HiddenTruth {
  customerId: string;
  persona: Persona;
  signupAt: number;
  /** When the customer stops buying and browsing for good (may lie after the simulated end). */
  churnAt: number;
  /** Days before `churnAt` over which orders, visits and opens fade to a quarter. */
  declineDays: number;
  ordersPerDay: number;
  openProbability: number;
  /** Daily churn hazard: the persona's, raised for customers who rarely open emails. */
  hazardPerDay: number;
  /** Categories the customer buys from three times in four. */
  favouriteCategories: string[];
}

interface PersonaProcess {
  ordersPerDay: number;
  open: number;
  hazardPerDay: number;
  favourites: number;
}

/** The personas' hidden parameters (per customer: ± noise around these). */
export const PERSONA_PROCESS: Record<Persona, PersonaProcess> = {
  frequent: { ordersPerDay: 1 / 18, open: 0.45, hazardPerDay: 1 / 900, favourites: 1 },
  casual: { ordersPerDay: 1 / 50, open: 0.3, hazardPerDay: 1 / 350, favourites: 2 },
  lapsed: { ordersPerDay: 1 / 40, open: 0.25, hazardPerDay: 1 / 150, favourites: 1 },
  browser: { ordersPerDay: 1 / 300, open: 0.2, hazardPerDay: 1 / 250, favourites: 2 },
  'deal-hunter': { ordersPerDay: 1 / 30, open: 0.35, hazardPerDay: 1 / 300, favourites: 2 },
};

/** Exponential draw with the given daily rate, in days. */
const exponentialDays = (rng: Rng, rate: number): number => -Math.log(1 - rng.next()) / rate;

/** Draws each customer's hidden processes; signups spread over `[start, end − 90 days]`. */
export function drawTruth(
  rng: Rng,
  customers: readonly Customer[],
  categories: readonly string[],
  start: number,
  end: number,
): HiddenTruth[] {
  return customers.map((c) => {
    const p = PERSONA_PROCESS[c.persona];
    const openProbability = Math.min(0.9, p.open * (0.6 + rng.next() * 0.8));
    // engagement shapes the hazard: a customer who never opens is half out of the door already
    const hazardPerDay = p.hazardPerDay * (1.8 - 2 * openProbability);
    const signupAt = start + Math.floor(rng.next() * (end - 90 * DAY - start));
    const favourites = new Set<string>();
    while (favourites.size < p.favourites) favourites.add(rng.pick(categories));
    return {
      customerId: c.userId,
      persona: c.persona,
      signupAt,
      churnAt: signupAt + Math.floor(exponentialDays(rng, hazardPerDay) * DAY),
      declineDays: rng.int(30, 90),
      ordersPerDay: p.ordersPerDay * (0.5 + rng.next()),
      openProbability,
      hazardPerDay,
      favouriteCategories: [...favourites],
    };
  });
}

/**
 * The simulation's catalog: the demo catalog plus generated products in the same categories,
 * so there is something to recommend beyond ten products.
 */
export function simulationCatalog(demo: readonly Product[], perCategory = 7): Product[] {
  const categories = [...new Set(demo.map((p) => p.category))].sort();
  const extra = categories.flatMap((category, ci) =>
    Array.from({ length: perCategory }, (_, i): Product => {
      const id = `sim-${ci}-${i}`;
      return {
        id,
        name: `${category.split('/').pop() ?? category} ${i + 1}`,
        category,
        price: 15 + ((ci * 37 + i * 13) % 120),
        currency: 'USD',
        url: `https://shop.example.com/p/${id}`,
        related: [],
      };
    }),
  );
  return [...demo, ...extra];
}
