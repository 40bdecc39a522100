import { Kafka, logLevel } from 'kafkajs';
import type { GenericContainer, StartedTestContainer } from 'testcontainers';
import type { Stack } from './stack';
import { waitFor } from './wait';

/** Images of the stack, pinned to what the native stack runs. */
export const STACK_IMAGES = {
  /** Kafka 3.9: kafkajs speaks its protocol versions (4.x dropped some, KIP-896). */
  kafka: 'apache/kafka:3.9.1',
  registry: 'quay.io/apicurio/apicurio-registry:3.0.9',
  redis: 'redis:7',
  /** maildev 2's REST API is at /email; `mail.ts` handles it and maildev 3's /api/email. */
  maildev: 'maildev/maildev:2.2.1',
} as const;

/** Options of `startStackWithTestcontainers`. */
export interface ContainerStackOptions {
  /** Override images, e.g. to use a mirror. */
  images?: Partial<Record<keyof typeof STACK_IMAGES, string>>;
  /** Per-container start limit; default 180 s (first runs pull images). */
  startupTimeoutMs?: number;
}

/** A stack in containers and the function that removes them (idempotent). */
export interface ContainerStack {
  stack: Stack;
  stop(): Promise<void>;
}

const KAFKA_PORT = 9092;
const KAFKA_STARTER = '/tmp/pulse-kafka-start.sh';
const KAFKA_READY_FLAG = '/tmp/pulse-kafka-start.ready';
const KAFKA_WAITING = 'pulse: waiting for the start script';

/**
 * The broker's settings as apache/kafka image variables: single-node KRaft, like
 * infra/kafka/server.properties (no topic auto-creation, short group timeouts for tests).
 */
export const KAFKA_CONTAINER_ENV: Readonly<Record<string, string>> = {
  CLUSTER_ID: 'cHVsc2UtdGVzdC1jbHVzdGVy',
  KAFKA_NODE_ID: '1',
  KAFKA_PROCESS_ROLES: 'broker,controller',
  KAFKA_LISTENERS: `PLAINTEXT://:${KAFKA_PORT},BROKER://:9093,CONTROLLER://:9094`,
  KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'BROKER:PLAINTEXT,PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
  KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
  KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9094',
  KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
  KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
  KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
  KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
  KAFKA_NUM_PARTITIONS: '6',
  KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
  KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS: '1000',
};

/**
 * The script that starts the broker once the mapped port is known: clients outside the
 * container must be told `host:mappedPort`, which exists only after the container started.
 */
export function kafkaStarterScript(host: string, mappedPort: number): string {
  return [
    '#!/bin/sh',
    `export KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${host}:${mappedPort},BROKER://localhost:9093`,
    'exec /etc/kafka/docker/run',
    '',
  ].join('\n');
}

/** The Stack for containers reachable at `host` with these mapped ports. */
export function containerStack(
  host: string,
  ports: { kafka: number; registry: number; redis: number; smtp: number; maildev: number },
): Stack {
  return {
    kafkaBrokers: [`${host}:${ports.kafka}`],
    schemaRegistryUrl: `http://${host}:${ports.registry}/apis/ccompat/v7`,
    redisUrl: `redis://${host}:${ports.redis}`,
    smtpUrl: `smtp://${host}:${ports.smtp}`,
    maildevUrl: `http://${host}:${ports.maildev}`,
  };
}

type Testcontainers = typeof import('testcontainers');

async function startKafka(
  tc: Testcontainers,
  image: string,
  timeoutMs: number,
): Promise<StartedTestContainer> {
  const container = await new tc.GenericContainer(image)
    .withExposedPorts(KAFKA_PORT)
    .withEnvironment({ ...KAFKA_CONTAINER_ENV })
    .withCommand([
      'sh',
      '-c',
      `echo '${KAFKA_WAITING}'; while [ ! -f ${KAFKA_READY_FLAG} ]; do sleep 0.1; done; exec sh ${KAFKA_STARTER}`,
    ])
    .withWaitStrategy(tc.Wait.forLogMessage(KAFKA_WAITING))
    .withStartupTimeout(timeoutMs)
    .start();
  const host = container.getHost();
  const port = container.getMappedPort(KAFKA_PORT);
  await container.copyContentToContainer([
    { content: kafkaStarterScript(host, port), target: KAFKA_STARTER, mode: 0o755 },
  ]);
  // A separate flag, written after the script is complete, so the loop never runs half a file.
  await container.copyContentToContainer([{ content: '', target: KAFKA_READY_FLAG }]);
  const kafka = new Kafka({
    brokers: [`${host}:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await waitFor(() => admin.connect().then(() => admin.describeCluster()), {
      timeoutMs,
      intervalMs: 500,
      description: `Kafka in container ${container.getId().slice(0, 12)} to answer`,
    });
  } finally {
    await admin.disconnect();
  }
  return container;
}

type StackImages = Record<keyof typeof STACK_IMAGES, string>;

function otherContainers(tc: Testcontainers, images: StackImages, timeoutMs: number) {
  const limit = (c: GenericContainer) => c.withStartupTimeout(timeoutMs).start();
  return {
    registry: limit(
      new tc.GenericContainer(images.registry)
        .withExposedPorts(8080)
        // Quarkus maps apicurio.rules.global.compatibility to this variable; BACKWARD is what
        // @kafkajs/confluent-schema-registry expects to read back from GET /config/{subject}.
        .withEnvironment({ APICURIO_RULES_GLOBAL_COMPATIBILITY: 'BACKWARD' })
        .withWaitStrategy(tc.Wait.forHttp('/health/ready', 8080).forStatusCode(200)),
    ),
    redis: limit(
      new tc.GenericContainer(images.redis)
        .withExposedPorts(6379)
        .withWaitStrategy(tc.Wait.forLogMessage('Ready to accept connections')),
    ),
    maildev: limit(new tc.GenericContainer(images.maildev).withExposedPorts(1025, 1080)),
  };
}

/**
 * Starts Kafka (KRaft), Apicurio Registry, Redis and maildev with testcontainers, waits until
 * each answers, and returns their Stack. Loads `testcontainers` only when called. On a failed
 * start every container already started is removed before the error is rethrown.
 */
export async function startStackWithTestcontainers(
  options: ContainerStackOptions = {},
): Promise<ContainerStack> {
  const tc = await import('testcontainers');
  const images = { ...STACK_IMAGES, ...options.images };
  const timeoutMs = options.startupTimeoutMs ?? 180_000;
  const pending = {
    kafka: startKafka(tc, images.kafka, timeoutMs),
    ...otherContainers(tc, images, timeoutMs),
  };
  const settled = await Promise.allSettled(Object.values(pending));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= Promise.allSettled(started.map((c) => c.stop())).then(() => undefined);
    return stopping;
  };
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  const [kafka, registry, redis, maildev] = await Promise.all([
    pending.kafka,
    pending.registry,
    pending.redis,
    pending.maildev,
  ]);
  const stack = containerStack(kafka.getHost(), {
    kafka: kafka.getMappedPort(KAFKA_PORT),
    registry: registry.getMappedPort(8080),
    redis: redis.getMappedPort(6379),
    smtp: maildev.getMappedPort(1025),
    maildev: maildev.getMappedPort(1080),
  });
  return { stack, stop };
}
