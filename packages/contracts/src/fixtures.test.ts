import { describe, expect, it } from '@jest/globals';
import { toAvroType } from './avro';
import { CATALOG_PAYLOADS, checkEventPayload } from './event-catalog';
import { fixtureNames, readFixture } from './fixtures';
import { payloadAs, unwrapPayload } from './payload';
import { SCHEMAS } from './schemas';
import type { SchemaTopicName } from './topics';
import { validateRecord } from './validate';

const schemaTopics = Object.keys(SCHEMAS) as SchemaTopicName[]; // keys of a Record<SchemaTopicName, _>
const cases = schemaTopics.flatMap((topic) => fixtureNames(topic).map((name) => [topic, name]));

describe('fixtures', () => {
  it.each(cases)('%s %s is valid and round-trips through Avro unchanged', (topic, name) => {
    const t = topic as SchemaTopicName; // it.each loses the tuple's element types
    const type = toAvroType(SCHEMAS[t]);
    const record = readFixture(t, name);
    expect(validateRecord(type, record)).toEqual([]);
    const decoded: unknown = type.fromBuffer(type.toBuffer(record));
    expect(decoded).toEqual(record);
    expect(JSON.parse(JSON.stringify(decoded))).toStrictEqual(record);
  });

  it.each(fixtureNames('events.v1'))('event %s carries the payload its type calls for', (name) => {
    expect(checkEventPayload(readFixture('events.v1', name))).toEqual([]);
  });

  it('cover every catalogue event type, every kind and every payload branch', () => {
    const events = fixtureNames('events.v1').map((name) => readFixture('events.v1', name));
    const types = new Set(events.map((e) => e.type));
    for (const type of Object.keys(CATALOG_PAYLOADS)) expect(types).toContain(type);
    const kinds = new Set(events.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['alias', 'group', 'identify', 'page', 'screen', 'track']);
    const branches = new Set(events.map((e) => unwrapPayload(e.payload).name));
    expect(branches.size).toBe(10);
  });

  it('every topic has at least one fixture', () => {
    for (const topic of schemaTopics) expect(fixtureNames(topic).length).toBeGreaterThan(0);
  });
});

describe('validateRecord', () => {
  it('names each field that does not fit, including undeclared ones', () => {
    const type = toAvroType(SCHEMAS['emails.v1']);
    const record = { ...readFixture('emails.v1', 'sent'), outcome: 'bounced', at: 'yesterday' };
    const problems = validateRecord(type, { ...record, colour: 'red' });
    expect(problems.map((p) => p.path).sort()).toEqual(['at', 'colour', 'outcome']);
    expect(problems.find((p) => p.path === 'colour')?.message).toBe(
      'not a field of pulse.emails.EmailRecord',
    );
    expect(problems.find((p) => p.path === 'outcome')?.message).toBe(
      'expected pulse.emails.EmailOutcome, got "bounced"',
    );
  });

  it('finds problems deep inside the wrapped payload', () => {
    const type = toAvroType(SCHEMAS['events.v1']);
    const event = readFixture('events.v1', 'order-completed');
    const order = payloadAs(event, 'OrderPayload');
    const broken: unknown = {
      ...event,
      payload: { 'pulse.events.OrderPayload': { ...order, total: '12' } },
    };
    expect(validateRecord(type, broken)).toEqual([
      {
        path: 'payload.pulse.events.OrderPayload.total',
        message: 'expected double | null, got "12"',
      },
    ]);
  });
});
