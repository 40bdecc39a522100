#!/usr/bin/env node
// The `pulse` command: wiring only (config, logger, output), the work is in the commands.
import { ConfigError, loadConfig } from '@pulse/config';
import { createLogger } from '@pulse/core';
import { runDemo } from './demo';
import { demoConfigSpec } from './demo-config';
import { dlqMain } from './dlq-main';
import { importMain } from './import-main';
import { consoleOutput } from './output';
import { simulateMain } from './simulate-main';
import { previewMain } from './preview-main';
import { sendTestMain } from './send-test-main';
import { storeDemoMain } from './store-main';
import { suppressMain } from './suppress-main';
import { campaignMain } from './campaign-main';
import { trainMain } from './train-main';
import { evalMain } from './eval-main';
import { reportMain } from './report-main';
import { forgetMain } from './forget-main';

const USAGE = `usage: pulse <command>

commands:
  demo   the store demo: every service on the real stack, a seeded store's customers
         through ingest, the personalized emails that follow (\`pulse demo --help\`)
  check  round trip through the real stack: topics, schemas, Avro events produced and
         consumed back, a poison record dead-lettered, a summary email over SMTP
  import customers.csv | orders.ndjson
         stream a CSV/NDJSON file to ingest's import endpoint with progress, print the
         report (exit 1 when lines were rejected; \`pulse import --help\` for options)
  dlq list | show <dlq topic> | replay <dlq topic>
         inspect dead-lettered records and replay them after a fix (\`pulse dlq --help\`)
  simulate --scenario file.yaml
         play a scripted customer journey through the real fold and rules with a virtual
         clock; prints each segment entry and exit (\`pulse simulate --help\`)
  preview --campaign X --profile ID [--fixture f.json] [--out dir]
         render an email through the renderer without sending; writes HTML and text
  send-test --campaign X --profile ID --to addr
         the same email to addr over SMTP, subject [TEST], never recorded as a send
  forget <id>
         erase a customer's profile and personal data; hashed ids keep them out for good
  train churn|offers [--from events|synthetic]
         train the churn model / the co-purchase recommender; writes a versioned model file
         with its evaluation (\`pulse train --help\`)
  eval   score the models against the seeded generator's hidden truth, next to baselines
  report [--window 7] [--out dir]
         campaign results from emails.v1 + events.v1: table, CSV and HTML with uplift
  suppress import FILE [--format csv|ndjson] [--source NAME] [--scope marketing|all]
         load a suppression list (addresses or SHA-256/MD5 hashes) into the renderer
  campaign pause|resume|kill|status ID
         campaign controls: hold, release, stop a campaign's emails at once
  help   this text`;

async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === 'import') return importMain(argv.slice(1));
  if (command === 'dlq') return dlqMain(argv.slice(1));
  if (command === 'demo') return storeDemoMain(argv.slice(1));
  if (command === 'simulate') return simulateMain(argv.slice(1));
  if (command === 'preview') return previewMain(argv.slice(1));
  if (command === 'send-test') return sendTestMain(argv.slice(1));
  if (command === 'suppress') return suppressMain(argv.slice(1));
  if (command === 'campaign') return campaignMain(argv.slice(1));
  if (command === 'train') return trainMain(argv.slice(1));
  if (command === 'eval') return evalMain(argv.slice(1));
  if (command === 'report') return reportMain(argv.slice(1));
  if (command === 'forget') return forgetMain(argv.slice(1));
  if (command !== 'check') {
    process.stderr.write(`pulse: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const logger = createLogger({
    name: 'pulse-demo',
    level: process.env.LOG_LEVEL ?? 'warn',
    destination: process.stderr,
  });
  const out = consoleOutput();
  try {
    const config = loadConfig(demoConfigSpec, process.env);
    const result = await runDemo({ config, logger, out });
    out.step('done');
    out.line(
      `${result.consumed}/${result.produced} events round-tripped; poison record dead-lettered (${result.deadLetter.code}); email "${result.emailSubject}" sent`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pulse check: ${err.message}\n`);
      return 78;
    }
    process.stderr.write(
      `pulse check failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
