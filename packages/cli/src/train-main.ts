import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@pulse/config';
import { TOPICS, type PulseEvent } from '@pulse/contracts';
import { createLogger } from '@pulse/core';
import { createAvroSerde, createKafka, createSchemaRegistry, kafkaConfigSpec } from '@pulse/kafka';
import { historiesFromEvents, type CustomerHistory } from '@pulse/predict';
import { loadCatalog } from './store/catalog';
import { simulateStore } from './store/history-sim';
import { readWholeTopic } from './topic-reader';
import { describeChurn, trainChurn, trainOfferModel } from './train-run';

const HELP = `usage: pulse train churn|offers [--from events|synthetic] [--out file.json] [options]

Trains a model and writes it as a versioned JSON file with its evaluation. The profile builder
scores with it online (PROFILE_CHURN_MODEL / PROFILE_OFFER_MODEL name the files).

  churn    logistic regression (ml-logistic-regression) on recency, frequency, monetary value,
           order trend, tenure, open/click rates and trend, days since last engagement and
           category affinity; time-based split (train on the state 2 horizons ago, test on the
           last one); writes ROC AUC, precision/recall at the threshold and a calibration table.
  offers   item-item co-purchase neighbours, blended at scoring time with recent browsing.

  --from events      history from the events topic, read whole (default; KAFKA_BROKERS,
                     SCHEMA_REGISTRY_URL); --events-topic T to name another
  --from synthetic   the demo generator's seeded store (--seed N, --customers N, --days N)
  --horizon D        churn horizon in days (default 60)
  --out file         default models/<churn|offers>.json

Exit 0 on success, 1 when there is too little data (the message says how much is needed),
2 on usage errors, 69 when Kafka fails, 78 on bad configuration.`;

const OPTIONS = {
  from: { type: 'string' },
  out: { type: 'string' },
  horizon: { type: 'string' },
  seed: { type: 'string' },
  customers: { type: 'string' },
  days: { type: 'string' },
  'events-topic': { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean' },
} as const;

async function loadHistories(
  values: Record<string, string | boolean | undefined>,
): Promise<{ histories: CustomerHistory[]; end: number }> {
  const num = (name: string, fallback: number) => Number(values[name] ?? fallback);
  if (values.from === 'synthetic') {
    const end = Date.now();
    const store = simulateStore({
      seed: num('seed', 42),
      customers: num('customers', 2000),
      days: num('days', 540),
      end,
      demoCatalog: loadCatalog(path.resolve(String(values.config ?? 'config'))),
    });
    return { histories: store.histories, end };
  }
  const config = loadConfig(kafkaConfigSpec, process.env);
  const logger = createLogger({
    name: 'pulse-train',
    level: process.env.LOG_LEVEL ?? 'warn',
    destination: process.stderr,
  });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'pulse-train', logger });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: config.schemaRegistryUrl }),
  });
  const topic = String(values['events-topic'] ?? TOPICS.events);
  const { values: events } = await readWholeTopic<PulseEvent>(kafka, serde, topic);
  return { histories: historiesFromEvents(events), end: Date.now() };
}

/** `pulse train churn|offers`: wiring only; the work is in train-run.ts and @pulse/predict. */
export async function trainMain(argv: readonly string[]): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind === '--help' || kind === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: OPTIONS }));
  } catch (err) {
    process.stderr.write(`pulse train: ${(err as Error).message}\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (
    (kind !== 'churn' && kind !== 'offers') ||
    !['events', 'synthetic', undefined].includes(values.from)
  ) {
    process.stderr.write(
      `pulse train: expected churn|offers and --from events|synthetic\n${HELP}\n`,
    );
    return 2;
  }
  const horizon = Number(values.horizon ?? 60);
  if (!Number.isInteger(horizon) || horizon <= 0) {
    process.stderr.write('pulse train: --horizon must be a positive whole number of days\n');
    return 2;
  }
  try {
    const { histories, end } = await loadHistories(values);
    const trainedAt = new Date();
    const result =
      kind === 'churn'
        ? trainChurn(histories, end, horizon, trainedAt)
        : trainOfferModel(histories, trainedAt);
    if (!result.ok) {
      process.stderr.write(`pulse train ${kind}: ${result.message}\n`);
      return 1;
    }
    const out = path.resolve(values.out ?? path.join('models', `${kind}.json`));
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result.model, null, 2)}\n`);
    const lines =
      'evaluation' in result.model
        ? describeChurn(result.model)
        : [
            `offer model ${result.model.version}: ${result.model.customers} customers, ${Object.keys(result.model.neighbours).length} products with neighbours`,
          ];
    for (const line of lines) process.stdout.write(`${line}\n`);
    process.stdout.write(`wrote ${out}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`pulse train: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ConfigError ? 78 : 69;
  }
}
