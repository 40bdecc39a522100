import { describe, expect, it } from '@jest/globals';
import { quietUntil } from './quiet-hours';

const NIGHT = { from: 21 * 60, to: 8 * 60 };

describe('quietUntil', () => {
  it('holds inside a window that wraps past midnight, until it ends in the local zone', () => {
    // 23:30 in New York (EDT, UTC-4) on 2025-06-01 → quiet until 08:00 local = 12:00 UTC.
    const at = Date.UTC(2025, 5, 2, 3, 30);
    expect(quietUntil(at, 'America/New_York', NIGHT)).toBe(Date.UTC(2025, 5, 2, 12, 0));
    // 06:15 local, the same morning.
    expect(quietUntil(Date.UTC(2025, 5, 2, 10, 15), 'America/New_York', NIGHT)).toBe(
      Date.UTC(2025, 5, 2, 12, 0),
    );
  });

  it('is null outside the window, and at its exact end', () => {
    expect(quietUntil(Date.UTC(2025, 5, 2, 16, 0), 'America/New_York', NIGHT)).toBeNull();
    expect(quietUntil(Date.UTC(2025, 5, 2, 12, 0), 'America/New_York', NIGHT)).toBeNull();
  });

  it('handles a window inside one day', () => {
    const lunch = { from: 12 * 60, to: 13 * 60 };
    expect(quietUntil(Date.UTC(2025, 0, 1, 12, 20, 30), 'UTC', lunch)).toBe(
      Date.UTC(2025, 0, 1, 13, 0),
    );
    expect(quietUntil(Date.UTC(2025, 0, 1, 13, 0), 'UTC', lunch)).toBeNull();
  });

  it('reads the same instant differently per recipient zone', () => {
    const at = Date.UTC(2025, 0, 15, 22, 0); // 22:00 London, 07:00 Tokyo next day, 17:00 New York
    expect(quietUntil(at, 'Europe/London', NIGHT)).toBe(Date.UTC(2025, 0, 16, 8, 0));
    expect(quietUntil(at, 'Asia/Tokyo', NIGHT)).toBe(Date.UTC(2025, 0, 15, 23, 0));
    expect(quietUntil(at, 'America/New_York', NIGHT)).toBeNull();
  });

  it('falls back to UTC for an unknown zone', () => {
    expect(quietUntil(Date.UTC(2025, 0, 1, 23, 0), 'Mars/Olympus', NIGHT)).toBe(
      Date.UTC(2025, 0, 2, 8, 0),
    );
  });
});
