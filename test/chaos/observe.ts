import type { EmailRecord, PulseEvent, SegmentChange } from '@pulse/contracts';
import { endOffsets, readRaw, type AvroSerde, type KafkaClient } from '@pulse/kafka';
import type { Observed } from './oracle';

/** Where the observations come from. */
export interface ObserveOptions {
  kafka: KafkaClient;
  serde: AvroSerde;
  topics: { events: string; segmentChanges: string; emails: string };
  profileUrl: string;
  segmenterUrl: string;
  /** SEGMENTER_ADMIN_TOKEN of the run (the segmenter's read API is closed without it). */
  segmenterToken: string;
  maildevUrl: string;
  runId: string;
}

async function getJson(url: string, token?: string): Promise<unknown> {
  const res = await fetch(url, {
    signal: AbortSignal.timeout(10_000),
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {}; // JSON objects

/** A profile's counters the oracle checks: `pageViews` and `ev:<type>` for every track type. */
export function profileCounters(profile: unknown): Map<string, number> {
  const p = asRecord(profile);
  const counters = new Map<string, number>();
  counters.set('pageViews', Number(asRecord(p.browsing).pageViews ?? 0));
  for (const group of [p.events, p.customEvents])
    for (const [type, entry] of Object.entries(asRecord(group)))
      counters.set(`ev:${type}`, Number(asRecord(entry).count ?? 0));
  return counters;
}

/** Every record of `topic`, decoded (records that do not decode are an error: the test wrote none). */
export async function readTopic<T>(o: ObserveOptions, topic: string): Promise<T[]> {
  const ends = await endOffsets(o.kafka, topic);
  const count = ends.reduce((sum, p) => sum + Number(p.offset), 0);
  if (count === 0) return [];
  const raw = await readRaw({ kafka: o.kafka, topic, count, timeoutMs: 60_000 });
  const ordered = raw.sort(
    (a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset),
  );
  return Promise.all(ordered.map(async (r) => (await o.serde.decode<T>(r.value)).value));
}

/** The email id (`x-pulse-email-id` header) of each of this run's messages in maildev
 * (recipients carry the run id). */
export async function runMail(maildevUrl: string, runId: string): Promise<string[]> {
  // maildev 3 serves /api/email, 2.x /email.
  let body = await getJson(new URL('/api/email', maildevUrl).toString());
  body ??= await getJson(new URL('/email', maildevUrl).toString());
  if (!Array.isArray(body)) throw new Error(`maildev at ${maildevUrl} answered no list`);
  return body
    .map(asRecord)
    .filter((m) =>
      (Array.isArray(m.to) ? m.to : []).some((to) =>
        String(asRecord(to).address ?? '').includes(`.${runId}.`),
      ),
    )
    .map((m) => String(asRecord(m.headers)['x-pulse-email-id'] ?? 'no x-pulse-email-id header'));
}

/** Profiles and memberships of the customers, read through the services' APIs. */
export async function readProfiles(o: ObserveOptions, customers: readonly string[]) {
  const counters = new Map<string, Map<string, number>>();
  const canonical = new Map<string, string>();
  const memberships = new Map<string, Set<string>>();
  for (const id of customers) {
    const profile = await getJson(`${o.profileUrl}/v1/profiles/${encodeURIComponent(id)}`);
    if (profile === undefined) continue;
    counters.set(id, profileCounters(profile));
    const customerId = String(asRecord(profile).customerId ?? id);
    canonical.set(id, customerId);
    const segs = asRecord(
      await getJson(
        `${o.segmenterUrl}/v1/profiles/${encodeURIComponent(customerId)}/segments`,
        o.segmenterToken,
      ),
    );
    const current = Array.isArray(segs.current) ? segs.current : [];
    memberships.set(id, new Set(current.map((s) => String(asRecord(s).segmentId))));
  }
  return { counters, canonical, memberships };
}

/** Everything the oracle judges. */
export async function observe(o: ObserveOptions, customers: readonly string[]): Promise<Observed> {
  const profiles = await readProfiles(o, customers);
  const events = await readTopic<PulseEvent>(o, o.topics.events);
  const cartAbandonedIds = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.type !== 'Cart Abandoned' || !e.userId) continue;
    const ids = cartAbandonedIds.get(e.userId) ?? new Set<string>();
    ids.add(e.id);
    cartAbandonedIds.set(e.userId, ids);
  }
  return {
    ...profiles,
    cartAbandonedIds,
    segmentChanges: await readTopic<SegmentChange>(o, o.topics.segmentChanges),
    emails: await readTopic<EmailRecord>(o, o.topics.emails),
    mailEmailIds: await runMail(o.maildevUrl, o.runId),
  };
}
