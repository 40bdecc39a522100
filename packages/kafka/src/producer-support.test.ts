import { describe, expect, it } from '@jest/globals';
import { TOPICS, TOPIC_SPECS } from '@pulse/contracts';
import { assignOffsets, groupByTopic, schemaLookup } from './producer-support';

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
