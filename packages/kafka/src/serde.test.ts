import { describe, expect, it } from '@jest/globals';
import { toAvroType, type AvroSchema } from '@pulse/contracts';
import { PulseError, isRetriable } from '@pulse/core';
import { KafkaErrorCode } from './errors';
import type { SchemaRegistry } from './schema-registry';
import { createAvroSerde } from './serde';
import { frame } from './wire-format';

/** An in-process registry: ids in registration order, every schema compatible. */
function memoryRegistry(): SchemaRegistry & { registrations: number; down: boolean } {
  const schemas: AvroSchema[] = [];
  const state = {
    registrations: 0,
    down: false,
    async register(_subject: string, schema: AvroSchema) {
      state.registrations += 1;
      const known = schemas.findIndex((s) => JSON.stringify(s) === JSON.stringify(schema));
      if (known >= 0) return known + 1;
      schemas.push(schema);
      return schemas.length;
    },
    async getById(id: number) {
      if (state.down)
        throw new PulseError(KafkaErrorCode.REGISTRY_UNAVAILABLE, 'down', { retriable: true });
      const schema = schemas[id - 1];
      if (!schema) throw new PulseError(KafkaErrorCode.UNKNOWN_SCHEMA_ID, `no ${id}`);
      return schema;
    },
    async getTypeById(id: number) {
      return toAvroType(await state.getById(id));
    },
    async checkCompatibility() {
      return true;
    },
    async deleteSubject() {},
  };
  return state;
}

const v1: AvroSchema = {
  type: 'record',
  name: 'Thing',
  namespace: 'test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'int' },
  ],
};
const v2: AvroSchema = {
  type: 'record',
  name: 'Thing',
  namespace: 'test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'int' },
    { name: 'tag', type: 'string', default: 'none' },
  ],
};

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; retriable: boolean }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof PulseError)) throw new Error(`expected a PulseError, got ${String(err)}`);
  return { code: err.code, retriable: isRetriable(err) };
}

describe('Avro serde', () => {
  it('keeps every encoded record intact across slab boundaries, big records included', async () => {
    const serde = createAvroSerde({ registry: memoryRegistry() });
    const encode = await serde.encoder<{ id: string; n: number }>('things', v1);
    // ~3 KB each: 300 of them span several 256 KB slabs; one 600 KB record needs its own.
    const values = Array.from({ length: 300 }, (_, i) => ({
      id: `${i}:${'x'.repeat(3000)}`,
      n: i,
    }));
    values.splice(150, 0, { id: 'y'.repeat(600_000), n: -1 });
    const encoded = values.map((v) => encode(v));
    const decoded = await Promise.all(encoded.map((b) => serde.decode(b)));
    expect(decoded.map((d) => d.value)).toEqual(values);
    expect(decoded.every((d) => d.schemaId === 1)).toBe(true);
  });

  it('round-trips values through the wire format, registering the schema once', async () => {
    const registry = memoryRegistry();
    const serde = createAvroSerde({ registry });
    const encode = await serde.encoder<{ id: string; n: number }>('things', v1);
    await serde.encoder('things', v1);
    const buf = encode({ id: 'a', n: 1 });
    expect(buf[0]).toBe(0);
    expect(buf.readUInt32BE(1)).toBe(1);
    expect(await serde.decode(buf)).toEqual({ schemaId: 1, value: { id: 'a', n: 1 } });
    expect(registry.registrations).toBe(1);
  });

  it('reads old records with a newer reader schema (defaults fill new fields)', async () => {
    const serde = createAvroSerde({ registry: memoryRegistry() });
    const old = (await serde.encoder('things', v1))({ id: 'a', n: 2 });
    const decoded = await serde.decode(old, { readerSchema: v2 });
    expect(decoded.value).toEqual({ id: 'a', n: 2, tag: 'none' });
  });

  it('refuses values that do not fit the schema, naming the field', async () => {
    const serde = createAvroSerde({ registry: memoryRegistry() });
    const encode = await serde.encoder<unknown>('things', v1);
    let err: unknown;
    try {
      encode({ id: 'a', n: 'not a number' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PulseError);
    expect(err).toMatchObject({
      code: KafkaErrorCode.AVRO_ENCODE_FAILED,
      retriable: false,
      message: expect.stringContaining(' at n'),
    });
  });

  it('classifies undecodable bytes with non-retriable codes', async () => {
    const registry = memoryRegistry();
    const serde = createAvroSerde({ registry });
    await serde.encoder('things', v1);
    expect(await codeOf(serde.decode(Buffer.from('garbage')))).toEqual({
      code: KafkaErrorCode.BAD_MAGIC_BYTE,
      retriable: false,
    });
    expect(await codeOf(serde.decode(Buffer.from([0, 0])))).toEqual({
      code: KafkaErrorCode.TRUNCATED_RECORD,
      retriable: false,
    });
    expect(await codeOf(serde.decode(frame(999, Buffer.from([2]))))).toEqual({
      code: KafkaErrorCode.UNKNOWN_SCHEMA_ID,
      retriable: false,
    });
    expect(await codeOf(serde.decode(frame(1, Buffer.from([0xff, 0xff, 0xff]))))).toEqual({
      code: KafkaErrorCode.AVRO_DECODE_FAILED,
      retriable: false,
    });
    const incompatibleReader: AvroSchema = {
      type: 'record',
      name: 'Thing',
      namespace: 'test',
      fields: [{ name: 'x', type: 'long' }],
    };
    const ok = (await serde.encoder('things', v1))({ id: 'a', n: 1 });
    expect(await codeOf(serde.decode(ok, { readerSchema: incompatibleReader }))).toEqual({
      code: KafkaErrorCode.AVRO_DECODE_FAILED,
      retriable: false,
    });
  });

  it('passes a registry outage on as retriable', async () => {
    const registry = memoryRegistry();
    const serde = createAvroSerde({ registry });
    const buf = (await serde.encoder('things', v1))({ id: 'a', n: 1 });
    registry.down = true;
    expect(await codeOf(serde.decode(buf))).toEqual({
      code: KafkaErrorCode.REGISTRY_UNAVAILABLE,
      retriable: true,
    });
  });
});
