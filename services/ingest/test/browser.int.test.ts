import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { waitFor } from '@pulse/testkit';
import { BROWSER_KEY, startHarness, type IngestHarness } from './harness';

/** Debian's chromium (.ci/run installs it); puppeteer-core downloads no browser of its own. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Segment's browser build from npm (ingest's pinned devDependency): standalone.js + chunks. */
const ANALYTICS_JS_DIR = join(
  dirname(require.resolve('@segment/analytics-next/package.json')),
  'dist',
  'umd',
);

/** The README's analytics.js snippet block, as a site would paste it. */
const README_SNIPPET = (() => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```html\n(<script>\n[\s\S]*?\n<\/script>)\n```/g)];
  const snippet = blocks.map((m) => m[1]!).find((b) => b.includes('analytics._cdn'));
  if (!snippet) throw new Error('services/ingest/README.md has no analytics.js snippet block');
  return snippet;
})();

let h: IngestHarness;
let site: Server;
let siteUrl: string;
let browser: Browser;

/**
 * The README snippet (its `<script>` element) with this run's ingest origin and writeKey, as the
 * shop would fill it in.
 */
function snippet(options: { scriptUrl?: string; page?: boolean } = {}): string {
  let text = README_SNIPPET.replaceAll('https://ingest.example.com', h.url).replaceAll(
    'YOUR_BROWSER_WRITE_KEY',
    BROWSER_KEY,
  );
  if (options.scriptUrl) {
    const cdnPath = `"${h.url}/analytics.js/v1/" + key + "/analytics.min.js"`;
    if (!text.includes(cdnPath)) throw new Error('the snippet no longer loads from the CDN path');
    text = text.replace(cdnPath, JSON.stringify(options.scriptUrl));
  }
  return options.page === false ? text.replace('analytics.page();', '') : text;
}

const html = (title: string, head: string) =>
  `<!doctype html><html><head><title>${title}</title>${head}</head><body><h1>${title}</h1></body></html>`;

/** What the shop's own code calls once the snippet is on the page (queued until it loads). */
const SHOP_CALLS = `<script>
analytics.track('Product Viewed', { product_id: 'p-1', name: 'Trail shoe', price: 89.5, category: 'Shoes/Running' });
</script>`;

/** The visitor logs in: the shop calls identify (from the test, once the anonymous calls are in). */
const logIn = (page: Page) =>
  page.evaluate(() => {
    const { analytics } = globalThis as unknown as {
      analytics: { identify(id: string, traits: Record<string, unknown>): void };
    };
    analytics.identify('user-42', { first_name: 'Ada' });
  });

/** The shop's pages, on their own origin (127.0.0.1:<port>, not ingest's). */
function sitePage(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://site').pathname;
  if (path === '/js/analytics.min.js') {
    res.setHeader('content-type', 'application/javascript');
    res.end(readFileSync(join(ANALYTICS_JS_DIR, 'standalone.js')));
    return;
  }
  res.setHeader('content-type', 'text/html');
  if (path.startsWith('/shop/')) {
    res.end(html('Trail shoe', `${snippet()}${SHOP_CALLS}`));
  } else if (path.startsWith('/self/')) {
    res.end(html('Socks', snippet({ scriptUrl: '/js/analytics.min.js' })));
  } else if (path.startsWith('/both/')) {
    const pageTime = `<script async src="${h.url}/v1/pulse-pagetime.js" data-write-key="${BROWSER_KEY}"></script>`;
    res.end(html('Both', `${snippet({ page: false })}${SHOP_CALLS}${pageTime}`));
  } else {
    res.end(
      html(
        'Running shoes',
        `<script async src="${h.url}/v1/pulse-pagetime.js" data-write-key="${BROWSER_KEY}"></script>`,
      ),
    );
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
  site = createServer(sitePage);
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  // Only the shop's origin may call ingest from a browser.
  h = await startHarness({
    INGEST_ANALYTICS_JS_DIR: ANALYTICS_JS_DIR,
    INGEST_CORS_ORIGINS: siteUrl,
  });
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

/** A page in its own browser context (no analytics.js ids or queues left by another test). */
async function freshPage() {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  const posts: { url: string; status: number; allowOrigin: string | undefined }[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && r.url().startsWith(h.url)) {
      posts.push({
        url: r.url(),
        status: r.status(),
        allowOrigin: r.headers()['access-control-allow-origin'],
      });
    }
  });
  return { page, requests, errors, posts, close: () => context.close() };
}

const initialized = (page: Page) =>
  page.waitForFunction(
    () => (globalThis as { analytics?: { initialized?: boolean } }).analytics?.initialized,
  );

