import { describe, expect, it } from '@jest/globals';
import { emptyDump } from './dump';
import { KEY_INDEX } from './keys';
import { StateCache, applyWriteLog } from './state-cache';

describe('applyWriteLog', () => {
  it('replays sets, deletions, set members and unique counts onto a dump', () => {
    const dump = emptyDump();
    dump.cart['q:a'] = '1';
    dump.recent.old = 5;
    applyWriteLog(dump, [
      KEY_INDEX.p, 'orders', 2,
      KEY_INDEX.days, 'o:20000', '1',
      -KEY_INDEX.cart, 'q:a', '',
      -KEY_INDEX.recent, 'old', '',
      KEY_INDEX.recent, 'p1', '100',
      KEY_INDEX.recent, '!cut', '50',
      KEY_INDEX.bought, 'z', '1',
      KEY_INDEX.bought, 'b', '1',
      KEY_INDEX.ids, 'u:x', '1',
      KEY_INDEX.eopen, '#', 3,
      KEY_INDEX.marks, 'e1', '1',
    ]); // prettier-ignore
    expect(dump.p).toEqual({ orders: '2' });
    expect(dump.days).toEqual({ 'o:20000': '1' });
    expect(dump.cart).toEqual({});
    expect(dump.recent).toEqual({ p1: 100 });
    expect(dump.recentCut).toBe(50);
    expect(dump.bought).toEqual(['b', 'z']);
    expect(dump.ids).toEqual(['u:x']);
    expect(dump.opened.count).toBe(3);
  });
});

describe('StateCache', () => {
  it('trusts an entry only while the version chain holds', () => {
    const cache = new StateCache(10);
    cache.set('c', { version: 3, dump: emptyDump() });
    expect(cache.follow('c', 'applied', 4, true, [KEY_INDEX.p, 'x', '1'])?.dump.p.x).toBe('1');
    expect(cache.follow('c', 'duplicate', 4, true, undefined)?.version).toBe(4);
    expect(cache.follow('c', 'applied', 4, false, [])?.version).toBe(4); // an ack
    expect(cache.follow('c', 'applied', 6, true, [])).toBeUndefined(); // someone wrote v5
    expect(cache.has('c')).toBe(false);
  });

  it('evicts the least recently used past its capacity', () => {
    const cache = new StateCache(2);
    cache.set('a', { version: 1, dump: emptyDump() });
    cache.set('b', { version: 1, dump: emptyDump() });
    cache.follow('a', 'duplicate', 1, true, undefined);
    cache.set('c', { version: 1, dump: emptyDump() });
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
  });
});
