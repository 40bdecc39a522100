import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@pulse/config';
import { TOPICS, type EmailRecord, type PulseEvent } from '@pulse/contracts';
import { createLogger } from '@pulse/core';
import { createAvroSerde, createKafka, createSchemaRegistry, kafkaConfigSpec } from '@pulse/kafka';
import { writeReport } from './report-run';
import { readWholeTopic } from './topic-reader';

const HELP = `usage: pulse report [--window 7] [--out dir] [--events-topic T] [--emails-topic T]

Campaign results from the topics: the renderer's decisions (emails.v1: sent, or skipped as
holdout) and the customers' events (events.v1: email engagement, orders), both read whole with
@pulse/kafka's readRaw (a throwaway consumer group; nothing is committed). An order counts for
a send when it follows it within the window; a clicked send wins over an opened one over one
only sent. Prints a table per campaign and arm, writes campaign-results.csv and a self-contained
campaign-results.html (inline SVG charts) into --out. Reads KAFKA_BROKERS, SCHEMA_REGISTRY_URL.

  --window D        attribution window in days (default 7)
  --out dir         where the CSV and HTML go (default reports)
  --events-topic T  default events.v1 (the demo provisions per-run topics)
  --emails-topic T  default emails.v1`;

/** `pulse report`: wiring only. Exit 0, 2 on usage errors, 69 when Kafka fails, 78 on bad config. */
export async function reportMain(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        window: { type: 'string' },
        out: { type: 'string' },
        'events-topic': { type: 'string' },
        'emails-topic': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    process.stderr.write(`pulse report: ${(err as Error).message}\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const windowDays = Number(values.window ?? 7);
  if (!(windowDays > 0)) {
    process.stderr.write(`pulse report: --window must be a positive number of days\n`);
    return 2;
  }
  try {
    const config = loadConfig(kafkaConfigSpec, process.env);
    const logger = createLogger({
      name: 'pulse-report',
      level: process.env.LOG_LEVEL ?? 'warn',
      destination: process.stderr,
    });
    const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'pulse-report', logger });
    const serde = createAvroSerde({
      registry: createSchemaRegistry({ url: config.schemaRegistryUrl }),
    });
    const eventsTopic = values['events-topic'] ?? TOPICS.events;
    const emailsTopic = values['emails-topic'] ?? TOPICS.emails;
    const [events, emails] = await Promise.all([
      readWholeTopic<PulseEvent>(kafka, serde, eventsTopic),
      readWholeTopic<EmailRecord>(kafka, serde, emailsTopic),
    ]);
    const outDir = path.resolve(values.out ?? 'reports');
    mkdirSync(outDir, { recursive: true });
    const report = writeReport({
      events: events.values,
      emails: emails.values,
      windowDays,
      outDir,
      source: `${eventsTopic} (${events.values.length} events) and ${emailsTopic} (${emails.values.length} decisions)`,
      now: new Date(),
    });
    for (const line of report.table) process.stdout.write(`${line}\n`);
    if (report.rows.length === 0)
      process.stdout.write('(no sent or held-out emails on the topic yet)\n');
    const skipped = events.undecodable + emails.undecodable;
    if (skipped > 0)
      process.stderr.write(`pulse report: ${skipped} record(s) did not decode and were left out\n`);
    process.stdout.write(`wrote ${report.csvFile}\nwrote ${report.htmlFile}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`pulse report: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ConfigError ? 78 : 69;
  }
}
