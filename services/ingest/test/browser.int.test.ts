import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import puppeteer, { type Browser } from 'puppeteer-core';
import { BROWSER_KEY, startHarness, type IngestHarness } from './harness';

/** Debian's chromium (.ci/run installs it); puppeteer-core downloads no browser of its own. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let h: IngestHarness;
let site: Server;
let siteUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
  h = await startHarness();
  // A shop's page on its own origin, with the documented snippet pointing at ingest.
  site = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><html><head><title>Running shoes</title>
<script async src="${h.url}/v1/pulse-pagetime.js" data-write-key="${BROWSER_KEY}"></script>
</head><body><h1>Running shoes</h1></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  await h?.stop();
}, 60_000);

describe('browser tracking in headless Chromium', () => {
  it('the page-time script sends one page view with its visible time when the page is left', async () => {
    const from = (await h.mark()).events;
    const page = await browser.newPage();
    await page.goto(`${siteUrl}/shoes/running?utm=x`);
    await page.waitForFunction(() => (globalThis as { __pulsePageTime?: boolean }).__pulsePageTime);
    const started = Date.now();
    await page.waitForFunction((since) => Date.now() - since >= 300, {}, started);
    await page.goto('about:blank'); // pagehide: the beacon goes out
    const [record] = await h.readEvents(1, from);
    expect(record?.event).toMatchObject({ kind: 'page', source: 'web' });
    const payload = payloadAs(record!.event, 'PagePayload');
    expect(payload).toMatchObject({ path: '/shoes/running', title: 'Running shoes' });
    expect(payload?.time_on_page_ms).toBeGreaterThanOrEqual(300);
    expect(payload?.time_on_page_ms).toBeLessThan(60_000);
    expect(record?.event.anonymousId).toEqual(expect.any(String));
    await page.close();
  });

  it('serves analytics.js settings pointing at ingest, readable cross-origin', async () => {
    const page = await browser.newPage();
    await page.goto(siteUrl);
    const settings = await page.evaluate(
      async (url, key) => (await fetch(`${url}/v1/projects/${key}/settings`)).json(),
      h.url,
      BROWSER_KEY,
    );
    const host = new URL(h.url).host;
    expect(settings).toMatchObject({
      integrations: {
        'Segment.io': { apiKey: BROWSER_KEY, apiHost: `${host}/v1`, protocol: 'http' },
      },
    });
    // A server key is a secret: it gets no settings (it must never be put in a page).
    const status = await page.evaluate(
      async (url) => (await fetch(`${url}/v1/projects/test-server-key/settings`)).status,
      h.url,
    );
    expect(status).toBe(404);
    // analytics.js posts `/v1/p` with the writeKey in a text/plain body.
    const sent = await page.evaluate(
      async (url, key) =>
        (
          await fetch(`${url}/v1/p`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: JSON.stringify({
              writeKey: key,
              type: 'page',
              anonymousId: 'anon-ajs',
              properties: { path: '/' },
            }),
          })
        ).status,
      h.url,
      BROWSER_KEY,
    );
    expect(sent).toBe(200);
    await page.close();
  });
});
