import { ConfigError, loadConfig } from '@pulse/config';
import { createLogger } from '@pulse/core';
import {
  createAvroSerde,
  createKafka,
  createProducer,
  createSchemaRegistry,
  kafkaConfigSpec,
  type KafkaClient,
} from '@pulse/kafka';
import { connectDlqAdmin, type DlqAdmin } from './dlq-admin';
import { DLQ_USAGE, parseDlqArgs, type DlqArgs } from './dlq-args';
import { listDlq, replayDlq, showDlq, type DeadLetterView } from './dlq-command';
import { consoleOutput, type Output } from './output';

/**
 * `pulse dlq list|show|replay`: reads KAFKA_BROKERS and SCHEMA_REGISTRY_URL, prints for people
 * on stdout. Resolves with the exit code: 0, 2 for usage errors, 69 when Kafka fails, 78 for
 * bad configuration.
 */
export async function dlqMain(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help')) {
    process.stdout.write(`${DLQ_USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const parsed = parseDlqArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`pulse dlq: ${parsed.error}\n${DLQ_USAGE}\n`);
    return 2;
  }
  let admin: DlqAdmin | undefined;
  try {
    const config = loadConfig(kafkaConfigSpec, process.env);
    const logger = createLogger({
      name: 'pulse-dlq',
      level: process.env.LOG_LEVEL ?? 'warn',
      destination: process.stderr,
    });
    const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'pulse-dlq', logger });
    admin = await connectDlqAdmin(kafka);
    const serde = createAvroSerde({
      registry: createSchemaRegistry({ url: config.schemaRegistryUrl }),
    });
    await runDlq(parsed.args, { kafka, admin, serde, out: consoleOutput() });
    return 0;
  } catch (err) {
    process.stderr.write(`pulse dlq: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ConfigError ? 78 : 69;
  } finally {
    await admin?.close();
  }
}

interface DlqDeps {
  kafka: KafkaClient;
  admin: DlqAdmin;
  serde: ReturnType<typeof createAvroSerde>;
  out: Output;
}

/** Runs one parsed `pulse dlq` command and prints its result. */
export async function runDlq(args: DlqArgs, deps: DlqDeps): Promise<void> {
  const { kafka, admin, serde, out } = deps;
  switch (args.command) {
    case 'list': {
      const topics = await listDlq(admin);
      out.step(`${topics.length} dead-letter topic(s)`);
      for (const t of topics) {
        out.line(
          `${t.dlqTopic}  records ${t.records}  pending ${t.pending}  (from ${t.topic}, group ${t.group})`,
        );
      }
      return;
    }
    case 'show': {
      const views = await showDlq({
        kafka,
        admin,
        serde,
        dlqTopic: args.dlqTopic,
        limit: args.limit,
      });
      out.step(`${views.length} record(s) of ${args.dlqTopic}`);
      for (const view of views) printView(out, view);
      return;
    }
    case 'replay': {
      const producer = createProducer({ kafka, serde });
      try {
        const result = await replayDlq({
          kafka,
          admin,
          producer,
          dlqTopic: args.dlqTopic,
          chunkSize: args.chunk,
          ...(args.limit === undefined ? {} : { limit: args.limit }),
          onProgress: (done, total) => out.line(`${done}/${total} acknowledged and committed`),
        });
        out.step(
          `replayed ${result.replayed}, skipped ${result.skipped}, pending ${result.remaining}`,
        );
      } finally {
        await producer.close();
      }
      return;
    }
  }
}

function printView(out: Output, view: DeadLetterView): void {
  const where = `${view.partition}/${view.offset}`;
  if (view.info) {
    const { code, reason, topic, partition, offset, groupId, at } = view.info;
    out.line(`${where}  ${code}  ${new Date(at).toISOString()}  ${reason}`);
    out.line(
      `  from ${topic} ${partition}/${offset}, group ${groupId}, key ${view.key ?? '(none)'}`,
    );
  } else {
    out.line(`${where}  (no pulse.dlq.* headers: not replayable)  key ${view.key ?? '(none)'}`);
  }
  for (const [name, value] of Object.entries(view.headers)) out.line(`  header ${name}: ${value}`);
  if (view.decoded.ok) {
    out.line(
      `  value (schema ${view.decoded.schemaId}): ${JSON.stringify(view.decoded.value, jsonSafe)}`,
    );
  } else {
    const bytes = view.value ?? Buffer.alloc(0);
    const hex = bytes.subarray(0, 64).toString('hex');
    out.line(
      `  value: ${bytes.length} bytes, ${hex}${bytes.length > 64 ? '…' : ''} (${view.decoded.error})`,
    );
  }
}

/** JSON.stringify replacer for Avro values: longs may be bigints. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
