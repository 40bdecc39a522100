import { afterAll, describe, expect, it } from '@jest/globals';
import nodemailer from 'nodemailer';
import {
  checkStack,
  createTestKafka,
  deleteEmails,
  getStack,
  isolatedRedis,
  listEmails,
  randomName,
  waitForEmails,
} from '../src';

const stack = getStack();

describe('the stack', () => {
  it('answers on every component', async () => {
    expect(await checkStack(stack)).toEqual([]);
  });
});

describe('createTestKafka', () => {
  const kafka = createTestKafka(stack);
  afterAll(() => kafka.cleanup());

  it('creates a topic, reads raw records back, reads only later records from a mark', async () => {
    const topic = randomName('testkit-topic');
    await kafka.createTopics([topic], { partitions: 2 });
    await kafka.sendRecords(topic, [
      { key: 'c1', value: 'first', headers: { kind: 'a' } },
      { key: 'c1', value: 'second' },
    ]);
    const records = await kafka.readRecords(topic, { count: 2, timeoutMs: 30_000 });
    expect(records.map((r) => r.value?.toString())).toEqual(['first', 'second']);
    expect(records[0]?.key).toEqual(Buffer.from('c1'));
    expect(records[0]?.headers.kind).toEqual(Buffer.from('a'));
    expect(new Set(records.map((r) => r.partition)).size).toBe(1);

    const mark = await kafka.endOffsets(topic);
    await kafka.sendRecords(topic, [{ key: 'c2', value: 'third' }]);
    const later = await kafka.readRecords(topic, { count: 1, from: mark });
    expect(later.map((r) => r.value?.toString())).toEqual(['third']);

    await kafka.deleteTopics([topic]);
    const admin = kafka.kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).not.toContain(topic);
  });

  it('says how many records arrived when too few do', async () => {
    const topic = randomName('testkit-empty');
    await kafka.createTopics([topic]);
    await expect(kafka.readRecords(topic, { count: 1, timeoutMs: 1_500 })).rejects.toThrow(
      `reading 1 record(s) from ${topic}; got 0`,
    );
  });
});

describe('isolatedRedis', () => {
  it('cleanup deletes only the keys under its prefix', async () => {
    const mine = isolatedRedis(stack);
    const other = isolatedRedis(stack);
    try {
      await mine.client.set(`${mine.prefix}a`, '1');
      await mine.client.hset(`${mine.prefix}{c1}:profile`, 'n', '2');
      await other.client.set(`${other.prefix}keep`, '3');
      await mine.cleanup();
      expect(await other.client.exists(`${mine.prefix}a`, `${mine.prefix}{c1}:profile`)).toBe(0);
      expect(await other.client.get(`${other.prefix}keep`)).toBe('3');
    } finally {
      await other.cleanup();
    }
  });
});

describe('maildev helpers', () => {
  it('find an email sent over SMTP by its recipient, then delete it', async () => {
    const to = `${randomName('rcpt')}@pulse.test`;
    const transport = nodemailer.createTransport({ url: stack.smtpUrl });
    try {
      await transport.sendMail({
        from: 'pulse@pulse.test',
        to,
        subject: 'hello',
        text: 'hi there',
      });
    } finally {
      transport.close();
    }
    const [email] = await waitForEmails(stack, { to, count: 1, timeoutMs: 15_000 });
    expect(email?.subject).toBe('hello');
    expect(email?.to.map((a) => a.address)).toEqual([to]);
    expect(await deleteEmails(stack, { to })).toBe(1);
    expect(await listEmails(stack, { to })).toEqual([]);
  });
});
