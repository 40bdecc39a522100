import { randomBytes } from 'node:crypto';
import {
  TOPIC_SPECS,
  TOPICS,
  dlqTopic,
  eventKey,
  subjectFor,
  type PulseEvent,
} from '@pulse/contracts';
import type { Logger } from '@pulse/core';
import type { ConfigOf } from '@pulse/config';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
  endOffsets,
  parseDeadLetterHeaders,
  provisionTopics,
  readRaw,
  type ConsumedRecord,
} from '@pulse/kafka';
import type { demoConfigSpec } from './demo-config';
import { demoEvents, poisonBytes } from './demo-events';
import type { Output } from './output';
import { capturedEmails, sendSummaryEmail } from './summary-email';

/** The group the demo consumes events.v1 with; its dead letters go to `events.v1.dlq.pulse-demo`. */
export const DEMO_GROUP = 'pulse-demo';

export interface DemoOptions {
  config: ConfigOf<typeof demoConfigSpec>;
  logger: Logger;
  out: Output;
}

/** What one demo run did, for the summary and for tests. */
export interface DemoResult {
  runId: string;
  produced: number;
  consumed: number;
  deadLetter: { reason: string; code: string; offset: string };
  emailSubject: string;
}

function describeRecords(records: readonly ConsumedRecord<PulseEvent>[]): string[] {
  return records.map(
    (r) => `p${r.partition}@${r.offset}  ${r.value.type.padEnd(30)} key=${r.key ?? '-'}`,
  );
}

/**
 * The round trip through the real stack: topics provisioned, schemas registered, every event
 * type produced as Avro, consumed back by a batch consumer, a poison record dead-lettered with
 * its reason, and a summary email sent over SMTP and found in the capture.
 */
export async function runDemo({ config, logger, out }: DemoOptions): Promise<DemoResult> {
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'pulse-demo', logger });
  const registry = createSchemaRegistry({ url: config.schemaRegistryUrl });
  const serde = createAvroSerde({ registry });
  const producer = createProducer({ kafka, serde });
  const seen: ConsumedRecord<PulseEvent>[] = [];
  let allSeen: () => void = () => undefined;
  const events = demoEvents(runId, Date.now());
  const consumer = createBatchConsumer<PulseEvent>({
    kafka,
    serde,
    producer,
    groupId: DEMO_GROUP,
    topics: [TOPICS.events],
    fromBeginning: true,
    handleBatch: async (records) => {
      seen.push(...records.filter((r) => r.value.id.startsWith(runId)));
      if (seen.length >= events.length) allSeen();
    },
  });
  try {
    out.step(`stack: Kafka ${config.kafkaBrokers.join(',')}, registry ${config.schemaRegistryUrl}`);
    const provisioned = await provisionTopics({ kafka, specs: TOPIC_SPECS });
    out.line(`topics created: ${provisioned.created.join(', ') || 'none (all present)'}`);
    out.line(`topics already there: ${provisioned.unchanged.join(', ') || 'none'}`);

    out.step('schemas registered (Confluent API, BACKWARD compatibility)');
    for (const spec of TOPIC_SPECS) {
      if (!spec.schema) continue;
      const id = await registry.register(subjectFor(spec.topic), spec.schema);
      out.line(`${subjectFor(spec.topic).padEnd(26)} id ${id}`);
    }

    out.step(`consumer group ${DEMO_GROUP} joins ${TOPICS.events}`);
    await consumer.start();
    const dlq = dlqTopic(TOPICS.events, DEMO_GROUP);
    const dlqStart = await endOffsets(kafka, dlq);

    out.step(`producing ${events.length} Avro events (one per event type) and one poison record`);
    const sent = await Promise.all(
      events.map((value) => producer.send(TOPICS.events, { key: eventKey(value), value })),
    );
    out.line(
      `acked by all in-sync replicas on partitions ${[...new Set(sent.map((m) => m.partition))].sort().join(',')}`,
    );
    const poisonKey = `poison-${runId}`;
    const poison = await producer.sendRaw(TOPICS.events, {
      key: poisonKey,
      value: poisonBytes(runId),
    });
    out.line(`poison record at p${poison.partition}@${poison.offset}: bytes that are not Avro`);

    out.step('consumed back and decoded through the registry');
    await withTimeout(
      new Promise<void>((resolve) => {
        allSeen = resolve;
        if (seen.length >= events.length) resolve();
      }),
      config.demoTimeout,
      () => `only ${seen.length} of ${events.length} events came back`,
    );
    for (const text of describeRecords(seen)) out.line(text);

    out.step(`poison record in the dead-letter topic ${dlq}`);
    const [dead] = await readRaw({
      kafka,
      topic: dlq,
      from: dlqStart,
      count: 1,
      filter: (r) => r.key === poisonKey,
      timeoutMs: config.demoTimeout,
    });
    if (!dead) throw new Error(`the poison record never reached ${dlq}`);
    const info = parseDeadLetterHeaders(dead.headers);
    if (!info)
      throw new Error(
        `the dead letter at ${dlq} p${dead.partition}@${dead.offset} has no DLQ headers`,
      );
    const deadLetter = { reason: info.reason, code: info.code, offset: info.offset };
    out.line(`code ${deadLetter.code}, original offset ${deadLetter.offset}`);
    out.line(`reason: ${deadLetter.reason}`);
    out.line(`original bytes kept: ${dead.value?.equals(poisonBytes(runId)) ? 'yes' : 'NO'}`);

    const emailSubject = `Pulse demo ${runId}: ${seen.length}/${events.length} events round-tripped`;
    out.step('summary email over SMTP');
    await sendSummaryEmail({
      smtpUrl: config.smtpUrl,
      to: 'ops@pulse.local',
      subject: emailSubject,
      text: [
        `Run ${runId}`,
        `Produced ${events.length} events to ${TOPICS.events}, consumed ${seen.length} back.`,
        `Poison record dead-lettered to ${dlq}: ${deadLetter.code} (${deadLetter.reason}).`,
      ].join('\n'),
    });
    const captured = await capturedEmails(config.maildevUrl, emailSubject);
    out.line(
      `captured by the SMTP server: ${captured.length === 1 ? 'yes' : `${captured.length} copies`}; read it at ${config.maildevUrl}`,
    );

    return { runId, produced: events.length, consumed: seen.length, deadLetter, emailSubject };
  } finally {
    await consumer.close();
    await producer.close();
  }
}

async function withTimeout(work: Promise<void>, ms: number, why: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${why()}`)), ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
