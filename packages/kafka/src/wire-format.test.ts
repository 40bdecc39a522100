import { describe, expect, it } from '@jest/globals';
import { PulseError, isRetriable } from '@pulse/core';
import { KafkaErrorCode } from './errors';
import { MAGIC_BYTE, WIRE_HEADER_LENGTH, frame, unframe } from './wire-format';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(isRetriable(err)).toBe(false);
    return err instanceof PulseError ? err.code : undefined;
  }
  return undefined;
}

describe('wire format', () => {
  it('frames as magic byte 0, 4-byte big-endian id, then the payload', () => {
    const framed = frame(0x01020304, Buffer.from([0xaa, 0xbb]));
    expect([...framed]).toEqual([MAGIC_BYTE, 1, 2, 3, 4, 0xaa, 0xbb]);
  });

  it('unframes what it framed, including ids above 2^31 and empty payloads', () => {
    for (const id of [0, 1, 42, 0x7fffffff, 0xffffffff]) {
      const { schemaId, payload } = unframe(frame(id, Buffer.from('avro')));
      expect(schemaId).toBe(id);
      expect(payload.toString()).toBe('avro');
    }
    expect(unframe(frame(7, Buffer.alloc(0))).payload.length).toBe(0);
  });

  it('refuses ids that do not fit 4 unsigned bytes', () => {
    expect(() => frame(-1, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => frame(2 ** 32, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => frame(1.5, Buffer.alloc(0))).toThrow(RangeError);
  });

  it('names a wrong first byte BAD_MAGIC_BYTE, even when the record is also short', () => {
    expect(codeOf(() => unframe(Buffer.from('{"json":true}')))).toBe(KafkaErrorCode.BAD_MAGIC_BYTE);
    expect(codeOf(() => unframe(Buffer.from([1, 0])))).toBe(KafkaErrorCode.BAD_MAGIC_BYTE);
  });

  it('names null, empty and header-short records TRUNCATED_RECORD', () => {
    expect(codeOf(() => unframe(null))).toBe(KafkaErrorCode.TRUNCATED_RECORD);
    expect(codeOf(() => unframe(Buffer.alloc(0)))).toBe(KafkaErrorCode.TRUNCATED_RECORD);
    const short = Buffer.from([0, 0, 0, 1]);
    expect(short.length).toBeLessThan(WIRE_HEADER_LENGTH);
    expect(codeOf(() => unframe(short))).toBe(KafkaErrorCode.TRUNCATED_RECORD);
  });
});
