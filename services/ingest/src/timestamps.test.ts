import { describe, expect, it } from '@jest/globals';
import { eventTime } from './timestamps';

const receivedAt = Date.parse('2026-03-01T12:00:10.000Z');

describe('eventTime', () => {
  it('cancels the device clock skew: receivedAt - (sentAt - originalTimestamp)', () => {
    // The device clock is 1 hour fast; the call happened 5 s before it was sent.
    const t = eventTime(
      { originalTimestamp: '2026-03-01T13:00:00.000Z', sentAt: '2026-03-01T13:00:05.000Z' },
      { receivedAt, correctTimestamp: false },
    );
    expect(new Date(t).toISOString()).toBe('2026-03-01T12:00:05.000Z');
  });

  it("uses a server library's timestamp as sent (historical imports keep their time)", () => {
    const t = eventTime(
      { timestamp: '2025-01-01T00:00:00.000Z', sentAt: '2026-03-01T12:00:09.000Z' },
      { receivedAt, correctTimestamp: false },
    );
    expect(new Date(t).toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });

  it("corrects a browser's timestamp against its sentAt", () => {
    const t = eventTime(
      { timestamp: '2026-03-01T11:59:00.000Z', sentAt: '2026-03-01T11:59:02.000Z' },
      { receivedAt, correctTimestamp: true },
    );
    expect(t).toBe(receivedAt - 2000);
  });

  it('falls back to originalTimestamp, then to receivedAt', () => {
    expect(
      eventTime(
        { originalTimestamp: '2026-03-01T10:00:00Z' },
        { receivedAt, correctTimestamp: true },
      ),
    ).toBe(Date.parse('2026-03-01T10:00:00Z'));
    expect(eventTime({}, { receivedAt, correctTimestamp: true })).toBe(receivedAt);
  });
});
