import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createKafka,
  createProducer,
  createSchemaRegistry,
  deadLetterHeaders,
  type KafkaClient,
  type PulseProducer,
} from '@pulse/kafka';
import { createTestKafka, getStack, randomName, type TestKafka } from '@pulse/testkit';
import {
  connectDlqAdmin,
  listDlq,
  replayDlq,
  replayGroupId,
  REPLAYED_FROM_HEADER,
  runDlq,
  showDlq,
  type DlqAdmin,
} from '../src/index';

const stack = getStack();
const group = 'orders-folder';
let testKafka: TestKafka;
let kafka: KafkaClient;
let admin: DlqAdmin;
let producer: PulseProducer;
let topic: string;
let dlqTopic: string;
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });

/** A dead letter as the batch consumer writes it: original bytes, key, headers + pulse.dlq.*. */
function deadLetter(partition: number, offset: number, value: string) {
  return {
    key: `customer-${offset}`,
    value: Buffer.from(value),
    partition,
    headers: deadLetterHeaders(
      {
        reason: `cannot fold ${value}`,
        code: 'FOLD_FAILED',
        topic,
        partition,
        offset: String(offset),
        groupId: group,
        at: Date.UTC(2024, 0, 2, 3, 4, 5),
      },
      { traceparent: `trace-${offset}` },
    ),
  };
}

beforeAll(async () => {
  testKafka = createTestKafka(stack);
  topic = randomName('dlq-src');
  dlqTopic = `${topic}.dlq.${group}`;
  await testKafka.createTopics([topic, dlqTopic], { partitions: 2 });
  kafka = createKafka({
    brokers: stack.kafkaBrokers,
    clientId: 'dlq-test',
    logger: silentLogger(),
  });
  admin = await connectDlqAdmin(kafka);
  producer = createProducer({ kafka, serde });
  await testKafka.sendRecords(dlqTopic, [
    deadLetter(0, 10, 'first'),
    deadLetter(1, 11, 'second'),
    deadLetter(0, 12, 'third'),
    // Not written by our consumer: no pulse.dlq.* headers, so nothing says where it belongs.
    { key: 'stray', value: Buffer.from('stray'), partition: 1 },
  ]);
});

afterAll(async () => {
  await producer?.close();
  await admin?.close();
  const raw = testKafka.kafka.admin();
  await raw.connect();
  await raw.deleteGroups([replayGroupId(dlqTopic)]).catch(() => undefined);
  await raw.disconnect();
  await testKafka?.cleanup();
});

describe('pulse dlq', () => {
  it('lists dead-letter topics with their record and pending counts', async () => {
    const topics = await listDlq(admin);
    expect(topics.find((t) => t.dlqTopic === dlqTopic)).toEqual({
      dlqTopic,
      topic,
      group,
      records: 4,
      pending: 4,
    });
  });

  it('shows records with their dead-letter headers, original headers and bytes', async () => {
    const views = await showDlq({ kafka, admin, serde, dlqTopic, limit: 10 });
    expect(views.map((v) => `${v.partition}/${v.offset}`)).toEqual(['0/0', '0/1', '1/0', '1/1']);
    const first = views[0];
    expect(first?.info).toEqual({
      reason: 'cannot fold first',
      code: 'FOLD_FAILED',
      topic,
      partition: 0,
      offset: '10',
      groupId: group,
      at: Date.UTC(2024, 0, 2, 3, 4, 5),
    });
    expect(first?.headers).toEqual({ traceparent: 'trace-10' });
    expect(first?.value?.toString()).toBe('first');
    expect(first?.decoded).toEqual({ ok: false, error: expect.stringMatching(/magic byte/i) });
    expect(views[3]?.info).toBeUndefined();

    const lines: string[] = [];
    await runDlq(
      { command: 'show', dlqTopic, limit: 1 },
      { kafka, admin, serde, out: { step: (t) => lines.push(t), line: (t) => lines.push(t) } },
    );
    expect(lines.join('\n')).toContain('FOLD_FAILED  2024-01-02T03:04:05.000Z  cannot fold');
  });

  it('replays the original bytes to the original partition once, then only new dead letters', async () => {
    const before = await testKafka.endOffsets(topic);
    const first = await replayDlq({ kafka, admin, producer, dlqTopic, chunkSize: 2 });
    expect(first).toEqual({ replayed: 3, skipped: 1, remaining: 0 });

    const replayed = await testKafka.readRecords(topic, { from: before, count: 3 });
    const seen = replayed
      .map((r) => ({
        partition: r.partition,
        key: r.key?.toString(),
        value: r.value?.toString(),
        trace: r.headers.traceparent?.toString(),
        dlqHeaders: Object.keys(r.headers).filter((h) => h.startsWith('pulse.dlq.')),
        from: r.headers[REPLAYED_FROM_HEADER]?.toString(),
      }))
      .sort((a, b) => a.key!.localeCompare(b.key!));
    expect(seen).toEqual([
      {
        partition: 0,
        key: 'customer-10',
        value: 'first',
        trace: 'trace-10',
        dlqHeaders: [],
        from: `${dlqTopic}/0/0`,
      },
      {
        partition: 1,
        key: 'customer-11',
        value: 'second',
        trace: 'trace-11',
        dlqHeaders: [],
        from: `${dlqTopic}/1/0`,
      },
      {
        partition: 0,
        key: 'customer-12',
        value: 'third',
        trace: 'trace-12',
        dlqHeaders: [],
        from: `${dlqTopic}/0/1`,
      },
    ]);

    // A second replay finds nothing pending and sends nothing.
    expect(await replayDlq({ kafka, admin, producer, dlqTopic })).toEqual({
      replayed: 0,
      skipped: 0,
      remaining: 0,
    });
    expect((await listDlq(admin)).find((t) => t.dlqTopic === dlqTopic)?.pending).toBe(0);

    // A new dead letter is the only record the next replay sends.
    await testKafka.sendRecords(dlqTopic, [deadLetter(1, 13, 'fourth')]);
    const mid = await testKafka.endOffsets(topic);
    expect(await replayDlq({ kafka, admin, producer, dlqTopic })).toEqual({
      replayed: 1,
      skipped: 0,
      remaining: 0,
    });
    const after = await testKafka.endOffsets(topic);
    const sent = (p: { offset: string }[]) => p.reduce((n, o) => n + Number(o.offset), 0);
    expect(sent(after) - sent(mid)).toBe(1);
    expect(sent(after) - sent(before)).toBe(4);
  });
});
