import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { previewMain, sendTestMain } from '@pulse/cli';
import { ManualClock, silentLogger } from '@pulse/core';
import { getStack, listEmails, randomName, waitForEmails } from '@pulse/testkit';
import { createRendererHttpHandler } from '../src/http-api';
import { staticContent } from '../src/live-config';
import { loadRendererConfig } from '../src/load-config';
import { createPreviewer } from '../src/preview';
import { createHttpProfileSource } from '../src/profile-source';
import { CONFIG_DIR, profileFor, startHttp, startProfileServer } from './harness';

const stack = getStack();
const run = randomName('st');
const to = `${run}-qa@example.com`;
const out = mkdtempSync(path.join(tmpdir(), 'pulse-preview-'));
const closers: (() => Promise<void>)[] = [];
const env = { ...process.env };
let rendererUrl = '';

beforeAll(async () => {
  const profiles = await startProfileServer({
    maya: profileFor('maya', `${run}-maya@example.com`, { state: 'CA' }),
  });
  closers.push(profiles.close);
  // The renderer's real HTTP API (preview + unsubscribe), as `pulse` reaches it over HTTP.
  const http = await startHttp(
    createRendererHttpHandler({
      adminToken: 'cli-token',
      logger: silentLogger(),
      preview: createPreviewer({
        content: staticContent(loadRendererConfig(CONFIG_DIR)),
        profiles: createHttpProfileSource({ baseUrl: profiles.url }),
        now: () => new ManualClock(Date.UTC(2025, 2, 14, 15, 0)).now(),
        brand: 'Shop',
        shopUrl: 'https://shop.example.com',
        unsubscribeUrl: 'https://shop.example.com/v1/unsubscribe?t=preview',
      }),
      unsubscribe: (_req, res) => res.writeHead(404).end(),
    }),
  );
  closers.push(http.close);
  rendererUrl = http.url;
  process.env.RENDERER_URL = rendererUrl;
  process.env.RENDERER_ADMIN_TOKEN = 'cli-token';
  process.env.SMTP_URL = stack.smtpUrl;
});

afterAll(async () => {
  process.env = env;
  for (const close of closers) await close();
  rmSync(out, { recursive: true, force: true });
});

describe('pulse preview and pulse send-test', () => {
  it('send-test mails the rendered email to the address with a [TEST] subject', async () => {
    const code = await sendTestMain([
      '--campaign',
      'engaged-preview',
      '--profile',
      'maya',
      '--to',
      to,
    ]);
    expect(code).toBe(0);
    const [mail] = await waitForEmails(stack, { to, count: 1 });
    expect(mail?.subject).toBe('[TEST] A first look, just for you, Maya');
    expect(mail?.html).toContain('California exclusive');
    expect(mail?.text).toContain('Maya, a preview just for you');
    // The profile's own address got nothing: a test goes only where --to says.
    expect(await listEmails(stack, { to: `${run}-maya@example.com` })).toHaveLength(0);
  });

  it('preview writes HTML and text for a real profile and for a fixture', async () => {
    expect(
      await previewMain(['--campaign', 'engaged-preview', '--profile', 'maya', '--out', out]),
    ).toBe(0);
    const html = readFileSync(path.join(out, 'engaged-preview.maya.html'), 'utf8');
    expect(html).toContain('Maya, a preview just for you');
    expect(readFileSync(path.join(out, 'engaged-preview.maya.txt'), 'utf8')).toContain(
      'Maya, a preview just for you',
    );
    const fixture = path.join(out, 'fixture.json');
    writeFileSync(fixture, JSON.stringify({ traits: { first_name: 'Zoe', state: 'NY' } }));
    expect(
      await previewMain([
        '--campaign',
        'engaged-preview',
        '--fixture',
        fixture,
        '--profile',
        'zoe',
        '--out',
        out,
      ]),
    ).toBe(0);
    expect(readFileSync(path.join(out, 'engaged-preview.zoe.html'), 'utf8')).toContain('Zoe');
  });

  it('exits 1 naming the problem when the renderer refuses', async () => {
    expect(await previewMain(['--campaign', 'nope', '--profile', 'maya', '--out', out])).toBe(1);
  });
});
