import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import { BROWSER_KEY, startHarness, type IngestHarness } from './harness';

let h: IngestHarness;

beforeAll(async () => {
  h = await startHarness();
}, 60_000);

afterAll(async () => {
  await h?.stop();
}, 60_000);

const data = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

async function pixel(path: string) {
  const res = await fetch(`${h.url}${path}`);
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

function expectGif(res: Response, body: Buffer) {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/gif');
  expect(res.headers.get('cache-control')).toBe(
    'no-store, no-cache, must-revalidate, proxy-revalidate',
  );
  expect(res.headers.get('pragma')).toBe('no-cache');
  expect(body.length).toBe(43);
}

describe('web pixel', () => {
  it('publishes a page view with time on page and answers the GIF', async () => {
    const from = (await h.mark()).events;
    const { res, body } = await pixel(
      `/v1/pixel/page?data=${encodeURIComponent(data({ writeKey: BROWSER_KEY, anonymousId: 'px-1', name: 'Home', properties: { time_on_page_ms: 4200 } }))}`,
    );
    expectGif(res, body);
    const [record] = await h.readEvents(1, from);
    expect(record?.event).toMatchObject({ kind: 'page', source: 'web', anonymousId: 'px-1' });
    expect(payloadAs(record!.event, 'PagePayload')?.time_on_page_ms).toBe(4200);
  });

  it('answers the GIF for bad input, publishes nothing and sends each reason to the rejects topic', async () => {
    const from = await h.mark();
    const bad = [
      '/v1/pixel/track?data=%%%',
      `/v1/pixel/track?data=${data({ writeKey: 'wrong', userId: 'u', event: 'x' })}`,
      `/v1/pixel/track?data=${data({ writeKey: BROWSER_KEY, event: 'x' })}`,
      `/v1/pixel/nope?data=${data({ writeKey: BROWSER_KEY, userId: 'u' })}`,
    ];
    for (const path of bad) {
      const { res, body } = await pixel(path);
      expectGif(res, body);
    }
    const rejects = await h.readRejects(4, from.rejects);
    expect(rejects.map((r) => [r.reason, r.problems[0]?.path]).sort()).toEqual(
      [
        ['invalid_field', 'data'],
        ['unauthorized', 'writeKey'],
        ['invalid_field', 'userId'],
        ['invalid_field', 'type'],
      ].sort(),
    );
    expect(await h.countEvents(from.events)).toBe(0);
  });
});
