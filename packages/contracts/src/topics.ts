import type { AvroSchema } from './avro-schema';
import {
  EMAILS_V1_SCHEMA,
  EVENTS_V1_SCHEMA,
  PROFILE_CHANGES_V1_SCHEMA,
  SEGMENT_CHANGES_V1_SCHEMA,
} from './generated';

/** Every Pulse topic, by role. The `.v1` suffix changes only on an incompatible redesign. */
export const TOPICS = {
  /** Customer events, the system of record (kept forever, replayed for backfills). */
  events: 'events.v1',
  /** Profile snapshots after each change, keyed by canonical customer id. */
  profileChanges: 'profile-changes.v1',
  /** Segment entries and exits. */
  segmentChanges: 'segment-changes.v1',
  /** What happened to each email considered for sending. */
  emails: 'emails.v1',
  /** Input ingest refused, as JSON (`EventReject`), not Avro. */
  eventRejects: 'events.rejects.v1',
} as const;

/** Any Pulse topic name. */
export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** The topics whose values are Avro records with a registered schema. */
export type SchemaTopicName = Exclude<TopicName, typeof TOPICS.eventRejects>;

/** Partitions of every Pulse topic unless its spec says otherwise. */
export const DEFAULT_PARTITIONS = 6;

/** Retention of every topic but events.v1. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** Everything provisioning needs to create a topic and register its value schema. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Kafka topic configs, e.g. `retention.ms`. */
  readonly configEntries: Readonly<Record<string, string>>;
  /** Value schema, registered under `subjectFor(topic)`; absent for non-Avro topics. */
  readonly schema?: AvroSchema;
  /** What the record key is (documentation; keys are UTF-8 strings, see `recordKey`). */
  readonly key: string;
}

/** The schema-registry subject of a topic's values (Confluent TopicNameStrategy). */
export function subjectFor(topic: string): string {
  return `${topic}-value`;
}

/** The dead-letter topic of one consumer group reading `topic`. */
export function dlqTopic(topic: string, group: string): string {
  return `${topic}.dlq.${group}`;
}

function retention(ms: number): Record<string, string> {
  return { 'cleanup.policy': 'delete', 'retention.ms': String(ms) };
}

/** Every topic Pulse provisions at start-up (dead-letter topics come from `dlqTopicSpec`). */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  {
    topic: TOPICS.events,
    partitions: DEFAULT_PARTITIONS,
    configEntries: retention(-1),
    schema: EVENTS_V1_SCHEMA,
    key: 'userId, else anonymousId, else email, else the event id',
  },
  {
    topic: TOPICS.profileChanges,
    partitions: DEFAULT_PARTITIONS,
    configEntries: retention(DEFAULT_RETENTION_MS),
    schema: PROFILE_CHANGES_V1_SCHEMA,
    key: 'customerId (canonical)',
  },
  {
    topic: TOPICS.segmentChanges,
    partitions: DEFAULT_PARTITIONS,
    configEntries: retention(DEFAULT_RETENTION_MS),
    schema: SEGMENT_CHANGES_V1_SCHEMA,
    key: 'customerId (canonical)',
  },
  {
    topic: TOPICS.emails,
    partitions: DEFAULT_PARTITIONS,
    configEntries: retention(DEFAULT_RETENTION_MS),
    schema: EMAILS_V1_SCHEMA,
    key: 'customerId (canonical)',
  },
  {
    topic: TOPICS.eventRejects,
    partitions: DEFAULT_PARTITIONS,
    configEntries: retention(DEFAULT_RETENTION_MS),
    key: 'source',
  },
];

/**
 * The dead-letter topic of a consumer group: the original bytes with the error in headers,
 * kept as long as the other working topics. No schema: values are whatever failed.
 */
export function dlqTopicSpec(topic: string, group: string): TopicSpec {
  return {
    topic: dlqTopic(topic, group),
    partitions: DEFAULT_PARTITIONS,
    configEntries: retention(DEFAULT_RETENTION_MS),
    key: `the original record's key`,
  };
}
