import { utcDay, type CustomerHistory } from './history';

/**
 * What churn features read: day buckets and last-seen instants, the shape the profile builder
 * keeps (`purchases.ordersByDay`, `email.opensByDay`...). Training builds it from a history cut
 * at an instant, online scoring from a live profile, so both see exactly the same inputs.
 */
export interface Activity {
  firstSeenAt: number | null;
  ordersByDay: Record<string, number>;
  spendByDay: Record<string, number>;
  deliveredByDay: Record<string, number>;
  opensByDay: Record<string, number>;
  clicksByDay: Record<string, number>;
  lastVisitAt: number | null;
  lastOpenAt: number | null;
  lastClickAt: number | null;
  /** Category → items bought. */
  categories: Record<string, number>;
}

function add(buckets: Record<string, number>, at: number, value: number): void {
  const day = String(utcDay(at));
  buckets[day] = (buckets[day] ?? 0) + value;
}

const latest = (a: number | null, b: number): number => (a === null || b > a ? b : a);

/** The activity of a history as it was known at `asOf` (later facts are left out). */
export function activityAt(h: CustomerHistory, asOf: number): Activity {
  const a: Activity = {
    firstSeenAt: h.firstSeenAt <= asOf ? h.firstSeenAt : null,
    ordersByDay: {},
    spendByDay: {},
    deliveredByDay: {},
    opensByDay: {},
    clicksByDay: {},
    lastVisitAt: null,
    lastOpenAt: null,
    lastClickAt: null,
    categories: {},
  };
  for (const o of h.orders) {
    if (o.at > asOf) continue;
    add(a.ordersByDay, o.at, 1);
    add(a.spendByDay, o.at, o.total);
    for (const item of o.items)
      a.categories[item.category] = (a.categories[item.category] ?? 0) + 1;
  }
  for (const e of h.emails) {
    if (e.at > asOf) continue;
    if (e.kind === 'delivered') add(a.deliveredByDay, e.at, 1);
    else if (e.kind === 'opened') {
      add(a.opensByDay, e.at, 1);
      a.lastOpenAt = latest(a.lastOpenAt, e.at);
    } else {
      add(a.clicksByDay, e.at, 1);
      a.lastClickAt = latest(a.lastClickAt, e.at);
    }
  }
  for (const v of h.views) if (v.at <= asOf) a.lastVisitAt = latest(a.lastVisitAt, v.at);
  return a;
}

/** The fields of a profile-builder profile (its state or a change record's parsed aggregates). */
export interface ProfileLike {
  firstSeenAt: number | null;
  purchases?: {
    ordersByDay?: Record<string, number>;
    spendByDay?: Record<string, number>;
    categories?: Record<string, number>;
  };
  email?: {
    deliveredByDay?: Record<string, number>;
    opensByDay?: Record<string, number>;
    clicksByDay?: Record<string, number>;
    lastOpenAt?: number | null;
    lastClickAt?: number | null;
  };
  browsing?: { lastVisitAt?: number | null };
}

/** The activity of a live profile; missing sections count as no activity. */
export function activityOfProfile(p: ProfileLike): Activity {
  return {
    firstSeenAt: p.firstSeenAt,
    ordersByDay: p.purchases?.ordersByDay ?? {},
    spendByDay: p.purchases?.spendByDay ?? {},
    deliveredByDay: p.email?.deliveredByDay ?? {},
    opensByDay: p.email?.opensByDay ?? {},
    clicksByDay: p.email?.clicksByDay ?? {},
    lastVisitAt: p.browsing?.lastVisitAt ?? null,
    lastOpenAt: p.email?.lastOpenAt ?? null,
    lastClickAt: p.email?.lastClickAt ?? null,
    categories: p.purchases?.categories ?? {},
  };
}
