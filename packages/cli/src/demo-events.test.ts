import { describe, expect, it } from '@jest/globals';
import { EVENTS_V1_SCHEMA, fixtureNames, toAvroType, validateRecord } from '@pulse/contracts';
import { demoEvents, poisonBytes } from './demo-events';

describe('demoEvents', () => {
  const events = demoEvents('run1', 1_700_000_000_000);

  it('holds one valid events.v1 record per fixture, re-identified for the run', () => {
    const type = toAvroType(EVENTS_V1_SCHEMA);
    expect(events).toHaveLength(fixtureNames('events.v1').length);
    for (const event of events) {
      expect(validateRecord(type, event)).toEqual([]);
      expect(event.id.startsWith('run1-')).toBe(true);
      expect([null, 'demo-run1']).toContain(event.userId);
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('orders occurrence times before the receive time', () => {
    for (const event of events) expect(event.occurredAt).toBeLessThan(event.receivedAt);
  });

  it('makes poison bytes that do not start with the wire format magic byte', () => {
    expect(poisonBytes('run1')[0]).not.toBe(0);
  });
});
