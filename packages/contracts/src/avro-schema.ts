/**
 * The JSON shape of an Avro schema (the subset of the specification Pulse writes). The `.avsc`
 * files and the generated `*_SCHEMA` constants are values of these types.
 */

/** A JSON value, as Avro allows in defaults. */
export type AvroJson = null | boolean | number | string | AvroJson[] | { [key: string]: AvroJson };

/** Avro's primitive type names. */
export type AvroPrimitiveName =
  'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

/** A primitive written as an object, usually to attach a logical type. */
export interface AvroPrimitiveSchema {
  type: AvroPrimitiveName;
  logicalType?: string;
  precision?: number;
  scale?: number;
}

/** One field of a record. */
export interface AvroField {
  name: string;
  type: AvroSchema;
  doc?: string;
  default?: AvroJson;
  order?: 'ascending' | 'descending' | 'ignore';
  aliases?: string[];
}

/** A record (the root of every Pulse topic schema). */
export interface AvroRecordSchema {
  type: 'record' | 'error';
  name: string;
  namespace?: string;
  doc?: string;
  aliases?: string[];
  fields: AvroField[];
}

/** An enum; `default` is the symbol a reader uses for a symbol it does not know. */
export interface AvroEnumSchema {
  type: 'enum';
  name: string;
  namespace?: string;
  doc?: string;
  aliases?: string[];
  symbols: string[];
  default?: string;
}

export interface AvroArraySchema {
  type: 'array';
  items: AvroSchema;
}

export interface AvroMapSchema {
  type: 'map';
  values: AvroSchema;
}

export interface AvroFixedSchema {
  type: 'fixed';
  name: string;
  namespace?: string;
  aliases?: string[];
  size: number;
  logicalType?: string;
}

/**
 * Any Avro schema: a type name (primitive or a named type defined earlier), an object, or a
 * union written as an array of branches.
 */
export type AvroSchema =
  | string
  | AvroPrimitiveSchema
  | AvroRecordSchema
  | AvroEnumSchema
  | AvroArraySchema
  | AvroMapSchema
  | AvroFixedSchema
  | AvroSchema[];
