import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TOPIC_SPECS } from '@pulse/contracts';
import { randomName } from '@pulse/testkit';
import { ConfigResourceTypes } from 'kafkajs';
import { deleteTopics, provisionTopics, type TopicSpec } from '../src/index';
import { createHarness, type Harness } from './harness';

describe('topic provisioning', () => {
  let h: Harness;
  const created: string[] = [];
  beforeAll(() => {
    h = createHarness();
  });
  afterAll(async () => {
    await deleteTopics({ kafka: h.kafka, topics: created });
    await h.cleanup();
  }, 60_000);

  async function describeTopic(topic: string): Promise<{ partitions: number; retention?: string }> {
    const admin = h.kafka.kafkajs.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] },
        ],
      });
      const retention = configs.resources[0]?.configEntries.find(
        (e) => e.configName === 'retention.ms',
      );
      return {
        partitions: meta.topics[0]?.partitions.length ?? 0,
        retention: retention?.configValue,
      };
    } finally {
      await admin.disconnect();
    }
  }

  it('creates missing topics, leaves existing ones, and grows partitions — idempotently', async () => {
    const a = randomName('prov-a');
    const b = randomName('prov-b');
    created.push(a, b);
    const first = await provisionTopics({
      kafka: h.kafka,
      specs: [
        { topic: a, partitions: 2, configEntries: { 'retention.ms': '3600000' } },
        { topic: b },
      ],
      defaultPartitions: 3,
    });
    expect(first.created.sort()).toEqual([a, b].sort());
    expect(await describeTopic(a)).toEqual({ partitions: 2, retention: '3600000' });
    expect((await describeTopic(b)).partitions).toBe(3);

    const again = await provisionTopics({
      kafka: h.kafka,
      specs: [{ topic: a, partitions: 2 }, { topic: b }],
      defaultPartitions: 3,
    });
    expect(again).toEqual({ created: [], expanded: [], unchanged: expect.arrayContaining([a, b]) });

    const grown = await provisionTopics({
      kafka: h.kafka,
      specs: [
        { topic: a, partitions: 4 },
        { topic: b, partitions: 1 },
      ],
    });
    expect(grown.expanded).toEqual([a]);
    expect((await describeTopic(a)).partitions).toBe(4);
    expect((await describeTopic(b)).partitions).toBe(3);
  }, 60_000);

  it("provisions the contracts' topic specs as written (under random names)", async () => {
    const specs: TopicSpec[] = TOPIC_SPECS.map((s) => ({
      ...s,
      topic: randomName(`spec-${s.topic}`),
    }));
    created.push(...specs.map((s) => s.topic));
    const result = await provisionTopics({ kafka: h.kafka, specs });
    expect(result.created).toHaveLength(TOPIC_SPECS.length);
    for (const [i, spec] of specs.entries()) {
      const original = TOPIC_SPECS[i];
      const actual = await describeTopic(spec.topic);
      expect(actual.partitions).toBe(original?.partitions);
      expect(actual.retention).toBe(original?.configEntries['retention.ms']);
    }
  }, 60_000);
});
