import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { SCHEMAS } from '@pulse/contracts';
import type { EmailRecord, SegmentChange } from '@pulse/contracts';
import { createAvroSerde, createKafka, createProducer, createSchemaRegistry } from '@pulse/kafka';
import {
  createTestKafka,
  getStack,
  isolatedRedis,
  listEmails,
  randomName,
  waitFor,
} from '@pulse/testkit';
import { CONFIG_DIR, profileFor, startProfileServer } from './harness';

const CUSTOMERS = 150;
const MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');

const stack = getStack();
const testKafka = createTestKafka(stack);
const isolated = isolatedRedis(stack);
const run = randomName('rk');
const segTopic = randomName('t-seg-kill');
const evTopic = randomName('t-ev-kill');
const emailsTopic = randomName('t-emails-kill');
const changesTopic = randomName('t-changes-kill');
const groupId = randomName('g-renderer-kill');
const logger = silentLogger();
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'renderer-kill', logger });
const producer = createProducer({
  kafka,
  serde,
  schemas: { [segTopic]: SCHEMAS['segment-changes.v1'] },
});
const children: ChildProcess[] = [];
let watcher: ReturnType<typeof testKafka.kafka.consumer> | undefined;
const profiles: Record<string, unknown> = {};
const addr = (i: number) => `${run}-${i}@example.com`;
let closeProfiles: (() => Promise<void>) | undefined;
let profileUrl = '';

function startRenderer(): ChildProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: isolated.prefix.replace(/:$/, ''),
      SMTP_URL: stack.smtpUrl,
      RENDERER_CONFIG_DIR: CONFIG_DIR,
      RENDERER_PROFILE_URL: profileUrl,
      RENDERER_GROUP_ID: groupId,
      RENDERER_SEGMENT_CHANGES_TOPIC: segTopic,
      RENDERER_EVENTS_TOPIC: evTopic,
      RENDERER_EMAILS_TOPIC: emailsTopic,
      RENDERER_PROFILE_CHANGES_TOPIC: changesTopic,
      RENDERER_ERASURE_GROUP_ID: `${groupId}-erasure`,
      RENDERER_ATTRIBUTION_GROUP_ID: `${groupId}-attribution`,
      RENDERER_SEND_LEASE: '2s',
      RENDERER_SEGMENTER_URL: 'off', // exactly-once is under test, not membership
      RENDERER_SESSION_TIMEOUT: '6s',
      RENDERER_HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

function change(i: number): SegmentChange {
  return {
    id: `${run}-sc-${i}`,
    customerId: `${run}-${i}`,
    segmentId: 'engaged',
    segmentVersion: 1,
    change: 'entered',
    at: Date.now(),
    cause: 'event',
    eventId: null,
    eventOccurredAt: null,
    reason: null,
  };
}

const mine = async () =>
  (await listEmails(stack)).filter((m) => m.to.some((a) => a.address.startsWith(`${run}-`)));

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the build first`);
  for (let i = 0; i < CUSTOMERS; i++) profiles[`${run}-${i}`] = profileFor(`${run}-${i}`, addr(i));
  const server = await startProfileServer(profiles);
  closeProfiles = server.close;
  profileUrl = server.url;
  await testKafka.createTopics([segTopic, evTopic, emailsTopic, changesTopic], { partitions: 2 });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await watcher?.disconnect();
  await producer.close();
  await closeProfiles?.();
  await testKafka.cleanup();
  await isolated.cleanup();
});

describe('kill -9 of the renderer during a burst', () => {
  it('delivers one message per trigger in maildev, never two; a send cut mid-SMTP is reported unknown', async () => {
    const outcomes: EmailRecord[] = [];
    watcher = testKafka.kafka.consumer({ groupId: randomName('t-emails-watch') });
    await watcher.connect();
    await watcher.subscribe({ topics: [emailsTopic], fromBeginning: true });
    await watcher.run({
      eachMessage: async ({ message }) => {
        outcomes.push((await serde.decode<EmailRecord>(message.value)).value);
      },
    });

    const first = startRenderer();
    await Promise.all(
      Array.from({ length: CUSTOMERS }, (_, i) =>
        producer.send(segTopic, { key: `${run}-${i}`, value: change(i) }),
      ),
    );
    await waitFor(async () => (await mine()).length >= CUSTOMERS / 3, {
      timeoutMs: 60_000,
      intervalMs: 50,
      description: 'a third of the emails delivered',
    });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const deliveredAtKill = (await mine()).length;

    startRenderer();
    const customersWithOutcome = () => new Set(outcomes.map((o) => o.customerId)).size;
    await waitFor(() => customersWithOutcome() === CUSTOMERS, {
      timeoutMs: 90_000,
      intervalMs: 200,
      description: `outcomes for ${CUSTOMERS} customers`,
    });
    await watcher.disconnect();

    const byCustomer = new Map<string, EmailRecord>();
    for (const o of outcomes) {
      const seen = byCustomer.get(o.customerId);
      if (seen) expect(o).toEqual(seen); // a redelivery re-publishes the stored outcome
      byCustomer.set(o.customerId, o);
    }
    const mail = await mine();
    const perAddress = new Map<string, number>();
    for (const m of mail)
      for (const a of m.to) perAddress.set(a.address, (perAddress.get(a.address) ?? 0) + 1);
    const unknown = [...byCustomer.values()].filter((o) => o.outcome === 'unknown');
    process.stderr.write(
      `renderer kill -9: ${deliveredAtKill}/${CUSTOMERS} delivered at the kill; ${mail.length} messages in maildev; ` +
        `${outcomes.length} outcome records; ${unknown.length} unknown (cut mid-SMTP)\n`,
    );
    expect(deliveredAtKill).toBeLessThan(CUSTOMERS);
    expect(Math.max(...perAddress.values())).toBe(1); // never two
    for (let i = 0; i < CUSTOMERS; i++) {
      const o = byCustomer.get(`${run}-${i}`);
      expect(['sent', 'unknown']).toContain(o?.outcome);
      if (o?.outcome === 'sent') expect(perAddress.get(addr(i))).toBe(1); // never lost
    }
    expect(unknown.length).toBeLessThanOrEqual(2); // at most the sends in flight at the kill
    expect(mail.length).toBeGreaterThanOrEqual(CUSTOMERS - unknown.length);
  });
});
