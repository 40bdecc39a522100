/**
 * @pulse/contracts: what travels on Pulse's topics. Avro schemas (schemas/*.avsc) are the
 * source of truth; the types in ./generated are derived from them by scripts/generate-types.mjs.
 */
export * from './generated';
export type {
  AvroArraySchema,
  AvroEnumSchema,
  AvroField,
  AvroFixedSchema,
  AvroJson,
  AvroMapSchema,
  AvroPrimitiveName,
  AvroPrimitiveSchema,
  AvroRecordSchema,
  AvroSchema,
} from './avro-schema';
export { toAvroType, parseSchemaJson } from './avro';
export { validateRecord } from './validate';
export type { ContractProblem } from './validate';
export {
  TOPICS,
  TOPIC_SPECS,
  DEFAULT_PARTITIONS,
  DEFAULT_RETENTION_MS,
  subjectFor,
  dlqTopic,
  dlqTopicSpec,
} from './topics';
export type { TopicName, SchemaTopicName, TopicSpec } from './topics';
export { SCHEMAS, eventKey, recordKey } from './schemas';
export type { TopicValues } from './schemas';
export { unwrapPayload, wrapPayload, payloadAs } from './payload';
export type { PayloadName, PayloadOf, PayloadVariant } from './payload';
export {
  EVENT_TYPES,
  CATALOG_PAYLOADS,
  isCatalogEventType,
  expectedPayload,
  checkEventPayload,
} from './event-catalog';
export type { CatalogEventType } from './event-catalog';
export type { EventReject } from './event-reject';
export { FIXTURES_DIR, fixtureNames, readFixture } from './fixtures';
export { isErasure, isMergeTombstone, normalizeEmail } from './customer-ids';
