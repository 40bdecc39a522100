import { describe, expect, it } from '@jest/globals';
import { PulseError, describeError, isRetriable } from './errors';

describe('PulseError', () => {
  it('carries code, retriable flag and details', () => {
    const err = new PulseError('KAFKA_DOWN', 'no broker', { retriable: true, details: { b: 1 } });
    expect(err.code).toBe('KAFKA_DOWN');
    expect(isRetriable(err)).toBe(true);
    expect(err.details).toEqual({ b: 1 });
    expect(describeError(err)).toBe('KAFKA_DOWN: no broker');
  });

  it('defaults to not retriable, while unknown errors count as retriable', () => {
    expect(isRetriable(new PulseError('BAD', 'bad input'))).toBe(false);
    expect(isRetriable(new Error('socket hang up'))).toBe(true);
    expect(isRetriable({ retriable: false })).toBe(false);
  });
});