describe('analytics.js (@segment/analytics-next) with the README snippet, in headless Chromium', () => {
  it('loads from ingest and sends page, track and identify to events.v1, cross-origin', async () => {
    const from = (await h.mark()).events;
    const { page, requests, errors, posts, close } = await freshPage();
    await page.goto(`${siteUrl}/shop/trail-shoe?utm_source=mail`);
    await initialized(page);
    // An anonymous visitor first: analytics.js sends `userId: null`.
    const anonymous = await h.readEvents(2, from);
    await logIn(page);
    const records = await h.readEvents(3, from);
    const pageView = anonymous.find((r) => r.event.kind === 'page')?.event;
    const viewed = anonymous.find((r) => r.event.type === 'Product Viewed')?.event;
    const identify = records.find((r) => r.event.kind === 'identify')?.event;
    expect(pageView).toMatchObject({ source: 'web', userId: null });
    expect(payloadAs(pageView!, 'PagePayload')).toMatchObject({
      path: '/shop/trail-shoe',
      title: 'Trail shoe',
      url: `${siteUrl}/shop/trail-shoe?utm_source=mail`,
    });
    expect(viewed).toMatchObject({ source: 'web', kind: 'track', userId: null });
    expect(payloadAs(viewed!, 'ProductPayload')?.product).toMatchObject({
      product_id: 'p-1',
      name: 'Trail shoe',
      price: 89.5,
      category: 'Shoes/Running',
    });
    expect(identify).toMatchObject({ source: 'web', userId: 'user-42', email: null });
    expect(payloadAs(identify!, 'IdentifyPayload')?.first_name).toBe('Ada');
    // One visitor: analytics.js's own anonymousId on all three.
    expect(pageView?.anonymousId).toEqual(expect.any(String));
    expect(new Set(records.map((r) => r.event.anonymousId))).toEqual(
      new Set([pageView?.anonymousId]),
    );
    // The posts went through the CORS preflight (Basic auth header) and were answered for the
    // shop's origin; nothing was asked of Segment's CDN or API.
    expect(posts.map((p) => new URL(p.url).pathname).sort()).toEqual(['/v1/i', '/v1/p', '/v1/t']);
    expect(posts.every((p) => p.status === 200 && p.allowOrigin === siteUrl)).toBe(true);
    expect(requests).toContain(`${h.url}/analytics.js/v1/${BROWSER_KEY}/analytics.min.js`);
    expect(requests).toContain(`${h.url}/v1/projects/${BROWSER_KEY}/settings`);
    expect(requests.filter((u) => !u.startsWith(siteUrl) && !u.startsWith(h.url))).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  });

  it('works with the script hosted by the site itself (analytics._cdn still on ingest)', async () => {
    const from = (await h.mark()).events;
    const { page, requests, errors, close } = await freshPage();
    await page.goto(`${siteUrl}/self/socks`);
    await initialized(page);
    const [record] = await h.readEvents(1, from);
    expect(record?.event).toMatchObject({ kind: 'page', source: 'web' });
    expect(payloadAs(record!.event, 'PagePayload')?.path).toBe('/self/socks');
    expect(requests).toContain(`${siteUrl}/js/analytics.min.js`);
    expect(requests.some((u) => u.includes('/analytics.js/v1/'))).toBe(false);
    expect(errors).toEqual([]);
    await close();
  });

  it("shares analytics.js's visitor ids with the page-time script on the same page", async () => {
    const from = (await h.mark()).events;
    const { page, close } = await freshPage();
    await page.goto(`${siteUrl}/both/boots`);
    await initialized(page);
    await page.waitForFunction(() => (globalThis as { __pulsePageTime?: boolean }).__pulsePageTime);
    const [viewed] = await h.readEvents(1, from);
    await logIn(page);
    await h.readEvents(2, from);
    await page.goto('about:blank'); // the page-time script sends its page view
    const records = await h.readEvents(3, from);
    const pageTime = records.find((r) => r.event.kind === 'page')?.event;
    expect(payloadAs(pageTime!, 'PagePayload')?.time_on_page_ms).toEqual(expect.any(Number));
    expect(pageTime).toMatchObject({ anonymousId: viewed?.event.anonymousId, userId: 'user-42' });
    await close();
  });

  it('refuses the calls of a page on an origin INGEST_CORS_ORIGINS does not list', async () => {
    const { page, close } = await freshPage();
    // Same server, another origin: localhost is not 127.0.0.1 to the browser.
    await page.goto(siteUrl.replace('127.0.0.1', 'localhost') + '/elsewhere');
    const outcome = await page.evaluate(
      async (url, key) =>
        fetch(`${url}/v1/t`, {
          method: 'POST',
          headers: { authorization: `Basic ${btoa(`${key}:`)}`, 'content-type': 'text/plain' },
          body: JSON.stringify({ event: 'Product Viewed', anonymousId: 'x' }),
        }).then(
          (r) => r.status,
          (err: unknown) => String(err),
        ),
      h.url,
      BROWSER_KEY,
    );
    expect(outcome).toMatch(/TypeError/);
    await close();
  });
});

describe('browser tracking in headless Chromium', () => {
  it('the page-time script sends one page view with its visible time when the page is left', async () => {
    const from = (await h.mark()).events;
    const page = await browser.newPage();
    await page.goto(`${siteUrl}/shoes/running?utm=x`);
    await page.waitForFunction(() => (globalThis as { __pulsePageTime?: boolean }).__pulsePageTime);
    const started = Date.now();
    await page.waitForFunction((since) => Date.now() - since >= 300, {}, started);
    await page.goto('about:blank'); // pagehide: the beacon goes out
    // Another page's late call (analytics.js retries queued ones) may land first: find ours.
    const record = await waitFor(
      async () => {
        const n = await h.countEvents(from);
        const records = n === 0 ? [] : await h.readEvents(n, from);
        return records.find(
          (r) =>
            r.event.kind === 'page' && payloadAs(r.event, 'PagePayload')?.path === '/shoes/running',
        );
      },
      { description: 'the page view of /shoes/running' },
    );
    expect(record.event).toMatchObject({ kind: 'page', source: 'web' });
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
    // A server key is a secret: it gets no settings, nor the script (it must never be in a page).
    const statuses = await page.evaluate(
      async (url) =>
        Promise.all(
          [
            `${url}/v1/projects/test-server-key/settings`,
            `${url}/analytics.js/v1/test-server-key/analytics.min.js`,
            `${url}/analytics-next/bundles/..%2Fstandalone.js`,
          ].map(async (u) => (await fetch(u)).status),
        ),
      h.url,
    );
    expect(statuses).toEqual([404, 404, 404]);
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
