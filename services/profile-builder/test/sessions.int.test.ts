import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { wrapPayload, type ProfileChange, type PulseEvent } from '@pulse/contracts';
import { loadSegmentSet } from '@pulse/rules';
import { DAY_MS, utcDay } from '../src/fold-options';
import { aliasEvent, baseEvent, emailEvent, line, productEvent } from '../src/test-events';
import { RULE_AGGREGATES, folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2026, 5, 10, 12);
const MIN = 60_000;
const harnesses: FolderHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

/** "Sessions last week" and "time on site" as segment rules, with the shipped catalogue. */
const CATALOG = readFileSync(
  path.resolve(__dirname, '../../../config/segments/_catalog.yaml'),
  'utf8',
);
const segment = (id: string, rule: string) => ({
  file: `${id}.yaml`,
  text: `id: ${id}\nname: ${id}\ndescription: test\nrule:\n${rule}`,
});
const { set } = loadSegmentSet([
  { file: '_catalog.yaml', text: CATALOG },
  segment('regulars', '  event: Session\n  count: { at_least: 2 }\n  in_last: 7d\n'),
  segment(
    'lingerers',
    '  event: Session\n  sum: extra.duration_ms\n  gte: 1800000\n  in_last: 7d\n',
  ),
]);

async function harness(): Promise<FolderHarness> {
  const h = await folderHarness(NOW, undefined, {
    aggregates: [...RULE_AGGREGATES, ...set.aggregates],
  });
  harnesses.push(h);
  return h;
}

/** A page view; `onPageMs` as the page-time script reports it (null: not measured). */
function page(who: Partial<PulseEvent>, at: number, onPageMs: number | null): PulseEvent {
  return baseEvent({
    ...who,
    occurredAt: at,
    payload: wrapPayload('PagePayload', {
      name: null,
      category: null,
      url: null,
      path: '/',
      referrer: null,
      title: null,
      search: null,
      time_on_page_ms: onPageMs,
      extra: null,
    }),
  });
}

function last(h: FolderHarness, customerId: string): ProfileChange {
  const change = h.published.filter((c) => c.customerId === customerId && !c.tombstone).at(-1);
  if (!change) throw new Error(`no change for ${customerId}`);
  return change;
}

const member = (change: ProfileChange, id: string, now: number) =>
  set
    .evaluate({ customerId: change.customerId, profile: change.profile, now })
    .find((r) => r.id === id);

describe('web sessions', () => {
  it('end after 30 minutes of inactivity, count time on page, and are the same in any order and under redelivery', async () => {
    const who = { userId: 'ses-1' };
    const t0 = NOW - 2 * DAY_MS;
    const events = [
      page(who, t0, 2 * MIN), // the first view was read for 2 minutes before it was sent
      productEvent('Product Viewed', line(), { ...who, occurredAt: t0 + 10 * MIN }),
      page(who, t0 + 25 * MIN, null),
      page(who, t0 + 90 * MIN, 5 * MIN), // 65 minutes later: a second session
      emailEvent('Email Opened', 's-1', { ...who, occurredAt: t0 + 200 * MIN }), // not on the site
    ];
    const results = [];
    for (const sequence of [events, [...events].reverse()]) {
      const h = await harness();
      for (const e of sequence) await h.folder.foldBatch([e]);
      await h.folder.foldBatch(events); // redelivered: nothing counts twice
      results.push((await h.read('ses-1'))?.browsing);
    }
    expect(results[0]).toMatchObject({
      sessions: 2,
      timeOnSiteMs: 27 * MIN + 5 * MIN,
      firstSessionAt: t0 - 2 * MIN,
      lastSessionAt: t0 + 85 * MIN,
      sessionsByDay: { [String(utcDay(t0))]: 2 },
    });
    expect(results[1]).toEqual(results[0]);
  });

  it('join when a late event fills the gap between them', async () => {
    const h = await harness();
    const who = { anonymousId: 'ses-dev' };
    const t0 = NOW - DAY_MS;
    await h.folder.foldBatch([page(who, t0, null), page(who, t0 + 40 * MIN, null)]);
    expect((await h.read('ses-dev'))?.browsing).toMatchObject({ sessions: 2, timeOnSiteMs: 0 });
    await h.folder.foldBatch([page(who, t0 + 20 * MIN, null)]);
    expect((await h.read('ses-dev'))?.browsing).toMatchObject({
      sessions: 1,
      timeOnSiteMs: 40 * MIN,
      sessionsByDay: { [String(utcDay(t0))]: 1 },
    });
  });

  it('of a merged-away customer join the survivor’s when they come within the gap', async () => {
    const h = await harness();
    const t0 = NOW - DAY_MS;
    await h.folder.foldBatch([
      page({ anonymousId: 'ses-anon' }, t0, null),
      page({ anonymousId: 'ses-anon' }, t0 + 10 * MIN, null),
      page({ anonymousId: 'ses-anon' }, t0 - 3 * DAY_MS, null),
      page({ userId: 'ses-2' }, t0 + 30 * MIN, null),
    ]);
    await h.folder.foldBatch([aliasEvent('ses-anon', 'ses-2', { occurredAt: t0 + 31 * MIN })]);
    const merged = await h.read('ses-2');
    expect(merged?.customerId).toBe('u:ses-2');
    expect(merged?.browsing).toMatchObject({ sessions: 2, timeOnSiteMs: 30 * MIN });
    expect(merged?.derived.sessions).toEqual({
      last7Days: 2,
      last30Days: 2,
      timeOnSiteLast7DaysMs: 30 * MIN,
      timeOnSiteLast30DaysMs: 30 * MIN,
    });
  });

  it('are what "sessions in the last week" and "time on site" rules read', async () => {
    const h = await harness();
    const who = { userId: 'ses-3' };
    const t0 = NOW - 3 * DAY_MS;
    await h.folder.foldBatch([page(who, t0, 20 * MIN)]);
    let change = last(h, 'u:ses-3');
    expect(member(change, 'regulars', NOW)?.member).toBe(false);
    expect(member(change, 'lingerers', NOW)?.member).toBe(false);
    await h.folder.foldBatch([page(who, t0 + DAY_MS, 15 * MIN)]);
    change = last(h, 'u:ses-3');
    const regulars = set.aggregates.find((a) => a.events[0] === 'Session' && a.value === null);
    expect(change.changed).toContain(`aggregates.${regulars?.id}`);
    expect(member(change, 'regulars', NOW)).toMatchObject({
      member: true,
      nextFlipAt: t0 - 20 * MIN + 7 * DAY_MS,
    });
    expect(member(change, 'lingerers', NOW)?.member).toBe(true);
    // a week after the first session only one is left in the window
    expect(member(change, 'regulars', t0 + 7 * DAY_MS)?.member).toBe(false);
    expect(member(change, 'lingerers', t0 + 7 * DAY_MS)?.member).toBe(false);
  });
});
