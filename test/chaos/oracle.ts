import type { EmailRecord, SegmentChange } from '@pulse/contracts';
import type { LedgerEntry } from './load';

/** What the pipeline shows at the end, gathered by observe.ts. */
export interface Observed {
  /** customer (userId) → counter name → value, from profile-builder's read API. */
  counters: Map<string, Map<string, number>>;
  /** customer (userId) → the segmenter's current segments. */
  memberships: Map<string, Set<string>>;
  /** customer (userId) → canonical profile id (what segment changes and emails carry). */
  canonical: Map<string, string>;
  /** Distinct Cart Abandoned event ids on events.v1, by userId. */
  cartAbandonedIds: Map<string, Set<string>>;
  segmentChanges: SegmentChange[];
  emails: EmailRecord[];
  /** The email id of each of this run's messages in maildev. */
  mailEmailIds: string[];
}

export interface OracleReport {
  sent: number;
  acknowledged: number;
  refused: number;
  notAcknowledged: number;
  pixels: number;
  /** Acknowledged effects missing: events not folded, entries not published, sends without mail. */
  lost: number;
  /** Effects that happened more than once. */
  duplicated: number;
  segmentEntries: number;
  emailTriggers: number;
  /** By outcome, with the reason for those not sent. */
  emailOutcomes: Record<string, number>;
  mailDelivered: number;
  /** Sends cut mid-SMTP: reported, neither lost nor duplicated (at most once by design). */
  unknown: { total: number; delivered: number };
  /**
   * Carts of customers who did buy yet were abandoned: `late` when the order was acknowledged
   * only after the cart's due time (a fault held it up), `inTime` when it was acknowledged
   * before (the timer fired before its service had consumed the order).
   */
  boughtButAbandoned: { late: number; inTime: number };
  problems: string[];
}

/** The counter a profile keeps for an event type. */
export function counterName(type: string): string | undefined {
  if (type === 'page') return 'pageViews';
  if (type === 'identify') return undefined; // identify folds traits, it counts nothing
  return `ev:${type}`;
}

