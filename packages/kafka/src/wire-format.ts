import { PulseError } from '@pulse/core';
import { KafkaErrorCode } from './errors';

/**
 * The Confluent wire format: one magic byte (0), the writer schema's registry id as a 4-byte
 * big-endian unsigned integer, then the Avro binary encoding of the value.
 */
export const MAGIC_BYTE = 0;

/** Bytes before the Avro payload: magic byte + schema id. */
export const WIRE_HEADER_LENGTH = 5;

/** A record's bytes split into the writer schema id and the Avro payload. */
export interface Unframed {
  schemaId: number;
  payload: Buffer;
}

/** Prefixes an Avro payload with the magic byte and `schemaId`. */
export function frame(schemaId: number, payload: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff) {
    throw new RangeError(`schema id ${schemaId} does not fit the wire format's 4 unsigned bytes`);
  }
  const out = Buffer.allocUnsafe(WIRE_HEADER_LENGTH + payload.length);
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeUInt32BE(schemaId, 1);
  payload.copy(out, WIRE_HEADER_LENGTH);
  return out;
}

/**
 * Splits framed bytes. Throws non-retriable PulseErrors: `TRUNCATED_RECORD` when there is no
 * value or fewer than 5 bytes, `BAD_MAGIC_BYTE` when the first byte is not 0 (checked first, so
 * a short record of some other format is named for what it is).
 */
export function unframe(buf: Buffer | null | undefined): Unframed {
  if (!buf || buf.length === 0) {
    throw new PulseError(KafkaErrorCode.TRUNCATED_RECORD, 'record has no value (null or empty)');
  }
  const magic = buf.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new PulseError(
      KafkaErrorCode.BAD_MAGIC_BYTE,
      `record starts with byte ${magic}, not the wire format's magic byte ${MAGIC_BYTE}`,
      { details: { magic } },
    );
  }
  if (buf.length < WIRE_HEADER_LENGTH) {
    throw new PulseError(
      KafkaErrorCode.TRUNCATED_RECORD,
      `record has ${buf.length} bytes, fewer than the ${WIRE_HEADER_LENGTH}-byte wire header`,
      { details: { length: buf.length } },
    );
  }
  return { schemaId: buf.readUInt32BE(1), payload: buf.subarray(WIRE_HEADER_LENGTH) };
}
