import { describe, expect, it } from '@jest/globals';
import { PulseError, isRetriable } from '@pulse/core';
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { KafkaErrorCode, toPulseError } from './errors';

function protocolError(type: string, retriable: boolean): KafkaJSProtocolError {
  // kafkajs builds protocol errors from its code table entry: {type, code, retriable, message}.
  const entry = Object.assign(new Error(`${type} happened`), { type, code: 1, retriable });
  return new KafkaJSProtocolError(entry);
}

describe('toPulseError', () => {
  it('keeps kafkajs retriable flag and names the class in the code', () => {
    const conn = toPulseError(new KafkaJSConnectionError('connect ECONNREFUSED'));
    expect(conn.code).toBe('KAFKA_CONNECTION_ERROR');
    expect(isRetriable(conn)).toBe(true);
    const fatal = toPulseError(new KafkaJSNonRetriableError('bad config'));
    expect(fatal.code).toBe('KAFKA_NON_RETRIABLE_ERROR');
    expect(isRetriable(fatal)).toBe(false);
  });

  it('uses the protocol error type as code', () => {
    const seq = toPulseError(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', false), 'send');
    expect(seq.code).toBe('KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(seq.message).toBe('send: OUT_OF_ORDER_SEQUENCE_NUMBER happened');
    expect(isRetriable(seq)).toBe(false);
    expect(isRetriable(toPulseError(protocolError('NOT_LEADER_FOR_PARTITION', true)))).toBe(true);
  });

  it('reads retries-exceeded as retriable as the failure that exhausted them', () => {
    const transient = new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('down'), {
      retryCount: 5,
      retryTime: 1000,
    });
    const mapped = toPulseError(transient);
    expect(mapped.code).toBe('KAFKA_CONNECTION_ERROR');
    expect(isRetriable(mapped)).toBe(true);
    const hopeless = new KafkaJSNumberOfRetriesExceeded(protocolError('MESSAGE_TOO_LARGE', false), {
      retryCount: 0,
      retryTime: 0,
    });
    expect(isRetriable(toPulseError(hopeless))).toBe(false);
  });

  it('passes PulseErrors through and treats foreign errors as transient', () => {
    const own = new PulseError('X', 'mine');
    expect(toPulseError(own)).toBe(own);
    const foreign = toPulseError(new TypeError('socket hang up'));
    expect(foreign.code).toBe(KafkaErrorCode.KAFKA_ERROR);
    expect(isRetriable(foreign)).toBe(true);
  });
});
