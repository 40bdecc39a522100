import { describe, expect, it } from '@jest/globals';
import { PulseError } from '@pulse/core';
import type { KafkaMessage } from 'kafkajs';
import { createBatchProcessor, type BatchScope, type ConsumedRecord } from './batch-processor';
import { retryTransient } from './retry';

const transient = (msg: string) => new PulseError('BUSY', msg, { retriable: true });
const poison = (msg: string) => new PulseError('POISON', msg, { retriable: false });

function message(offset: number, value: string): KafkaMessage {
  return {
    key: null,
    value: Buffer.from(value),
    timestamp: '0',
    attributes: 0,
    offset: String(offset),
    headers: {},
  };
}

/** Decodes "ok:<n>" values; "bad" bytes fail like garbage would; "reg" fails transiently once. */
function harness(options: { handler: (values: string[]) => void; stopAfterRetries?: number }) {
  const handled: string[][] = [];
  const dead: { offset: string; code: string }[] = [];
  let retries = 0;
  let registryFlaky = true;
  const processor = createBatchProcessor<string>({
    decode: async (topic, partition, m): Promise<ConsumedRecord<string>> => {
      const value = m.value?.toString() ?? '';
      if (value === 'bad') throw new PulseError('BAD_MAGIC_BYTE', 'garbage');
      if (value === 'reg' && registryFlaky) {
        registryFlaky = false;
        throw transient('registry down');
      }
      return {
        topic,
        partition,
        offset: m.offset,
        key: null,
        value,
        headers: {},
        timestamp: 0,
        schemaId: 1,
      };
    },
    handleBatch: async (records) => {
      const values = records.map((r) => r.value);
      options.handler(values);
      handled.push(values);
    },
    deadLetter: async (_topic, _partition, m, error) => {
      dead.push({ offset: m.offset, code: error instanceof PulseError ? error.code : 'other' });
    },
  });
  const scope: BatchScope = {
    topic: 't',
    partition: 0,
    heartbeat: async () => undefined,
    signal: new AbortController().signal,
    retry: (_operation, op) =>
      retryTransient(op, {
        policy: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 },
        shouldStop: () => retries >= (options.stopAfterRetries ?? Infinity),
        wait: async () => {
          retries += 1;
        },
      }),
  };
  return { processor, scope, handled, dead, retries: () => retries };
}

describe('batch processor', () => {
  it('hands decodable records over in one call and dead-letters undecodable ones', async () => {
    const h = harness({ handler: () => undefined });
    const done = await h.processor.process(h.scope, [
      message(0, 'a'),
      message(1, 'bad'),
      message(2, 'b'),
    ]);
    expect(done).toBe(true);
    expect(h.handled).toEqual([['a', 'b']]);
    expect(h.dead).toEqual([{ offset: '1', code: 'BAD_MAGIC_BYTE' }]);
  });

  it('retries a transient decode failure instead of dead-lettering it', async () => {
    const h = harness({ handler: () => undefined });
    expect(await h.processor.process(h.scope, [message(0, 'reg')])).toBe(true);
    expect(h.handled).toEqual([['reg']]);
    expect(h.dead).toEqual([]);
    expect(h.retries()).toBe(1);
  });

  it('retries the whole batch on a transient handler failure, never dead-lettering it', async () => {
    let failures = 2;
    const h = harness({
      handler: () => {
        if (failures-- > 0) throw transient('redis busy');
      },
    });
    expect(await h.processor.process(h.scope, [message(0, 'a'), message(1, 'b')])).toBe(true);
    expect(h.handled).toEqual([['a', 'b']]);
    expect(h.dead).toEqual([]);
    expect(h.retries()).toBe(2);
  });

  it('isolates a poison record: it goes to the DLQ, the others are handled', async () => {
    const h = harness({
      handler: (values) => {
        if (values.includes('poison')) throw poison('cannot apply');
      },
    });
    const batch = [message(0, 'a'), message(1, 'poison'), message(2, 'b')];
    expect(await h.processor.process(h.scope, batch)).toBe(true);
    expect(h.handled).toEqual([['a'], ['b']]);
    expect(h.dead).toEqual([{ offset: '1', code: 'POISON' }]);
  });

  it('dead-letters a single failing record without calling the handler again', async () => {
    let calls = 0;
    const h = harness({
      handler: () => {
        calls += 1;
        throw poison('no');
      },
    });
    expect(await h.processor.process(h.scope, [message(5, 'x')])).toBe(true);
    expect(calls).toBe(1);
    expect(h.dead).toEqual([{ offset: '5', code: 'POISON' }]);
  });

  it('reports not done when told to stop while retrying, dead-lettering nothing', async () => {
    const h = harness({
      handler: () => {
        throw transient('still down');
      },
      stopAfterRetries: 3,
    });
    expect(await h.processor.process(h.scope, [message(0, 'a')])).toBe(false);
    expect(h.dead).toEqual([]);
    expect(h.retries()).toBe(3);
  });
});
