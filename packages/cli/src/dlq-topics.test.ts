import { describe, expect, it } from '@jest/globals';
import {
  nextOffset,
  originalHeaders,
  parseDlqTopicName,
  pendingRanges,
  recordCount,
  replayGroupId,
} from './dlq-topics';

describe('parseDlqTopicName', () => {
  it('splits <topic>.dlq.<group>, keeping dots of the topic name', () => {
    expect(parseDlqTopicName('events.v1.dlq.profile-builder')).toEqual({
      dlqTopic: 'events.v1.dlq.profile-builder',
      topic: 'events.v1',
      group: 'profile-builder',
    });
  });

  it('rejects names that are not dead-letter topics', () => {
    expect(parseDlqTopicName('events.v1')).toBeUndefined();
    expect(parseDlqTopicName('.dlq.group')).toBeUndefined();
    expect(parseDlqTopicName('events.v1.dlq.')).toBeUndefined();
  });
});

describe('pendingRanges', () => {
  it('starts at the committed replay offset, or at the first record when nothing was replayed', () => {
    const ranges = pendingRanges([
      { partition: 0, low: '0', high: '5', committed: '-1' },
      { partition: 1, low: '0', high: '5', committed: '3' },
      { partition: 2, low: '0', high: '5', committed: '5' },
    ]);
    expect(ranges).toEqual([
      { partition: 0, from: '0', to: '5', count: 5 },
      { partition: 1, from: '3', to: '5', count: 2 },
    ]);
  });

  it('skips records retention already removed', () => {
    expect(pendingRanges([{ partition: 0, low: '10', high: '12', committed: '4' }])).toEqual([
      { partition: 0, from: '10', to: '12', count: 2 },
    ]);
  });

  it('handles offsets beyond 2^53', () => {
    const high = '9007199254740995';
    expect(
      pendingRanges([{ partition: 0, low: '0', high, committed: '9007199254740993' }]),
    ).toEqual([{ partition: 0, from: '9007199254740993', to: high, count: 2 }]);
  });
});

describe('helpers', () => {
  it('counts records, names the replay group, steps offsets', () => {
    expect(recordCount({ partition: 0, low: '3', high: '10', committed: '-1' })).toBe(7);
    expect(replayGroupId('a.dlq.b')).toBe('pulse-dlq-replay.a.dlq.b');
    expect(nextOffset('41')).toBe('42');
  });

  it('drops only the dead-letter headers', () => {
    expect(
      originalHeaders({
        'pulse.dlq.code': 'X',
        'pulse.dlq.reason': 'y',
        traceparent: 't',
        'x-a': '1',
      }),
    ).toEqual({ traceparent: 't', 'x-a': '1' });
  });
});
