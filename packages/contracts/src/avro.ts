import { Type } from 'avsc';
import type { Schema } from 'avsc';
import type { AvroSchema } from './avro-schema';
import { AVRO_PARSE_OPTIONS } from './generated';

/**
 * The one way to turn a schema into an avsc `Type` in Pulse. It parses with the options the
 * generated types were derived from, so decoded values are exactly those types:
 * - `["null", X]` unions are plain `X | null`; the event payload union is wrapped
 *   (`{ 'pulse.events.OrderPayload': {...} }`, see `unwrapPayload`);
 * - `timestamp-millis` longs are numbers of epoch milliseconds, not `Date`s (no logical types
 *   are registered, which also keeps replayed records byte-identical);
 * - records decode as avsc record instances: compare them with `toEqual`, not `toStrictEqual`.
 *
 * To read records written with another (older) version of a schema, build the writer's type
 * with this function too and decode through the reader: `reader.fromBuffer(buf,
 * reader.createResolver(writer))`.
 */
export function toAvroType(schema: AvroSchema): Type {
  // AvroSchema and avsc's Schema describe the same JSON; avsc's narrower typing rejects the
  // nested arrays AvroSchema's recursion permits (avsc itself rejects them at run time).
  return Type.forSchema(schema as Schema, { ...AVRO_PARSE_OPTIONS });
}

/**
 * Parses schema text (e.g. a schema fetched from the registry by id) and checks that avsc
 * accepts it. Throws a SyntaxError on bad JSON and avsc's error on an invalid schema.
 */
export function parseSchemaJson(text: string): AvroSchema {
  const parsed: unknown = JSON.parse(text);
  // Checked on the next line: forSchema throws unless the JSON is a valid Avro schema.
  const schema = parsed as AvroSchema;
  toAvroType(schema);
  return schema;
}
