import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { MicroBatcher } from './micro-batcher';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A flusher that records batches and holds each flush open until released. */
function recordingFlush() {
  const batches: number[][] = [];
  const gates: Deferred[] = [];
  const called: Deferred[] = [deferred()];
  let inFlight = 0;
  let maxInFlight = 0;
  const flush = async (items: number[]): Promise<void> => {
    batches.push(items);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const gate = deferred();
    gates.push(gate);
    called[called.length - 1]?.resolve();
    called.push(deferred());
    await gate.promise;
    inFlight -= 1;
  };
  return {
    flush,
    batches,
    gates,
    nextCall: () => called[called.length - 1]?.promise,
    maxInFlight: () => maxInFlight,
  };
}

describe('MicroBatcher', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('flushes as soon as a batch is full, without waiting for the linger', async () => {
    const rec = recordingFlush();
    const batcher = new MicroBatcher({ lingerMs: 60_000, maxBatchSize: 3, flush: rec.flush });
    const call = rec.nextCall();
    [1, 2, 3].forEach((n) => batcher.add(n));
    await call;
    expect(rec.batches).toEqual([[1, 2, 3]]);
    rec.gates[0]?.resolve();
    await batcher.drain();
  });

  it('holds a partial batch for lingerMs, then flushes it', async () => {
    jest.useFakeTimers();
    const rec = recordingFlush();
    const batcher = new MicroBatcher({ lingerMs: 5, maxBatchSize: 100, flush: rec.flush });
    batcher.add(1);
    batcher.add(2);
    jest.advanceTimersByTime(4);
    expect(rec.batches).toEqual([]);
    const call = rec.nextCall();
    jest.advanceTimersByTime(1);
    await call;
    expect(rec.batches).toEqual([[1, 2]]);
    rec.gates[0]?.resolve();
    await batcher.drain();
  });

  it('never runs two flushes at once; records added meanwhile go out next, in order', async () => {
    const rec = recordingFlush();
    const batcher = new MicroBatcher({ lingerMs: 60_000, maxBatchSize: 2, flush: rec.flush });
    const first = rec.nextCall();
    batcher.add(1);
    batcher.add(2);
    await first;
    [3, 4, 5].forEach((n) => batcher.add(n));
    expect(rec.batches).toHaveLength(1);
    expect(batcher.pending).toBe(3);
    const second = rec.nextCall();
    rec.gates[0]?.resolve();
    await second;
    expect(rec.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const third = rec.nextCall();
    rec.gates[1]?.resolve();
    await third;
    rec.gates[2]?.resolve();
    await batcher.drain();
    expect(rec.batches).toEqual([[1, 2], [3, 4], [5]]);
    expect(rec.maxInFlight()).toBe(1);
  });

  it('drain sends what is queued without lingering and waits for it', async () => {
    const seen: number[][] = [];
    const batcher = new MicroBatcher({
      lingerMs: 60_000,
      maxBatchSize: 10,
      flush: async (items: number[]) => {
        seen.push(items);
      },
    });
    batcher.add(7);
    await batcher.drain();
    expect(seen).toEqual([[7]]);
    expect(batcher.pending).toBe(0);
  });

  it('reports a throwing flush and keeps going', async () => {
    const errors: unknown[] = [];
    const seen: number[][] = [];
    const batcher = new MicroBatcher({
      lingerMs: 0,
      maxBatchSize: 1,
      flush: async (items: number[]) => {
        seen.push(items);
        if (items[0] === 1) throw new Error('boom');
      },
      onError: (err) => errors.push(err),
    });
    batcher.add(1);
    batcher.add(2);
    await batcher.drain();
    expect(seen).toEqual([[1], [2]]);
    expect(errors).toHaveLength(1);
  });

  it('with lingerMs 0 sends the items of one event-loop turn together, without a timer', async () => {
    const seen: number[][] = [];
    const batcher = new MicroBatcher({
      lingerMs: 0,
      maxBatchSize: 100,
      flush: async (items: number[]) => {
        seen.push(items);
      },
    });
    batcher.add(1);
    batcher.add(2);
    batcher.add(3);
    expect(seen).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([[1, 2, 3]]);
    batcher.add(4);
    await batcher.drain();
    expect(seen).toEqual([[1, 2, 3], [4]]);
  });
});
