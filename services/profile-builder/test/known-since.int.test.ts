import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ProfileChange } from '@pulse/contracts';
import { loadSegmentSet } from '@pulse/rules';
import { DAY_MS } from '../src/fold-options';
import { KEY_INDEX, createProfileKeys } from '../src/keys';
import { aliasEvent, identifyEvent, orderEvent, pageEvent } from '../src/test-events';
import { folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2026, 10, 20, 12);
const harnesses: FolderHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

/** The shipped segments, as the segmenter loads them. */
const DIR = path.resolve(__dirname, '../../../config/segments');
const shipped = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(path.join(DIR, f), 'utf8') }));
const { set } = loadSegmentSet(shipped);
/** Inactive Users as it read before knownSince: tenure by event time (firstSeenAt). */
const byEventTime = loadSegmentSet([
  ...shipped.filter((f) => f.file === '_catalog.yaml'),
  {
    file: 'old-inactive.yaml',
    text: (shipped.find((f) => f.file === 'inactive-users.yaml')?.text ?? '')
      .replace('id: inactive-users', 'id: old-inactive')
      .replace(/ {4}- any:\n(?: {8}.*\n)+/, '    - field: firstSeenAt\n      not_within: 90d\n'),
  },
]).set;

function last(h: FolderHarness, customerId: string): ProfileChange {
  const change = h.published.filter((c) => c.customerId === customerId && !c.tombstone).at(-1);
  if (!change) throw new Error(`no change for ${customerId}`);
  return change;
}

const inactive = (change: ProfileChange, now: number) =>
  set
    .evaluate({ customerId: change.customerId, profile: change.profile, now })
    .find((r) => r.id === 'inactive-users');

describe('knownSince: tenure by when Pulse received the customer, not by event time', () => {
  it('an imported customer with two-year-old orders is not Inactive on day one, and is 90 days later', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    const imported = { userId: 'imp-1', receivedAt: h.clock.now() };
    await h.folder.foldBatch([
      identifyEvent({ email: 'imp@example.com' }, { ...imported, occurredAt: NOW - 800 * DAY_MS }),
      orderEvent(
        { order_id: 'imp-o1', total: 40 },
        { ...imported, occurredAt: NOW - 730 * DAY_MS },
      ),
      orderEvent(
        { order_id: 'imp-o2', total: 60 },
        { ...imported, occurredAt: NOW - 700 * DAY_MS },
      ),
    ]);
    const change = last(h, 'u:imp-1');
    expect(change.profile.firstSeenAt).toBe(NOW - 800 * DAY_MS);
    expect(change.profile.traits.knownSince).toBe(String(NOW));
    // the harm it prevents: by event time the import looks like two years of tenure
    const old = byEventTime.evaluate({ customerId: 'u:imp-1', profile: change.profile, now: NOW });
    expect(old.find((r) => r.id === 'old-inactive')?.member).toBe(true);
    expect(inactive(change, NOW)).toMatchObject({ member: false, nextFlipAt: NOW + 90 * DAY_MS });
    h.clock.set(NOW + 90 * DAY_MS);
    expect(inactive(change, h.clock.now())?.member).toBe(true);
    expect((await h.read('imp-1'))?.knownSince).toBe(NOW);
  });

  it('keeps the earliest receivedAt, survives a merge as the minimum, and starts old profiles at firstSeenAt', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    await h.folder.foldBatch([
      pageEvent('Home', {
        anonymousId: 'ks-dev',
        occurredAt: NOW - 200 * DAY_MS,
        receivedAt: NOW - 120 * DAY_MS,
      }),
      pageEvent('Home', {
        userId: 'ks-1',
        occurredAt: NOW - 5 * DAY_MS,
        receivedAt: NOW - 5 * DAY_MS,
      }),
    ]);
    await h.folder.foldBatch([aliasEvent('ks-dev', 'ks-1', { occurredAt: NOW, receivedAt: NOW })]);
    expect((await h.read('ks-1'))?.knownSince).toBe(NOW - 120 * DAY_MS);
    expect(last(h, 'u:ks-1').profile.traits.knownSince).toBe(String(NOW - 120 * DAY_MS));

    // A profile written before knownSince existed: its next event starts it at firstSeenAt.
    await h.folder.foldBatch([
      pageEvent('Home', {
        userId: 'ks-2',
        occurredAt: NOW - 300 * DAY_MS,
        receivedAt: NOW - 300 * DAY_MS,
      }),
    ]);
    const p = createProfileKeys(h.prefix).customer('u:ks-2')[KEY_INDEX.p - 1] as string;
    await h.iso.client.hdel(p, 'knownSince');
    h.store.evict(['u:ks-2']);
    await h.folder.foldBatch([
      pageEvent('Home', { userId: 'ks-2', occurredAt: NOW, receivedAt: NOW }),
    ]);
    expect((await h.read('ks-2'))?.knownSince).toBe(NOW - 300 * DAY_MS);
  });
});
