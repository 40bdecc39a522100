import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isRetriable } from '@pulse/core';
import { KafkaErrorCode, createProducer } from '../src/index';
import { createHarness, type Harness, type Thing } from './harness';

describe('producer failures', () => {
  let h: Harness;
  beforeAll(() => {
    h = createHarness();
  });
  afterAll(async () => {
    await h.cleanup();
  }, 60_000);

  it('rejects a send the broker refuses with a coded error, then keeps working', async () => {
    const topic = await h.createTopic('refuse', 1);
    await h.producer.send<Thing>(topic, { key: 'a', value: { key: 'a', seq: 0, poison: false } });

    // Bigger than the broker's message.max.bytes (1 MiB by default).
    const refused = await h.producer
      .sendRaw(topic, { key: 'big', value: Buffer.alloc(2 * 1024 * 1024, 1) })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toMatchObject({ code: 'KAFKA_MESSAGE_TOO_LARGE' });
    expect(isRetriable(refused)).toBe(false);

    const after = await h.producer.send<Thing>(topic, {
      key: 'b',
      value: { key: 'b', seq: 1, poison: false },
    });
    expect(after).toMatchObject({ topic, partition: 0, offset: '1' });
  }, 90_000);

  it('refuses a value that misfits its schema, and a topic with no schema, without disturbing other sends', async () => {
    const topic = await h.createTopic('misfit', 1);
    const misfit = await h.producer
      .send<unknown>(topic, { key: 'a', value: { key: 'a', seq: 'one' } })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(misfit).toMatchObject({ code: KafkaErrorCode.AVRO_ENCODE_FAILED, retriable: false });
    const ok = await h.producer.send<Thing>(topic, {
      key: 'a',
      value: { key: 'a', seq: 1, poison: false },
    });
    expect(ok.offset).toBe('0');

    const noSchemas = createProducer({
      kafka: h.kafka,
      serde: h.serde,
      logger: h.logger,
      schemas: {},
    });
    try {
      await expect(noSchemas.send(topic, { value: { seq: 1 } })).rejects.toMatchObject({
        code: KafkaErrorCode.NO_SCHEMA_FOR_TOPIC,
        retriable: false,
      });
    } finally {
      await noSchemas.close();
    }
  }, 90_000);

  it('fails sends after close() with KAFKA_CLIENT_CLOSED', async () => {
    const topic = await h.createTopic('closed', 1);
    const pending = h.producer.send<Thing>(topic, {
      key: 'a',
      value: { key: 'a', seq: 0, poison: false },
    });
    await h.producer.close();
    await expect(pending).resolves.toMatchObject({ topic, offset: '0' });
    await expect(h.producer.sendRaw(topic, { value: Buffer.from('x') })).rejects.toMatchObject({
      code: KafkaErrorCode.CLOSED,
    });
  }, 90_000);
});
