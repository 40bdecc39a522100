import { describe, expect, it } from '@jest/globals';
import { PulseError } from '@pulse/core';
import {
  DLQ_HEADERS,
  HANDLER_ERROR_CODE,
  deadLetterHeaders,
  errorCodeOf,
  headersToText,
  parseDeadLetterHeaders,
  reasonOf,
} from './dead-letter';

const info = {
  reason: 'bad byte',
  code: 'BAD_MAGIC_BYTE',
  topic: 'events.v1',
  partition: 3,
  offset: '42',
  groupId: 'profile-builder',
  at: Date.UTC(2024, 0, 2, 3, 4, 5),
};

describe('dead-letter headers', () => {
  it('adds every pulse.dlq header after the original ones', () => {
    const headers = deadLetterHeaders(info, { traceparent: 'abc', [DLQ_HEADERS.code]: 'OLD' });
    expect(headers).toEqual({
      traceparent: 'abc',
      'pulse.dlq.reason': 'bad byte',
      'pulse.dlq.code': 'BAD_MAGIC_BYTE',
      'pulse.dlq.topic': 'events.v1',
      'pulse.dlq.partition': '3',
      'pulse.dlq.offset': '42',
      'pulse.dlq.group': 'profile-builder',
      'pulse.dlq.at': '2024-01-02T03:04:05.000Z',
    });
  });

  it('parses back what it wrote, from text or bytes', () => {
    const asBytes = Object.fromEntries(
      Object.entries(deadLetterHeaders(info)).map(([k, v]) => [k, Buffer.from(String(v))]),
    );
    expect(parseDeadLetterHeaders(asBytes)).toEqual(info);
    expect(parseDeadLetterHeaders({ [DLQ_HEADERS.code]: 'X' })).toBeUndefined();
  });

  it('codes errors by PulseError code, a string code, or HANDLER_ERROR', () => {
    expect(errorCodeOf(new PulseError('PROFILE_INVALID', 'x'))).toBe('PROFILE_INVALID');
    expect(errorCodeOf(Object.assign(new Error('x'), { code: 'ERR_X' }))).toBe('ERR_X');
    expect(errorCodeOf(new Error('x'))).toBe(HANDLER_ERROR_CODE);
    expect(errorCodeOf('just a string')).toBe(HANDLER_ERROR_CODE);
  });

  it('bounds the reason length', () => {
    expect(reasonOf(new Error('short'))).toBe('short');
    expect(reasonOf(new Error('x'.repeat(5000))).length).toBe(1000);
  });

  it('turns headers into text, the last repeated value winning', () => {
    expect(
      headersToText({ a: Buffer.from('1'), b: ['2', Buffer.from('3')], c: undefined }),
    ).toEqual({
      a: '1',
      b: '3',
    });
    expect(headersToText(undefined)).toEqual({});
  });
});
