import type { Resolver, Type } from 'avsc';
import { subjectFor, toAvroType, type AvroSchema } from '@pulse/contracts';
import { PulseError } from '@pulse/core';
import { KafkaErrorCode } from './errors';
import type { SchemaRegistry } from './schema-registry';
import { MAGIC_BYTE, WIRE_HEADER_LENGTH, unframe } from './wire-format';

export interface AvroSerdeOptions {
  /** Where writer schemas are registered and looked up by id. */
  registry: SchemaRegistry;
}

/** Turns a value into framed bytes; throws `AVRO_ENCODE_FAILED` when it misfits the schema. */
export type Encoder<T> = (value: T) => Buffer;

/** A decoded record value and the id of the schema it was written with. */
export interface Decoded<T = unknown> {
  schemaId: number;
  value: T;
}

export interface DecodeOptions {
  /**
   * Read with this schema instead of the writer's (Avro schema resolution): a consumer sees the
   * shape of the schema version it was built against. Pass the same object each time; the
   * resolver is cached per (reader object, writer id).
   */
  readerSchema?: AvroSchema;
}

/** Avro + Confluent wire format, with schemas registered and resolved through the registry. */
export interface AvroSerde {
  /**
   * An encoder for `topic`: registers `schema` under `subjectFor(topic)` once (cached; an
   * incompatible schema fails here with `SCHEMA_INCOMPATIBLE`). Cached by schema object: pass
   * the same object each time (a fresh but equal object registers again, idempotently).
   */
  encoder<T>(topic: string, schema: AvroSchema): Promise<Encoder<T>>;
  /**
   * Decodes framed bytes, resolving the writer schema by id. Non-retriable PulseErrors for
   * bytes that will never decode (`BAD_MAGIC_BYTE`, `TRUNCATED_RECORD`, `UNKNOWN_SCHEMA_ID`,
   * `AVRO_DECODE_FAILED`); retriable `REGISTRY_UNAVAILABLE` when the registry is unreachable.
   */
  decode<T = unknown>(buf: Buffer | null, options?: DecodeOptions): Promise<Decoded<T>>;
  /**
   * The same without a promise when the writer schema is already known (every record after a
   * schema's first): `undefined` means "not cached yet, call decode". Throws what decode rejects.
   */
  decodeKnown<T = unknown>(buf: Buffer | null, options?: DecodeOptions): Decoded<T> | undefined;
}

/** Paths of the fields that make `value` invalid, for an error message a person can act on. */
function invalidPaths(type: Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, {
    errorHook: (path) => {
      paths.push(path.length > 0 ? path.join('.') : '(root)');
    },
  });
  return paths;
}

/** Size of the slabs records are encoded into; a bigger record gets a slab of its own size. */
const SLAB_BYTES = 256 * 1024;

/**
 * Encodes each record straight into a shared slab, behind its 5-byte wire header, and returns a
 * view of it: no per-record allocation of bytes and no copy (the slab is released once the last
 * view of it is). A value that does not fit the slab's rest starts a new slab.
 */
function makeEncoder<T>(topic: string, schemaId: number, type: Type): Encoder<T> {
  let slab = Buffer.allocUnsafe(SLAB_BYTES);
  let used = 0;
  const fail = (value: T, err: unknown): PulseError => {
    const paths = invalidPaths(type, value);
    return new PulseError(
      KafkaErrorCode.AVRO_ENCODE_FAILED,
      `value for ${topic} does not match schema ${schemaId}` +
        (paths.length > 0 ? ` at ${paths.join(', ')}` : `: ${String(err)}`),
      { cause: err, details: { topic, schemaId, paths } },
    );
  };
  const encodeAt = (value: T): number => {
    try {
      return type.encode(value, slab, used + WIRE_HEADER_LENGTH);
    } catch (err) {
      throw fail(value, err);
    }
  };
  return (value: T): Buffer => {
    let end = encodeAt(value);
    if (end < 0) {
      // avsc returns minus the missing length: a fresh slab, big enough, and write again.
      const needed = WIRE_HEADER_LENGTH + (slab.length - used - WIRE_HEADER_LENGTH) - end;
      slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, needed));
      used = 0;
      end = encodeAt(value);
    }
    slab[used] = MAGIC_BYTE;
    slab.writeUInt32BE(schemaId, used + 1);
    const view = slab.subarray(used, end);
    used = end;
    return view;
  };
}

