/**
 * Abuse limits against the real stack: decompressed body size (gzip bombs) and the per-writeKey
 * rate limit shared by every ingest copy through Redis.
 */
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { basic, SERVER_KEY, startHarness, type IngestHarness } from './harness';

const SOURCES = 'services/ingest/test/fixtures/sources-tight.yaml';
let h: IngestHarness;

beforeAll(async () => {
  h = await startHarness({ INGEST_SOURCES_FILE: SOURCES });
}, 60_000);

afterAll(async () => {
  await h?.stop();
}, 60_000);

function post(url: string, path: string, body: unknown) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(SERVER_KEY) },
    body: JSON.stringify(body),
  });
}

const track = (n: number) => ({ type: 'track', userId: `u-${n}`, event: 'Signed Up' });

describe('gzip bombs', () => {
  it('answers 413 naming the decompressed limit for 100 MB of zeros sent as ~100 KB', async () => {
    const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(200 * 1024);
    const res = await fetch(`${h.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip', authorization: basic(SERVER_KEY) },
      body: bomb,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      error: 'payload_too_large',
      limit: 'batch_size',
      max: 512_000,
    });
    expect(res.headers.get('connection')).toBe('close');
  });

  it('answers while an endless bomb is still being sent, and closes the connection', async () => {
    // Zeros without end: a server that inflated the whole body would never answer.
    const zeros = new Readable({
      read() {
        this.push(Buffer.alloc(1024 * 1024));
      },
    });
    const gzip = zeros.pipe(createGzip());
    const req = request(`${h.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip', authorization: basic(SERVER_KEY) },
    });
    req.on('error', () => undefined); // the server closes the socket under the upload
    const closed = new Promise((resolve) => req.once('close', resolve));
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      });
    });
    gzip.pipe(req);
    try {
      const { status, body } = await answer;
      expect(status).toBe(413);
      expect(JSON.parse(body)).toMatchObject({ limit: 'batch_size', max: 512_000 });
      // The server hangs up instead of reading the rest: the upload would otherwise go on.
      await closed;
    } finally {
      gzip.unpipe(req);
      zeros.destroy();
      gzip.destroy();
      req.destroy();
    }
  }, 30_000);
});

describe('rate limit per writeKey', () => {
  it('answers 429 with Retry-After over the bucket and publishes none of those events', async () => {
    const from = (await h.mark()).events;
    const ok = await post(h.url, '/v1/batch', { batch: [track(1), track(2), track(3)] });
    expect(ok.status).toBe(200);
    const over = await post(h.url, '/v1/track', track(4));
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('1');
    expect(await over.json()).toMatchObject({ error: 'rate_limited', retryAfter: 1 });
    const batchOver = await post(h.url, '/v1/batch', { batch: [track(5), track(6)] });
    expect(batchOver.status).toBe(429);
    expect(batchOver.headers.get('retry-after')).toBe('2');
    expect(await h.countEvents(from)).toBe(3);

    // The bucket refills with the (injected) clock: one event per second.
    h.clock.advance(1_000);
    expect((await post(h.url, '/v1/track', track(7))).status).toBe(200);
    expect((await post(h.url, '/v1/track', track(8))).status).toBe(429);
    expect(await h.countEvents(from)).toBe(4);
  });

  it('is shared by every ingest copy (one bucket in Redis)', async () => {
    // A second copy on the same Redis prefix: sending through it does not reset the limit.
    const copy = await startHarness({
      INGEST_SOURCES_FILE: SOURCES,
      REDIS_PREFIX: h.redis.prefix.replace(/:$/, ''),
    });
    try {
      copy.clock.set(h.clock.now());
      // Whatever the first test left, this empties the bucket; then both copies refuse, where
      // a bucket per process would let the second copy send a whole burst more.
      await post(h.url, '/v1/batch', { batch: [track(10), track(11), track(12)] });
      expect((await post(h.url, '/v1/track', track(13))).status).toBe(429);
      expect((await post(copy.url, '/v1/track', track(14))).status).toBe(429);
    } finally {
      await copy.stop(); // cleans its own (unused) random prefix, not the shared one
    }
  }, 60_000);
});
