import path from 'node:path';
import {
  createRng,
  generateCustomers,
  journey,
  loadCatalog,
  type Customer,
  type Step,
} from '@pulse/cli';

/** One event the load sends, with a messageId of its own so ingest's dedup and the fold's marks apply. */
export interface PlannedEvent {
  messageId: string;
  at: number;
  customer: string;
  step: Step;
  /** `page`, `identify` or the track event's name: what the profile counts it under. */
  type: string;
}

/** What happened to one planned event; the oracle's raw material. */
export interface LedgerEntry {
  event: PlannedEvent;
  /** Answered 2xx by ingest (a pixel's 200 is not an acknowledgement: it answers 200 anyway). */
  acked: boolean;
  /** When the 2xx arrived (ms since epoch). */
  ackedAt?: number;
  attempts: number;
  /** 4xx other than 408/429: ingest refused it for good. */
  refused?: string;
}

export interface StoreLoad {
  customers: Customer[];
  events: PlannedEvent[];
  /** Customers whose journey ends with items in a cart and no order: one Cart Abandoned each. */
  abandoners: Set<string>;
}

/**
 * The demo store's customers and journeys, their arrivals spread evenly over `windowMs` so the
 * load stays steady while the faults happen (the demo starts everyone at once).
 */
export function planStoreLoad(o: {
  root: string;
  runId: string;
  seed: number;
  customers: number;
  windowMs: number;
  now: number;
}): StoreLoad {
  const rng = createRng(o.seed);
  const catalog = loadCatalog(path.join(o.root, 'config'));
  const customers = generateCustomers(rng, o.customers, o.runId, o.now);
  const events: PlannedEvent[] = [];
  const abandoners = new Set<string>();
  // Journeys span up to ~40% of their window plus ~15 s of browsing and buying.
  const journeyWindow = Math.max(10_000, Math.floor(o.windowMs / 4));
  customers.forEach((c, i) => {
    const offset = Math.floor((i / customers.length) * (o.windowMs - journeyWindow));
    const steps = journey(rng, c, catalog, o.now, journeyWindow);
    steps.forEach((step, j) => {
      const type = step.call === 'track' ? String(step.message.event) : step.call;
      events.push({
        messageId: `${c.userId}-m${j}`,
        at: offset + step.at,
        customer: c.userId,
        step,
        type,
      });
    });
    const added = steps.some((s) => s.message.event === 'Product Added');
    const live = steps.some((s) => s.message.event === 'Order Completed' && !s.message.timestamp);
    if (added && !live) abandoners.add(c.userId);
  });
  events.sort((a, b) => a.at - b.at);
  return { customers, events, abandoners };
}

export interface SendOptions {
  ingestUrl: string;
  browserKey: string;
  serverKey: string;
  /** Retries stop after this instant (ms since epoch); the event then counts as not acknowledged. */
  giveUpAt: () => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends one event the way a well-behaved Segment client does: the same messageId on every
 * retry, retrying network errors, 408, 429 and 5xx with backoff. A pixel fires once.
 */
export async function sendEvent(e: PlannedEvent, o: SendOptions): Promise<LedgerEntry> {
  const entry: LedgerEntry = { event: e, acked: false, attempts: 0 };
  const { step } = e;
  const writeKey = step.source === 'browser' ? o.browserKey : o.serverKey;
  const body = { ...step.message, messageId: e.messageId };
  let backoff = 200;
  for (;;) {
    entry.attempts += 1;
    try {
      if (step.pixel) {
        const data = Buffer.from(JSON.stringify({ writeKey, ...body })).toString('base64url');
        await fetch(`${o.ingestUrl}/v1/pixel/${step.call}?data=${data}`, {
          signal: AbortSignal.timeout(10_000),
        });
        return entry;
      }
      const res = await fetch(`${o.ingestUrl}/v1/${step.call}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      if (res.ok) {
        entry.acked = true;
        entry.ackedAt = Date.now();
        return entry;
      }
      if (res.status < 500 && res.status !== 408 && res.status !== 429) {
        entry.refused = `${res.status} ${await res.text()}`;
        return entry;
      }
    } catch {
      if (step.pixel) return entry;
    }
    if (Date.now() + backoff > o.giveUpAt()) return entry;
    await sleep(backoff);
    backoff = Math.min(backoff * 2, 2_000);
  }
}

/** Plays the planned events at their times (relative to now); resolves with every outcome. */
export async function playLoad(
  events: readonly PlannedEvent[],
  o: SendOptions,
  onEntry: (entry: LedgerEntry) => void = () => undefined,
): Promise<LedgerEntry[]> {
  const start = Date.now();
  const pending: Promise<LedgerEntry>[] = [];
  for (const e of events) {
    if (Date.now() > o.giveUpAt()) break;
    const wait = start + e.at - Date.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      sendEvent(e, o).then((entry) => {
        onEntry(entry);
        return entry;
      }),
    );
  }
  return Promise.all(pending);
}
