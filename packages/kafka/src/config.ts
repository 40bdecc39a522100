import { defineConfig, env } from '@pulse/config';

/**
 * The variables every Kafka user reads: where the brokers and the schema registry are.
 * Compose into a service's spec: `defineConfig({ ...kafkaConfigSpec, ...own })`.
 */
export const kafkaConfigSpec = defineConfig({
  kafkaBrokers: env.list({
    env: 'KAFKA_BROKERS',
    default: ['127.0.0.1:9092'],
    doc: 'Comma-separated host:port of the Kafka bootstrap brokers.',
  }),
  schemaRegistryUrl: env.url({
    env: 'SCHEMA_REGISTRY_URL',
    default: 'http://127.0.0.1:8081/apis/ccompat/v7',
    protocols: ['http', 'https'],
    doc: 'Base URL of the Confluent-compatible schema registry API.',
  }),
});
