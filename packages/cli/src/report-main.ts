import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@pulse/config';
import { TOPICS, type EmailRecord, type PulseEvent, type SegmentChange } from '@pulse/contracts';
import { createLogger } from '@pulse/core';
import { createAvroSerde, createKafka, createSchemaRegistry, kafkaConfigSpec } from '@pulse/kafka';
import { campaignSegments } from './report-campaign-segments';
import { writeReport } from './report-run';
import { segmenterSizeHistory } from './report-segmenter';
import { readWholeTopic, readWholeTopicRecords, type TopicRecord } from './topic-reader';

const HELP = `usage: pulse report [--window 7] [--out dir] [--config dir] [--events-topic T]
                    [--emails-topic T] [--segments-topic T] [--segmenter URL]

Campaign results from the topics: the renderer's decisions (emails.v1: sent, or skipped as
holdout) and the customers' events (events.v1: email engagement, orders), both read whole with
@pulse/kafka's readRaw (a throwaway consumer group; nothing is committed). An order counts for
a send when it follows it within the window; a clicked send wins over an opened one over one
only sent. Prints a table per campaign and arm, writes campaign-results.csv and a self-contained
campaign-results.html (inline SVG charts) into --out. Reads KAFKA_BROKERS, SCHEMA_REGISTRY_URL.

Per segment (segment-results.csv): each campaign counts for the segment its file in
<config>/campaigns targets (trigger.segment; event-triggered ones as "event: <type>"; a campaign
without a file, by the segment change that triggered its emails). Uplift compares every campaign
with its own holdout, pooled over the segment's campaigns weighted by recipients.
Segment sizes over time (segment-sizes.csv, charted): segment-changes.v1 read whole and replayed
in topic order, entries and exits, a tombstone taking its customer out of every segment; by the
hour over spans up to 3 days, else by the day. A customer first seen leaving counts as a member
from the start; members who never moved within the topic's retention are not seen.
Engagement by week (segment-engagement.csv, charted): of the emails sent by any campaign to a
customer while a member of the segment, the share opened and clicked (human), by the week
(Monday UTC) of sending; over delivered emails when the provider reports deliveries.

  --window D          attribution window in days (default 7)
  --out dir           where the CSVs and HTML go (default reports)
  --config dir        folder holding campaigns/ (default config, as the renderer's)
  --events-topic T    default events.v1 (the demo provisions per-run topics)
  --emails-topic T    default emails.v1
  --segments-topic T  default segment-changes.v1
  --segmenter URL     a running segmenter (e.g. http://127.0.0.1:8083): segment sizes over time
                      from its hourly size history (kept in Redis, outlives the topic's 7-day
                      retention) instead of rebuilt from the topic; reads SEGMENTER_ADMIN_TOKEN`;

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
        'segments-topic': { type: 'string' },
        segmenter: { type: 'string' },
        config: { type: 'string' },
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
    const segmentsTopic = values['segments-topic'] ?? TOPICS.segmentChanges;
    const [events, emails, changes] = await Promise.all([
      readWholeTopic<PulseEvent>(kafka, serde, eventsTopic),
      readWholeTopic<EmailRecord>(kafka, serde, emailsTopic),
      readWholeTopicRecords<SegmentChange>(kafka, serde, segmentsTopic).catch((err: unknown) => {
        process.stderr.write(
          `pulse report: ${segmentsTopic} not read (${err instanceof Error ? err.message : String(err)}); no segment sizes or engagement\n`,
        );
        return { records: [] as TopicRecord<SegmentChange>[], undecodable: 0 };
      }),
    ]);
    const sizeHistory = values.segmenter
      ? await segmenterSizeHistory(values.segmenter, process.env.SEGMENTER_ADMIN_TOKEN)
      : undefined;
    const campaignsDir = path.resolve(values.config ?? 'config', 'campaigns');
    const campaigns = campaignSegments(campaignsDir);
    for (const problem of campaigns.problems)
      process.stderr.write(`pulse report: ${problem} (its sends are grouped by trigger)\n`);
    const outDir = path.resolve(values.out ?? 'reports');
    mkdirSync(outDir, { recursive: true });
    const report = writeReport({
      events: events.values,
      emails: emails.values,
      segmentChanges: changes.records,
      sizeHistory,
      campaignSegments: campaigns.segments,
      windowDays,
      outDir,
      source: `${eventsTopic} (${events.values.length} events), ${emailsTopic} (${emails.values.length} decisions) and ${segmentsTopic} (${changes.records.length} segment changes)`,
      now: new Date(),
    });
    for (const line of report.table) process.stdout.write(`${line}\n`);
    if (report.rows.length === 0)
      process.stdout.write('(no sent or held-out emails on the topic yet)\n');
    const skipped = events.undecodable + emails.undecodable + changes.undecodable;
    if (skipped > 0)
      process.stderr.write(`pulse report: ${skipped} record(s) did not decode and were left out\n`);
    for (const f of [
      report.csvFile,
      report.segmentsCsvFile,
      report.sizesCsvFile,
      report.engagementCsvFile,
      report.htmlFile,
    ])
      process.stdout.write(`wrote ${f}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`pulse report: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ConfigError ? 78 : 69;
  }
}
