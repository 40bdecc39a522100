import { describe, expect, it } from '@jest/globals';
import { TOPICS, TOPIC_SPECS } from '@pulse/contracts';
import { assignOffsets, groupByTopic, schemaLookup, splitByBytes } from './producer-support';

describe('assignOffsets', () => {
  it('numbers records of each partition from its base offset, in send order', () => {
    const offsets = assignOffsets(
      [
        { topic: 'a', partition: 0 },
        { topic: 'a', partition: 1 },
        { topic: 'b', partition: 0 },
        { topic: 'a', partition: 0 },
        { topic: 'a', partition: 0 },
      ],
      [
        { topicName: 'a', partition: 0, errorCode: 0, baseOffset: '10' },
        { topicName: 'a', partition: 1, errorCode: 0, baseOffset: '5' },
        { topicName: 'b', partition: 0, errorCode: 0, baseOffset: '9007199254740993' },
      ],
    );
    expect(offsets.map((o) => o && `${o.topic}/${o.partition}@${o.offset}`)).toEqual([
      'a/0@10',
      'a/1@5',
      'b/0@9007199254740993',
      'a/0@11',
      'a/0@12',
    ]);
  });

  it('leaves records it cannot place undefined', () => {
    const offsets = assignOffsets(
      [
        { topic: 'a', partition: undefined },
        { topic: 'a', partition: 3 },
      ],
      [{ topicName: 'a', partition: 0, errorCode: 0, baseOffset: '1' }],
    );
    expect(offsets).toEqual([undefined, undefined]);
  });
});

describe('groupByTopic', () => {
  it('groups messages per topic, each topic keeping call order', () => {
    const m = (v: string) => ({ value: v });
    const grouped = groupByTopic([
      { topic: 'x', message: m('1') },
      { topic: 'y', message: m('2') },
      { topic: 'x', message: m('3') },
    ]);
    expect(grouped).toEqual([
      { topic: 'x', messages: [m('1'), m('3')] },
      { topic: 'y', messages: [m('2')] },
    ]);
  });
});

describe('schemaLookup', () => {
  it('reads maps, records and functions', () => {
    expect(schemaLookup(new Map([['t', 'string']]))('t')).toBe('string');
    expect(schemaLookup({ t: 'long' })('t')).toBe('long');
    expect(schemaLookup({ t: 'long' })('toString')).toBeUndefined();
    expect(schemaLookup((topic) => (topic === 't' ? 'int' : undefined))('t')).toBe('int');
  });

  it('defaults to the contracts topic specs', () => {
    const events = TOPIC_SPECS.find((s) => s.topic === TOPICS.events);
    expect(schemaLookup()(TOPICS.events)).toBe(events?.schema);
    expect(schemaLookup()('no-such-topic')).toBeUndefined();
  });
});

describe('splitByBytes', () => {
  const item = (bytes: number) => ({ message: { key: null, value: Buffer.alloc(bytes) } });

  it('keeps each run within the byte limit, in order', () => {
    const items = [item(400), item(400), item(400), item(100)];
    const parts = splitByBytes(items, 900);
    expect(parts.map((p) => p.length)).toEqual([2, 2]);
    expect(parts.flat()).toEqual(items);
  });

  it('sends a record bigger than the limit alone rather than never', () => {
    expect(splitByBytes([item(10), item(2_000), item(10)], 1_000).map((p) => p.length)).toEqual([
      1, 1, 1,
    ]);
  });

  it('counts keys as well as values', () => {
    const keyed = { message: { key: 'x'.repeat(600), value: Buffer.alloc(400) } };
    expect(splitByBytes([keyed, keyed], 1_500)).toHaveLength(2);
  });
});
