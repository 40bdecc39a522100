import { describe, expect, it } from '@jest/globals';
import type { AvroField, AvroRecordSchema, AvroSchema } from './avro-schema';
import { toAvroType } from './avro';
import { readFixture } from './fixtures';
import { payloadAs } from './payload';
import { SCHEMAS } from './schemas';

/**
 * BACKWARD compatibility in avsc's own terms: a consumer on the NEW schema must read records
 * written with the OLD one (`reader.createResolver(writer)`). The registry enforces the same
 * rule when a new version is registered; these tests show which edits pass it.
 */

function withField(schema: AvroRecordSchema, field: AvroField): AvroRecordSchema {
  return { ...schema, fields: [...schema.fields, field] };
}

/** Applies `edit` to the named record wherever it is defined inside `schema`. */
function editRecord(
  schema: AvroSchema,
  name: string,
  edit: (record: AvroRecordSchema) => AvroRecordSchema,
): AvroSchema {
  if (Array.isArray(schema)) return schema.map((branch) => editRecord(branch, name, edit));
  if (typeof schema === 'string' || schema.type !== 'record') return schema;
  const fields = schema.fields.map((f) => ({ ...f, type: editRecord(f.type, name, edit) }));
  const record = { ...schema, fields };
  return schema.name === name ? edit(record) : record;
}

describe('schema evolution (BACKWARD)', () => {
  const oldType = toAvroType(SCHEMAS['events.v1']);
  const event = readFixture('events.v1', 'order-completed');
  const oldBytes = oldType.toBuffer(event);

  it('a new nullable field with default null reads old data as null', () => {
    const newSchema = withField(SCHEMAS['events.v1'], {
      name: 'tenantId',
      type: ['null', 'string'],
      default: null,
    });
    const reader = toAvroType(newSchema);
    const decoded: unknown = reader.fromBuffer(oldBytes, reader.createResolver(oldType));
    expect(decoded).toEqual({ ...event, tenantId: null });
  });

  it('a new field inside a payload record, and a new payload branch, still read old data', () => {
    const addField = (r: AvroRecordSchema): AvroRecordSchema =>
      withField(r, { name: 'gift_wrap', type: 'boolean', default: false });
    const edited = editRecord(SCHEMAS['events.v1'], 'OrderPayload', addField);
    const withBranch = editRecord(edited, 'PulseEvent', (r) => ({
      ...r,
      fields: r.fields.map((f) =>
        f.name === 'payload' && Array.isArray(f.type)
          ? { ...f, type: [...f.type, { type: 'record', name: 'ReviewPayload', fields: [] }] }
          : f,
      ),
    }));
    const reader = toAvroType(withBranch);
    const decoded: unknown = reader.fromBuffer(oldBytes, reader.createResolver(oldType));
    const order = payloadAs(event, 'OrderPayload');
    expect(decoded).toEqual({
      ...event,
      payload: { 'pulse.events.OrderPayload': { ...order, gift_wrap: false } },
    });
  });

  it('a new field without a default cannot read old data (so the house rules forbid it)', () => {
    const reader = toAvroType(
      withField(SCHEMAS['events.v1'], { name: 'tenantId', type: 'string' }),
    );
    expect(() => reader.createResolver(oldType)).toThrow(/tenantId/);
  });

  it('a removed field is ignored by the new reader', () => {
    const schema = SCHEMAS['events.v1'];
    const reader = toAvroType({
      ...schema,
      fields: schema.fields.filter((f) => f.name !== 'email'),
    });
    const decoded: unknown = reader.fromBuffer(oldBytes, reader.createResolver(oldType));
    const withoutEmail = Object.fromEntries(Object.entries(event).filter(([k]) => k !== 'email'));
    expect(decoded).toEqual(withoutEmail);
  });
});
