/**
 * bench:renderer — (1) the render step (subject, preheader, TemplateSet.render: helpers, blocks,
 * layout, text part) against a bare precompiled-Handlebars loop over the same template (email in
 * its layout, same partials, helpers and block) and data, HTML only (baseline.ts);
 * (2) render + deliver over pooled SMTP to a local discarding smtp-server sink, counting
 * distinct Message-IDs (no duplicates). The delivery loop runs what a send runs: open/click
 * tracking rewrite, the SMTP rate limiter at RENDERER_SMTP_RATE (default config) and the retry
 * wrapper. Usage: pnpm bench:renderer [renders] [emails]
 */
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@pulse/config';
import { silentLogger } from '@pulse/core';
import { rendererConfigSpec } from '@pulse/renderer/dist/config';
import { loadRendererConfig } from '@pulse/renderer/dist/load-config';
import { createSmtpMailer } from '@pulse/renderer/dist/mailer';
import { createDeliveringMailer } from '@pulse/renderer/dist/smtp-delivery';
import { createTokenBucket } from '@pulse/renderer/dist/token-bucket';
import { trackEmailLinks } from '@pulse/renderer/dist/tracking';
import { renderData } from '@pulse/renderer/dist/render-data';
import { printTable, writeResults, type Figure } from '../lib/report';
import { bareRender } from './baseline';

const renders = Number(process.argv[2] ?? 20_000);
const emails = Number(process.argv[3] ?? 5_000);
const NOW = Date.UTC(2025, 2, 14, 15, 0);
const CONFIG_DIR = path.resolve(__dirname, '../../config');
const config = loadRendererConfig(CONFIG_DIR);
const campaign = config.campaigns.find((c) => c.id === 'engaged-preview')!;

function profile(i: number) {
  return {
    customerId: `c${i}`,
    identities: { emails: [`c${i}@example.com`] },
    traits: {
      first_name: `Name${i}`,
      state: i % 3 === 0 ? 'CA' : 'NY',
      locale: 'en-US',
      timezone: 'America/New_York',
    },
    purchases: { orders: i % 7, products: ['prod-701'], categories: { 'Electronics/Audio': 1 } },
    browsing: { categories: {} },
    derived: { productsViewedLast24h: [], categoryAffinity: [], email: { openRate: 0.4 } },
  };
}
const datas = Array.from({ length: 100 }, (_, i) =>
  renderData({
    profile: profile(i),
    now: NOW,
    catalog: config.catalog,
    brand: 'Shop',
    cart: null,
    campaign: { id: campaign.id, name: campaign.name, variant: null },
    segments: ['engaged'],
    links: { unsubscribe: 'https://x/u', cart: 'https://x/c', shop: 'https://x' },
  }),
);

function timeLoop(n: number, fn: (i: number) => void): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return n / ((performance.now() - t) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Both loops in alternating rounds (the machine is shared: a slow spell then hits both), each
 * side's rate the median over rounds, the ratio the median of per-round ratios.
 */
function compare(n: number, a: (i: number) => void, b: (i: number) => void) {
  const ROUNDS = 9;
  timeLoop(2_000, a); // warm-up
  timeLoop(2_000, b);
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    as.push(timeLoop(Math.ceil(n / ROUNDS), a));
    bs.push(timeLoop(Math.ceil(n / ROUNDS), b));
    ratios.push(bs[r]! / as[r]!);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

async function main(): Promise<void> {
  const bare = bareRender(CONFIG_DIR, campaign.template);
  const {
    a: baseline,
    b: full,
    ratio,
  } = compare(
    renders,
    (i) => bare(datas[i % 100]!),
    (i) => {
      const d = datas[i % 100]!;
      d.subject = campaign.renderSubject(null, d);
      d.preheader = campaign.renderPreheader(d);
      config.templates.render(campaign.template, d);
    },
  );
  const seen = new Set<string>();
  let received = 0;
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, cb) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 4096) head += c.toString();
      });
      stream.on('end', () => {
        received++;
        const m = /^Message-ID: (.*)$/im.exec(head);
        if (m?.[1]) seen.add(m[1].trim());
        cb();
      });
    },
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const port = (sink.server.address() as AddressInfo).port;
  const rc = loadConfig(rendererConfigSpec, process.env);
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const mailer = createDeliveringMailer({
    mailer: createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, maxConnections: 8 }),
    limiter: createTokenBucket({
      ratePerSec: rc.smtpRate,
      ...(rc.smtpBurst > 0 ? { burst: rc.smtpBurst } : {}),
      now: () => performance.now(),
      sleep,
    }),
    retry: {
      attempts: rc.smtpAttempts,
      baseDelayMs: rc.smtpRetryBaseMs,
      maxDelayMs: rc.smtpRetryMaxMs,
    },
    sleep,
    logger: silentLogger(),
  });
  // RENDERER_TRACKING=false and RENDERER_SMTP_RATE=0 give the path without either, to compare.
  const tracking = rc.tracking ? { baseUrl: rc.trackingUrl, secret: rc.emailTrackingSecret } : null;
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < emails) {
        const i = next++;
        const d = datas[i % 100]!;
        const body = config.templates.render(campaign.template, d);
        if (tracking)
          body.html = trackEmailLinks(body.html, tracking, {
            emailId: `em-${i}`,
            customerId: `c${i}`,
            campaignId: campaign.id,
            variant: null,
            keep: ['https://x/u'],
          });
        const r = await mailer.send({
          from: campaign.from,
          to: `c${i}@example.com`,
          subject: campaign.renderSubject(null, d),
          ...body,
          messageId: `<em-${i}@bench>`,
          headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
        if (!r.ok) throw new Error(JSON.stringify(r.failure));
      }
    }),
  );
  const sendRate = emails / ((performance.now() - t) / 1000);
  mailer.close();
  sink.close();
  const figures: Figure[] = [
    {
      figure: 'render step (subject+html+text, blocks, layout)',
      value: full,
      unit: 'renders/s',
      baseline: { name: 'bare precompiled Handlebars', value: baseline },
      goal: '>= 50% of baseline',
    },
    {
      figure: 'render step / baseline (median of alternating rounds)',
      value: ratio * 100,
      unit: '%',
      goal: '>= 50',
    },
    {
      figure: `render + ${tracking ? 'track links + ' : ''}SMTP deliver (rate limit ${rc.smtpRate}/s) to discarding sink`,
      value: sendRate,
      unit: 'emails/s',
      goal: '>= 1000',
    },
    { figure: 'messages received', value: received, unit: 'msgs' },
    {
      figure: 'distinct Message-IDs (duplicates = received - distinct)',
      value: seen.size,
      unit: 'ids',
    },
  ];
  printTable('renderer', figures);
  writeResults('renderer', {
    figures,
    renders,
    emails,
    baseline,
    full,
    ratio,
    sendRate,
    received,
    distinct: seen.size,
  });
}

void main();