function add(map: Map<string, number>, key: string, by = 1) {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Per customer and counter: folded must be ≥ acknowledged and ≤ everything that may have landed. */
function checkEvents(ledger: readonly LedgerEntry[], seen: Observed, r: OracleReport) {
  const low = new Map<string, number>();
  const high = new Map<string, number>();
  for (const { event, acked, refused } of ledger) {
    const counter = counterName(event.type);
    if (!counter || refused) continue;
    const key = `${event.customer}\u0000${counter}`;
    if (acked) add(low, key);
    add(high, key);
  }
  for (const [key, max] of high) {
    const [customer = '', counter = ''] = key.split('\u0000');
    const got = seen.counters.get(customer)?.get(counter) ?? 0;
    const min = low.get(key) ?? 0;
    if (got < min) {
      r.lost += min - got;
      r.problems.push(`${customer}: ${counter} is ${got}, ${min} acknowledged`);
    } else if (got > max) {
      r.duplicated += got - max;
      r.problems.push(`${customer}: ${counter} is ${got}, only ${max} sent`);
    }
  }
}

/** Cart Abandoned: one per abandoned cart, folded exactly once per published id. */
/** When each customer's live order (the one that empties its cart) was acknowledged. */
function orderAcks(ledger: readonly LedgerEntry[]): Map<string, number> {
  const acks = new Map<string, number>();
  for (const { event, ackedAt } of ledger)
    if (event.type === 'Order Completed' && !event.step.message.timestamp && ackedAt)
      acks.set(event.customer, ackedAt);
  return acks;
}

function checkCarts(
  ledger: readonly LedgerEntry[],
  abandoners: ReadonlySet<string>,
  seen: Observed,
  r: OracleReport,
) {
  const ordered = orderAcks(ledger);
  const customers = new Set([...abandoners, ...seen.cartAbandonedIds.keys()]);
  for (const customer of customers) {
    const ids = seen.cartAbandonedIds.get(customer)?.size ?? 0;
    const folded = seen.counters.get(customer)?.get('ev:Cart Abandoned') ?? 0;
    if (folded !== ids) {
      if (folded > ids) r.duplicated += folded - ids;
      else r.lost += ids - folded;
      r.problems.push(`${customer}: ${ids} Cart Abandoned published, ${folded} folded`);
    }
    if (abandoners.has(customer) && ids !== 1) {
      if (ids === 0) r.lost += 1;
      else r.duplicated += ids - 1;
      r.problems.push(`${customer}: abandoned one cart, ${ids} Cart Abandoned published`);
    } else if (!abandoners.has(customer) && ids > 0) {
      // Cart Abandoned ids are `cart:<customer>@<due time>`.
      const due = Math.min(
        ...[...(seen.cartAbandonedIds.get(customer) ?? [])].map((id) =>
          Number(id.split('@').pop()),
        ),
      );
      if ((ordered.get(customer) ?? Infinity) < due) r.boughtButAbandoned.inTime += 1;
      else r.boughtButAbandoned.late += 1;
      if (ids > 1) r.duplicated += ids - 1;
    }
  }
}

/**
 * Segment changes: per (customer, segment) entries and exits alternate (two entries in a row
 * under different ids is a duplicated effect; the same id twice is a harmless re-publish), and
 * the last published change agrees with the segmenter's settled membership.
 */
function checkSegments(seen: Observed, r: OracleReport): Map<string, SegmentChange> {
  const last = new Map<string, SegmentChange>();
  const ids = new Set<string>();
  const entries = new Map<string, SegmentChange>();
  for (const c of seen.segmentChanges) {
    if (ids.has(c.id)) continue;
    ids.add(c.id);
    const key = `${c.customerId}\u0000${c.segmentId}`;
    const before = last.get(key);
    if (before?.change === c.change) {
      r.duplicated += 1;
      r.problems.push(`${c.customerId} ${c.change} ${c.segmentId} twice (${before.id}, ${c.id})`);
    }
    last.set(key, c);
    if (c.change === 'entered') entries.set(c.id, c);
  }
  r.segmentEntries = entries.size;
  for (const [userId, current] of seen.memberships) {
    const id = seen.canonical.get(userId) ?? userId;
    for (const segment of current) {
      if (last.get(`${id}\u0000${segment}`)?.change !== 'entered') {
        r.lost += 1;
        r.problems.push(`${id} is in ${segment} but no entry was published`);
      }
    }
    for (const [key, change] of last) {
      const [customer, segment = ''] = key.split('\u0000');
      if (customer === id && change.change === 'entered' && !current.has(segment)) {
        r.lost += 1;
        r.problems.push(`${id} left ${segment} but no exit was published`);
      }
    }
  }
  return entries;
}

/**
 * Emails: every trigger (an entry into a segment with a campaign, a Cart Abandoned) has an
 * outcome; every `sent` has exactly one message; an `unknown` has at most one.
 */
function checkEmails(
  seen: Observed,
  entries: Map<string, SegmentChange>,
  campaignSegments: ReadonlySet<string>,
  r: OracleReport,
) {
  const final = new Map<string, EmailRecord>();
  for (const e of seen.emails) {
    const before = final.get(e.emailId);
    // A held email is released later under the same id; any other outcome is final.
    if (!before || before.outcome === 'held') final.set(e.emailId, e);
  }
  const byTrigger = new Set([...final.values()].map((e) => e.triggerId));
  const triggers = [
    ...[...entries.values()].filter((c) => campaignSegments.has(c.segmentId)).map((c) => c.id),
    ...[...seen.cartAbandonedIds.values()].flatMap((ids) => [...ids]),
  ];
  r.emailTriggers = triggers.length;
  for (const t of triggers) {
    if (byTrigger.has(t)) continue;
    r.lost += 1;
    r.problems.push(`trigger ${t} has no email outcome`);
  }
  const messages = new Map<string, number>();
  for (const id of seen.mailEmailIds) add(messages, id);
  r.mailDelivered = seen.mailEmailIds.length;
  const known = new Set<string>();
  const profiles = new Set([...seen.counters.keys(), ...seen.canonical.values()]);
  for (const e of final.values()) {
    const kind = e.outcome === 'sent' || !e.reason ? e.outcome : `${e.outcome} (${e.reason})`;
    r.emailOutcomes[kind] = (r.emailOutcomes[kind] ?? 0) + 1;
    known.add(e.emailId);
    const count = messages.get(e.emailId) ?? 0;
    if (e.outcome === 'sent' && count === 0) {
      r.lost += 1;
      r.problems.push(`${e.emailId} (${e.campaignId}) sent but not in maildev`);
    }
    if (e.outcome === 'skipped' && e.reason === 'unknown customer' && profiles.has(e.customerId)) {
      // The customer exists (its profile is there now): the renderer read the profile before
      // profile-builder had folded it, and dropped the email for good.
      r.lost += 1;
      r.problems.push(
        `${e.emailId} (${e.campaignId}) skipped as unknown customer, yet ${e.customerId} has a profile`,
      );
    }
    if (e.outcome === 'unknown') {
      r.unknown.total += 1;
      if (count > 0) r.unknown.delivered += 1;
    }
    if (count > 1) {
      r.duplicated += count - 1;
      r.problems.push(`${e.emailId} (${e.campaignId}) delivered ${count} times`);
    }
    if (count > 0 && e.outcome !== 'sent' && e.outcome !== 'unknown') {
      r.duplicated += count;
      r.problems.push(`${e.emailId} is ${e.outcome} yet was delivered`);
    }
  }
  for (const [id, count] of messages) {
    if (known.has(id)) continue;
    r.duplicated += count;
    r.problems.push(`message ${id} in maildev matches no email outcome`);
  }
}

/** Judges the run: what was acknowledged must have happened once, nothing twice. */
export function judge(
  ledger: readonly LedgerEntry[],
  abandoners: ReadonlySet<string>,
  campaignSegments: ReadonlySet<string>,
  seen: Observed,
): OracleReport {
  const r: OracleReport = {
    sent: ledger.length,
    acknowledged: ledger.filter((e) => e.acked).length,
    refused: ledger.filter((e) => e.refused).length,
    notAcknowledged: ledger.filter((e) => !e.acked && !e.refused && !e.event.step.pixel).length,
    pixels: ledger.filter((e) => e.event.step.pixel).length,
    lost: 0,
    duplicated: 0,
    segmentEntries: 0,
    emailTriggers: 0,
    emailOutcomes: {},
    mailDelivered: 0,
    unknown: { total: 0, delivered: 0 },
    boughtButAbandoned: { late: 0, inTime: 0 },
    problems: [],
  };
  for (const e of ledger.filter((x) => x.refused))
    r.problems.push(`ingest refused ${e.event.messageId}: ${e.refused}`);
  checkEvents(ledger, seen, r);
  checkCarts(ledger, abandoners, seen, r);
  const entries = checkSegments(seen, r);
  checkEmails(seen, entries, campaignSegments, r);
  return r;
}
