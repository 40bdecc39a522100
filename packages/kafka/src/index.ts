/**
 * @pulse/kafka: the one way services touch Kafka. kafkajs stays behind these factories so the
 * client library can change without touching a service.
 */
export { createKafka, KAFKA_CLIENT_DEFAULTS } from './client';
export type { KafkaClient, KafkaClientOptions, KafkaRetryOptions } from './client';
export { KafkaErrorCode, toPulseError } from './errors';
export { createSchemaRegistry } from './schema-registry';
export type { SchemaRegistry, SchemaRegistryOptions } from './schema-registry';
export { createAvroSerde } from './serde';
export type { AvroSerde, AvroSerdeOptions, Decoded, DecodeOptions, Encoder } from './serde';
export { frame, unframe, MAGIC_BYTE, WIRE_HEADER_LENGTH } from './wire-format';
export type { Unframed } from './wire-format';
export { provisionTopics, provisionDlqTopics, deleteTopics } from './provision';
export type {
  ConfigEntries,
  ProvisionDlqOptions,
  ProvisionOptions,
  ProvisionResult,
  TopicSpec,
} from './provision';
export { createProducer, PRODUCER_DEFAULTS } from './producer';
export type {
  ProducerOptions,
  ProducerRecord,
  PulseProducer,
  RawRecord,
  RecordHeaders,
  RecordMetadata,
  TopicValue,
} from './producer';
export type { SchemaLookup } from './producer-support';
export { createBatchConsumer } from './consumer';
export type { BatchConsumer } from './consumer';
export { CONSUMER_DEFAULTS } from './consumer-options';
export type { BatchConsumerOptions } from './consumer-options';
export type { BatchContext, BatchHandler, ConsumedRecord } from './batch-processor';
export { CONSUMER_METRICS } from './consumer-metrics';
export {
  DLQ_HEADERS,
  HANDLER_ERROR_CODE,
  deadLetterHeaders,
  parseDeadLetterHeaders,
} from './dead-letter';
export type { DeadLetterInfo } from './dead-letter';
export { RETRY_DEFAULTS, backoffDelay } from './retry';
export type { RetryOptions } from './retry';
export { kafkaConfigSpec } from './config';
export { endOffsets, readRaw } from './raw-reader';
export type { PartitionOffset, RawConsumedRecord, ReadRawOptions } from './raw-reader';