function decodeFailed(schemaId: number, err: unknown): PulseError {
  return new PulseError(
    KafkaErrorCode.AVRO_DECODE_FAILED,
    `Avro payload does not decode with schema ${schemaId}: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err, details: { schemaId } },
  );
}

/** Creates the serde; one per process is enough (it caches everything it learns). */
export function createAvroSerde(options: AvroSerdeOptions): AvroSerde {
  const { registry } = options;
  const encoders = new Map<string, Promise<Encoder<unknown>>>();
  const readers = new WeakMap<object, Type>();
  const readerByName = new Map<string, Type>();
  // `null`: the reader's schema is the writer's, so the payload decodes without a resolver.
  const resolvers = new WeakMap<Type, Map<number, Resolver | null>>();
  const writerTypes = new Map<number, Type>();

  function readerType(schema: AvroSchema): Type {
    const known = typeof schema === 'object' ? readers.get(schema) : readerByName.get(schema);
    if (known) return known;
    const type = toAvroType(schema);
    if (typeof schema === 'object') readers.set(schema, type);
    else readerByName.set(schema, type);
    return type;
  }

  function resolverFor(reader: Type, writer: Type, schemaId: number): Resolver | null {
    let byId = resolvers.get(reader);
    if (!byId) {
      byId = new Map();
      resolvers.set(reader, byId);
    }
    let resolver = byId.get(schemaId);
    if (resolver === undefined) {
      try {
        // Identical canonical forms (the common case: a consumer built against the schema its
        // producer writes) read straight: a resolver costs about half again per record.
        resolver = reader.fingerprint().equals(writer.fingerprint())
          ? null
          : reader.createResolver(writer);
      } catch (err) {
        throw decodeFailed(schemaId, err);
      }
      byId.set(schemaId, resolver);
    }
    return resolver;
  }

  /** Encoders by schema object (identity: no stringify per send) or by named-type string. */
  const encodersBySchema = new WeakMap<object, Map<string, Promise<Encoder<unknown>>>>();

  function encoderCache(schema: AvroSchema): Map<string, Promise<Encoder<unknown>>> {
    if (typeof schema !== 'object') return encoders;
    let byTopic = encodersBySchema.get(schema);
    if (!byTopic) {
      byTopic = new Map();
      encodersBySchema.set(schema, byTopic);
    }
    return byTopic;
  }

  async function encoder<T>(topic: string, schema: AvroSchema): Promise<Encoder<T>> {
    const cache = encoderCache(schema);
    const key = typeof schema === 'object' ? topic : `${topic}\u0000${schema}`;
    let cached = cache.get(key);
    if (!cached) {
      cached = (async () => {
        const type = toAvroType(schema);
        const id = await registry.register(subjectFor(topic), schema);
        return makeEncoder<unknown>(topic, id, type);
      })();
      cache.set(key, cached);
      cached.catch(() => cache.delete(key));
    }
    // An Encoder<unknown> accepts every T: the Avro type, not TypeScript, checks the value.
    return cached as Promise<Encoder<T>>;
  }

  function decodeWith<T>(
    schemaId: number,
    payload: Buffer,
    writer: Type,
    decodeOptions: DecodeOptions,
  ): Decoded<T> {
    const reader = decodeOptions.readerSchema ? readerType(decodeOptions.readerSchema) : undefined;
    const resolver = reader ? resolverFor(reader, writer, schemaId) : null;
    try {
      const value: unknown = resolver
        ? (reader ?? writer).fromBuffer(payload, resolver)
        : (reader ?? writer).fromBuffer(payload);
      // The decoded value has the reader schema's shape; T is the caller's name for that shape.
      return { schemaId, value: value as T };
    } catch (err) {
      throw decodeFailed(schemaId, err);
    }
  }

  function decodeKnown<T>(
    buf: Buffer | null,
    decodeOptions: DecodeOptions = {},
  ): Decoded<T> | undefined {
    const { schemaId, payload } = unframe(buf);
    const writer = writerTypes.get(schemaId);
    return writer ? decodeWith<T>(schemaId, payload, writer, decodeOptions) : undefined;
  }

  async function decode<T>(
    buf: Buffer | null,
    decodeOptions: DecodeOptions = {},
  ): Promise<Decoded<T>> {
    const { schemaId, payload } = unframe(buf);
    // Writer types never change meaning: after the first lookup, no await per record.
    let writer = writerTypes.get(schemaId);
    if (!writer) {
      writer = await registry.getTypeById(schemaId);
      writerTypes.set(schemaId, writer);
    }
    return decodeWith<T>(schemaId, payload, writer, decodeOptions);
  }

  return { encoder, decode, decodeKnown };
}
