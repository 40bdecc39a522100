import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ev, snapshotFrom } from '@pulse/rules';
import { evaluateChange } from './evaluator';
import { loadSegments, readSegmentFiles } from './segment-files';

const { set, problems } = loadSegments(
  readSegmentFiles(path.resolve(__dirname, '../../../config/segments')),
);
const NOW = Date.UTC(2025, 4, 12, 9);
const HOUR = 3_600_000;

describe('evaluateChange', () => {
  it('loads every shipped segment', () => {
    expect(problems).toEqual([]);
    expect(set.segments.length).toBeGreaterThanOrEqual(22);
  });

  it('evaluates only the segments that read what changed', () => {
    const snapshot = snapshotFrom(set.aggregates, { events: [ev('page', NOW - HOUR)] });
    const req = {
      customerId: 'u:a',
      snapshot,
      memberships: new Set<string>(),
      distributions: new Map(),
      now: NOW,
    };
    const some = evaluateChange(set, { ...req, changed: ['aggregates.page'] });
    const all = evaluateChange(set, { ...req, changed: null });
    expect(some.verdicts.map((v) => v.segmentId)).toEqual(set.affectedBy(['aggregates.page']));
    expect(some.evaluated).toBeLessThan(all.evaluated);
    expect(all.evaluated).toBe(set.segments.length);
    const rv = some.verdicts.find((v) => v.segmentId === 'recent-visitors');
    expect(rv).toMatchObject({ member: true, nextFlipAt: NOW - HOUR + 7 * 24 * HOUR });
    expect(evaluateChange(set, { ...req, changed: ['traits.unread'] }).verdicts).toEqual([]);
  });

  it('gives metric values only for customers in the metric’s population', () => {
    const buyer = snapshotFrom(set.aggregates, {
      events: [ev('Order Completed', NOW - HOUR, { total: 120 })],
    });
    const visitor = snapshotFrom(set.aggregates, { events: [ev('page', NOW - HOUR)] });
    const base = {
      customerId: 'u:b',
      memberships: new Set<string>(),
      distributions: new Map(),
      now: NOW,
      changed: null,
    };
    const b = evaluateChange(set, { ...base, snapshot: buyer }).metricValues;
    const v = evaluateChange(set, { ...base, snapshot: visitor }).metricValues;
    expect(b.get('order-completed.count')).toBe(1);
    expect([...v.values()].every((x) => x === undefined)).toBe(true);
  });
});
