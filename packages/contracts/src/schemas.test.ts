import { describe, expect, it } from '@jest/globals';
import { toAvroType, parseSchemaJson } from './avro';
import { readFixture } from './fixtures';
import { SCHEMAS, eventKey, recordKey } from './schemas';
import { TOPICS, TOPIC_SPECS, dlqTopic, dlqTopicSpec, subjectFor } from './topics';
import type { SchemaTopicName } from './topics';

const schemaTopics = Object.keys(SCHEMAS) as SchemaTopicName[]; // keys of a Record<SchemaTopicName, _>

describe('schemas', () => {
  it.each(schemaTopics)('%s parses with toAvroType and survives a registry round trip', (topic) => {
    const type = toAvroType(SCHEMAS[topic]);
    expect(type.typeName).toBe('record');
    const fromRegistry = toAvroType(parseSchemaJson(JSON.stringify(SCHEMAS[topic])));
    expect(fromRegistry.equals(type)).toBe(true);
  });

  it('parseSchemaJson refuses text that is not an Avro schema', () => {
    expect(() => parseSchemaJson('{"type":"record","name":"X"}')).toThrow(/fields/);
    expect(() => parseSchemaJson('not json')).toThrow(SyntaxError);
  });
});

describe('topics', () => {
  it('names subjects and dead-letter topics by convention', () => {
    expect(subjectFor(TOPICS.events)).toBe('events.v1-value');
    expect(dlqTopic(TOPICS.profileChanges, 'segmenter')).toBe('profile-changes.v1.dlq.segmenter');
    expect(dlqTopicSpec(TOPICS.events, 'profile-builder')).toMatchObject({
      topic: 'events.v1.dlq.profile-builder',
      configEntries: { 'retention.ms': '604800000' },
    });
  });

  it('specifies every topic once, events.v1 kept forever and the rest for 7 days', () => {
    const byTopic = new Map(TOPIC_SPECS.map((spec) => [spec.topic, spec]));
    expect([...byTopic.keys()].sort()).toEqual(Object.values(TOPICS).sort());
    for (const spec of TOPIC_SPECS) {
      expect(spec.partitions).toBe(6);
      const retention = spec.topic === TOPICS.events ? '-1' : '604800000';
      expect(spec.configEntries['retention.ms']).toBe(retention);
    }
  });

  it('attaches each Avro topic its schema and leaves the JSON rejects topic without one', () => {
    for (const topic of schemaTopics) {
      expect(TOPIC_SPECS.find((spec) => spec.topic === topic)?.schema).toBe(SCHEMAS[topic]);
    }
    expect(TOPIC_SPECS.find((s) => s.topic === TOPICS.eventRejects)?.schema).toBeUndefined();
  });
});

describe('record keys', () => {
  it('keys events by the strongest id they carry', () => {
    const ids = { id: 'e1', userId: null, anonymousId: null, email: null };
    expect(eventKey({ ...ids, userId: 'u', anonymousId: 'a', email: 'm' })).toBe('u');
    expect(eventKey({ ...ids, anonymousId: 'a', email: 'm' })).toBe('a');
    expect(eventKey({ ...ids, email: 'm' })).toBe('m');
    expect(eventKey(ids)).toBe('e1');
  });

  it('keys the other topics by canonical customer id', () => {
    const change = readFixture('profile-changes.v1', 'order-completed');
    expect(recordKey(TOPICS.profileChanges, change)).toBe(change.customerId);
    const email = readFixture('emails.v1', 'sent');
    expect(recordKey(TOPICS.emails, email)).toBe('cus-9d41e2');
    const event = readFixture('events.v1', 'email-opened');
    expect(recordKey(TOPICS.events, event)).toBe('user-1042');
  });
});
