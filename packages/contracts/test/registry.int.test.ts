import { afterAll, describe, expect, it } from '@jest/globals';
import { SCHEMAS, parseSchemaJson, subjectFor, toAvroType } from '../src';
import type { AvroField, AvroRecordSchema, SchemaTopicName } from '../src';
import { getStack, randomName } from '@pulse/testkit';

/**
 * The real schema registry (Apicurio, Confluent API) accepts every Pulse schema and enforces the
 * evolution rules the README states. Apicurio's Avro parser is not avsc's, so this catches
 * schemas only one of them accepts (e.g. Apicurio refuses a string default of "{}").
 */

const HEADERS = { 'Content-Type': 'application/vnd.schemaregistry.v1+json' };
const registry = getStack().schemaRegistryUrl;
const subjects: string[] = [];

async function register(subject: string, schema: AvroRecordSchema): Promise<Response> {
  subjects.push(subject);
  return fetch(`${registry}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ schemaType: 'AVRO', schema: JSON.stringify(schema) }),
  });
}

function withField(schema: AvroRecordSchema, field: AvroField): AvroRecordSchema {
  return { ...schema, fields: [...schema.fields, field] };
}

afterAll(async () => {
  for (const subject of new Set(subjects)) {
    const url = `${registry}/subjects/${encodeURIComponent(subject)}`;
    await fetch(url, { method: 'DELETE' });
    await fetch(`${url}?permanent=true`, { method: 'DELETE' });
  }
});

describe('schemas in the registry', () => {
  const topics = Object.keys(SCHEMAS) as SchemaTopicName[]; // keys of a Record<SchemaTopicName, _>

  it.each(topics)('%s registers, and reads back as the same avsc type', async (topic) => {
    const response = await register(subjectFor(randomName(topic)), SCHEMAS[topic]);
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: number }; // the registry's documented answer
    const stored = await fetch(`${registry}/schemas/ids/${id}`);
    const { schema } = (await stored.json()) as { schema: string }; // documented answer again
    expect(toAvroType(parseSchemaJson(schema)).equals(toAvroType(SCHEMAS[topic]))).toBe(true);
  });

  it('accepts a new field with a null default and refuses one without a default', async () => {
    const subject = subjectFor(randomName('events.v1'));
    const v1 = SCHEMAS['events.v1'];
    expect((await register(subject, v1)).status).toBe(200);
    const optional: AvroField = { name: 'tenantId', type: ['null', 'string'], default: null };
    expect((await register(subject, withField(v1, optional))).status).toBe(200);
    const required: AvroField = { name: 'region', type: 'string' };
    const refused = await register(subject, withField(withField(v1, optional), required));
    expect(refused.status).toBe(409);
  });
});
