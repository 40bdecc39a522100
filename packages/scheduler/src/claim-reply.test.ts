import { describe, expect, it } from '@jest/globals';
import { parseClaimReply } from './claim-reply';
import { ackOutcome, scheduleOutcome } from './errors';
import { wakeDelay } from './wake';

describe('parseClaimReply', () => {
  it('reads claimed timers and the next due and lease times', () => {
    const reply = [['a', '1000', 'p1', '1', 'b', '1005', '', '3'], '2000', false];
    expect(parseClaimReply(reply, 2, 'tok')).toEqual({
      timers: [
        { id: 'a', dueAt: 1000, payload: 'p1', attempt: 1, token: 'tok', shard: 2 },
        { id: 'b', dueAt: 1005, payload: '', attempt: 3, token: 'tok', shard: 2 },
      ],
      nextDueAt: 2000,
      nextLeaseExpiry: undefined,
    });
  });

  it('refuses replies of another shape', () => {
    expect(() => parseClaimReply('OK', 0, 't')).toThrow('claim.lua answered');
    expect(() => parseClaimReply([['a', '1']], 0, 't')).toThrow('claim.lua answered');
  });
});

describe('script return codes', () => {
  it('map to named outcomes', () => {
    expect(ackOutcome(1)).toBe('acked');
    expect(ackOutcome(-1)).toBe('gone');
    expect(ackOutcome(-2)).toBe('lease-lost');
    expect(() => ackOutcome(7)).toThrow('ack.lua answered 7');
    expect(scheduleOutcome(0)).toBe('unchanged');
    expect(scheduleOutcome(1)).toBe('created');
    expect(scheduleOutcome(2)).toBe('rescheduled');
  });
});

describe('wakeDelay', () => {
  it('sleeps until the earliest due time or lease expiry', () => {
    expect(wakeDelay(1000, [1300, undefined, 1200], 5000)).toBe(200);
  });

  it('never sleeps longer than the fallback poll, nor less than zero', () => {
    expect(wakeDelay(1000, [undefined, 90_000], 1000)).toBe(1000);
    expect(wakeDelay(1000, [], 250)).toBe(250);
    expect(wakeDelay(1000, [400], 1000)).toBe(0);
  });
});
