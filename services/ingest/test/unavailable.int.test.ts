import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomName, waitFor } from '@pulse/testkit';
import { basic, BROWSER_KEY, SERVER_KEY, startHarness, type IngestHarness } from './harness';

// The broker does not auto-create topics: publishing to one that does not exist yet is Kafka
// failing to acknowledge, without stopping the shared broker.
const missingTopic = randomName('ingest-missing');
let h: IngestHarness;

beforeAll(async () => {
  h = await startHarness({
    INGEST_EVENTS_TOPIC: missingTopic,
    INGEST_ACK_TIMEOUT: '1s',
    INGEST_SPOOL_DRAIN_INTERVAL: '100ms',
  });
}, 60_000);

afterAll(async () => {
  await h?.stop();
}, 60_000);

const track = () =>
  fetch(`${h.url}/v1/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(SERVER_KEY) },
    body: JSON.stringify({ messageId: 'it-503-1', userId: 'u-503', event: 'Product Viewed' }),
  });

const spoolLength = () => h.redis.client.xlen(`${h.redis.prefix}ingest:spool`);

describe('Kafka not acknowledging', () => {
  it('answers 503 with Retry-After, reports not ready, and publishes the retry once Kafka is back', async () => {
    const res = await track();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ error: 'unavailable' });
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(503);

    // The pixel still answers its GIF; its event waits in the Redis spool.
    const data = Buffer.from(
      JSON.stringify({ writeKey: BROWSER_KEY, anonymousId: 'px-spooled', name: 'Home' }),
    ).toString('base64');
    const pixel = await fetch(`${h.url}/v1/pixel/page?data=${encodeURIComponent(data)}`);
    expect(pixel.status).toBe(200);
    expect(await spoolLength()).toBe(1);

    // Kafka "returns": the topic exists now. The claim was released, so the retry publishes.
    await h.kafka.createTopics([missingTopic], { partitions: 1 });
    const retry = await track();
    expect(retry.status).toBe(200);
    // ... and the spool drains on its own.
    await waitFor(async () => ((await spoolLength()) === 0 ? true : undefined));
    // Sends that timed out may still land late (duplicate over loss), so look for both keys.
    const keys = await waitFor(async () => {
      const ends = await h.kafka.endOffsets(missingTopic);
      const total = ends.reduce((n, p) => n + Number(p.offset), 0);
      if (total < 2) return undefined;
      const records = await h.kafka.readRecords(missingTopic, { count: total });
      const seen = new Set(records.map((r) => r.key?.toString('utf8')));
      return seen.has('px-spooled') && seen.has('u-503') ? seen : undefined;
    });
    expect(keys.size).toBeGreaterThanOrEqual(2);
  });
});
