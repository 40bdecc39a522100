import type { AvroRecordSchema } from './avro-schema';
import {
  EMAILS_V1_SCHEMA,
  EVENTS_V1_SCHEMA,
  PROFILE_CHANGES_V1_SCHEMA,
  SEGMENT_CHANGES_V1_SCHEMA,
} from './generated';
import type { EmailRecord, ProfileChange, PulseEvent, SegmentChange } from './generated';
import type { SchemaTopicName } from './topics';

/** The TypeScript type of each Avro topic's values, as `toAvroType` decodes them. */
export interface TopicValues {
  'events.v1': PulseEvent;
  'profile-changes.v1': ProfileChange;
  'segment-changes.v1': SegmentChange;
  'emails.v1': EmailRecord;
}

/** The value schema of each Avro topic (bundled, self-contained: what the registry holds). */
export const SCHEMAS: { readonly [T in SchemaTopicName]: AvroRecordSchema } = {
  'events.v1': EVENTS_V1_SCHEMA,
  'profile-changes.v1': PROFILE_CHANGES_V1_SCHEMA,
  'segment-changes.v1': SEGMENT_CHANGES_V1_SCHEMA,
  'emails.v1': EMAILS_V1_SCHEMA,
};

/**
 * The partition key of an event before identity resolution: the strongest id it carries, so a
 * known customer's events stay in order on one partition.
 */
export function eventKey(
  event: Pick<PulseEvent, 'id' | 'userId' | 'anonymousId' | 'email'>,
): string {
  return event.userId ?? event.anonymousId ?? event.email ?? event.id;
}

const RECORD_KEYS: { readonly [T in SchemaTopicName]: (value: TopicValues[T]) => string } = {
  'events.v1': eventKey,
  'profile-changes.v1': (change) => change.customerId,
  'segment-changes.v1': (change) => change.customerId,
  'emails.v1': (email) => email.customerId,
};

/** The record key (UTF-8 string) a value is produced with on its topic. */
export function recordKey<T extends SchemaTopicName>(topic: T, value: TopicValues[T]): string {
  return RECORD_KEYS[topic](value);
}
