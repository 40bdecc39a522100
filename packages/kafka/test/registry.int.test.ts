import { afterAll, describe, expect, it } from '@jest/globals';
import { subjectFor, type AvroField, type AvroSchema } from '@pulse/contracts';
import { PulseError, isRetriable } from '@pulse/core';
import { getStack, randomName } from '@pulse/testkit';
import { KafkaErrorCode, createAvroSerde, createSchemaRegistry } from '../src/index';

const base = (extra: AvroField[]): AvroSchema => ({
  type: 'record',
  name: 'Evolving',
  namespace: 'pulse.test',
  fields: [{ name: 'id', type: 'string' }, ...extra],
});

describe('schema registry (Apicurio, Confluent API)', () => {
  const registry = createSchemaRegistry({ url: getStack().schemaRegistryUrl });
  const topic = randomName('registry');
  const subject = subjectFor(topic);
  afterAll(async () => {
    await registry.deleteSubject(subject);
  }, 60_000);

  it('accepts a compatible evolution and refuses an incompatible one with SCHEMA_INCOMPATIBLE', async () => {
    const v1 = base([]);
    const v2 = base([{ name: 'tag', type: 'string', default: 'none' }]);
    const v3 = base([
      { name: 'tag', type: 'string', default: 'none' },
      { name: 'required', type: 'string' },
    ]);
    const id1 = await registry.register(subject, v1);
    expect(await registry.register(subject, v1)).toBe(id1);

    expect(await registry.checkCompatibility(subject, v2)).toBe(true);
    const id2 = await registry.register(subject, v2);
    expect(id2).not.toBe(id1);

    expect(await registry.checkCompatibility(subject, v3)).toBe(false);
    const refused = await registry.register(subject, v3).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(PulseError);
    expect(refused).toMatchObject({ code: KafkaErrorCode.SCHEMA_INCOMPATIBLE });
    expect(isRetriable(refused)).toBe(false);
    // The registry's reason is in the message, so a person sees which field broke it.
    expect(String(refused instanceof Error ? refused.message : '')).toMatch(/incompatib/i);

    expect(await registry.getById(id2)).toEqual(v2);
  });

  it('decodes a v1 record with a v2 reader through a fresh client (writer schema fetched by id)', async () => {
    const v1 = base([]);
    const v2 = base([{ name: 'tag', type: 'string', default: 'none' }]);
    const writer = createAvroSerde({ registry });
    const bytes = (await writer.encoder<{ id: string }>(topic, v1))({ id: 'abc' });
    const reader = createAvroSerde({
      registry: createSchemaRegistry({ url: getStack().schemaRegistryUrl }),
    });
    const decoded = await reader.decode<{ id: string; tag: string }>(bytes, { readerSchema: v2 });
    expect(decoded.value).toEqual({ id: 'abc', tag: 'none' });
    expect(decoded.schemaId).toBe(bytes.readUInt32BE(1));
  });

  it('names an id the registry never issued UNKNOWN_SCHEMA_ID', async () => {
    const err = await registry.getById(0x7ffffff1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: KafkaErrorCode.UNKNOWN_SCHEMA_ID, retriable: false });
  });
});
