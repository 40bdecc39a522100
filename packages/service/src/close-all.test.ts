import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { closeAll, createClose, once } from './close-all';
import type { CloseStep } from './close-all';

const logger = silentLogger();

describe('closeAll', () => {
  it('runs the steps in order and reports them closed', async () => {
    const order: string[] = [];
    const steps: CloseStep[] = ['consumer', 'producer', 'redis'].map((name) => [
      name,
      async () => {
        order.push(name);
      },
    ]);
    const report = await closeAll(steps, { deadlineMs: 5_000, logger });
    expect(order).toEqual(['consumer', 'producer', 'redis']);
    expect(report).toEqual({
      ok: true,
      closed: ['consumer', 'producer', 'redis'],
      failed: [],
      timedOut: undefined,
      skipped: [],
    });
  });

  it('keeps going after a step fails, sync or async', async () => {
    const ran: string[] = [];
    const report = await closeAll(
      [
        ['a', () => Promise.reject(new Error('broker gone'))],
        [
          'b',
          () => {
            throw new Error('boom');
          },
        ],
        ['c', () => void ran.push('c')],
      ],
      { deadlineMs: 5_000, logger },
    );
    expect(ran).toEqual(['c']);
    expect(report.ok).toBe(false);
    expect(report.closed).toEqual(['c']);
    expect(report.failed).toEqual([
      { step: 'a', error: 'Error: broker gone' },
      { step: 'b', error: 'Error: boom' },
    ]);
  });

  it('abandons a step that outlives the deadline and skips the rest', async () => {
    const ran: string[] = [];
    const report = await closeAll(
      [
        ['quick', () => void ran.push('quick')],
        ['stuck', () => new Promise<void>(() => undefined)],
        ['never', () => void ran.push('never')],
      ],
      { deadlineMs: 50, logger },
    );
    expect(ran).toEqual(['quick']);
    expect(report).toEqual({
      ok: false,
      closed: ['quick'],
      failed: [],
      timedOut: 'stuck',
      skipped: ['never'],
    });
  });
});

describe('once / createClose', () => {
  it('runs the close once and hands every caller the same promise', async () => {
    let calls = 0;
    const close = createClose([['x', () => void calls++]], { deadlineMs: 1_000, logger });
    const first = close();
    const second = close();
    expect(second).toBe(first);
    await first;
    await close();
    expect(calls).toBe(1);
  });

  it('turns a synchronous throw into one rejected promise', async () => {
    let calls = 0;
    const close = once((): Promise<void> => {
      calls++;
      throw new Error('bad');
    });
    await expect(close()).rejects.toThrow('bad');
    await expect(close()).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });
});
