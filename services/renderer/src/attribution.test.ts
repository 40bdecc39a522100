import { describe, expect, it } from '@jest/globals';
import type { EmailRecord } from '@pulse/contracts';
import { creditOrder, engagedSend } from './attribution';
import type { AttributedSend } from './attribution-store';
import { armOf, outcomeLabel } from './renderer-metrics';

const DAY = 86_400_000;
const WINDOW = 7 * DAY;
const T0 = Date.UTC(2025, 2, 1);

const send = (emailId: string, over: Partial<AttributedSend> = {}): AttributedSend => ({
  emailId,
  campaignId: 'win-back',
  segment: 'at-risk',
  arm: 'default',
  holdout: false,
  at: T0,
  openedAt: null,
  clickedAt: null,
  converted: false,
  ...over,
});

describe('creditOrder (the attribution rule of @pulse/predict on recorded sends)', () => {
  it('credits a clicked send over a later one only sent, and counts every send in the window', () => {
    const clicked = send('a', { at: T0, clickedAt: T0 + DAY });
    const later = send('b', { at: T0 + 2 * DAY, campaignId: 'promo', segment: 'none' });
    const old = send('c', { at: T0 - 10 * DAY });
    const credit = creditOrder(
      [clicked, later, old],
      { orderId: 'o1', at: T0 + 3 * DAY, total: 80 },
      WINDOW,
    );
    expect(credit.credited).toMatchObject({ send: { emailId: 'a' }, touch: 'click' });
    expect(credit.inWindow.map((s) => s.emailId).sort()).toEqual(['a', 'b']);
  });

  it('prefers an open over a send, the latest among equals, and ignores engagement after the order', () => {
    const opened = send('a', { at: T0, openedAt: T0 + DAY });
    const clickedLate = send('b', { at: T0 + DAY, clickedAt: T0 + 5 * DAY });
    const credit = creditOrder(
      [opened, clickedLate],
      { orderId: null, at: T0 + 2 * DAY, total: 10 },
      WINDOW,
    );
    expect(credit.credited).toMatchObject({ send: { emailId: 'a' }, touch: 'open' });
    const plain = creditOrder(
      [send('x', { at: T0 }), send('y', { at: T0 + DAY })],
      { orderId: null, at: T0 + 2 * DAY, total: 10 },
      WINDOW,
    );
    expect(plain.credited).toMatchObject({ send: { emailId: 'y' }, touch: 'send' });
  });

  it("counts a holdout decision like a send, so the control group's orders are measured alike", () => {
    const held = send('h', { arm: 'holdout', holdout: true });
    const credit = creditOrder([held], { orderId: 'o', at: T0 + DAY, total: 25 }, WINDOW);
    expect(credit.inWindow.map((s) => s.arm)).toEqual(['holdout']);
    expect(credit.credited?.send.emailId).toBe('h');
  });

  it('credits nothing for an order before every send or after their window', () => {
    const s = [send('a')];
    expect(creditOrder(s, { orderId: null, at: T0 - 1, total: 5 }, WINDOW)).toEqual({
      credited: null,
      inWindow: [],
    });
    expect(
      creditOrder(s, { orderId: null, at: T0 + WINDOW + 1, total: 5 }, WINDOW).inWindow,
    ).toEqual([]);
  });
});

describe('engagedSend', () => {
  const sends = [
    send('a', { at: T0 }),
    send('b', { at: T0 + DAY }),
    send('h', { at: T0 + 2 * DAY, holdout: true, arm: 'holdout' }),
  ];
  it('takes the send the event names, else the latest of its campaign before it', () => {
    expect(engagedSend(sends, 'a', 'win-back', T0 + 3 * DAY, WINDOW)?.emailId).toBe('a');
    expect(engagedSend(sends, null, 'win-back', T0 + 3 * DAY, WINDOW)?.emailId).toBe('b');
    expect(engagedSend(sends, 'unknown', 'win-back', T0 + DAY / 2, WINDOW)?.emailId).toBe('a');
    expect(engagedSend(sends, null, 'other', T0 + 3 * DAY, WINDOW)).toBeNull();
  });
});

describe('metric labels', () => {
  const record = (over: Partial<EmailRecord>): EmailRecord => ({
    emailId: 'e',
    messageId: null,
    customerId: 'c',
    campaignId: 'win-back',
    variant: null,
    triggerId: 't',
    outcome: 'sent',
    reason: null,
    smtpResponse: null,
    to: null,
    subject: null,
    heldUntil: null,
    at: T0,
    ...over,
  });
  it('name the holdout apart from other skips, and the arm by variant', () => {
    expect([outcomeLabel(record({})), armOf(record({}))]).toEqual(['sent', 'default']);
    expect(armOf(record({ variant: 'B' }))).toBe('B');
    const held = record({ outcome: 'skipped', reason: 'holdout' });
    expect([outcomeLabel(held), armOf(held)]).toEqual(['holdout', 'holdout']);
    expect(outcomeLabel(record({ outcome: 'skipped', reason: 'unknown customer' }))).toBe(
      'skipped',
    );
  });
});
