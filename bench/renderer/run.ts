/**
 * bench:renderer — (1) the render step (TemplateSet.render + subject, helpers, blocks, layout,
 * text part) against a bare precompiled-Handlebars loop over the same body template and data;
 * (2) render + deliver over pooled SMTP to a local discarding smtp-server sink, counting
 * distinct Message-IDs (no duplicates). Usage: pnpm bench:renderer [renders] [emails]
 */
import path from 'node:path';
import Handlebars from 'handlebars';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { loadRendererConfig } from '@pulse/renderer/dist/load-config';
import { createSmtpMailer } from '@pulse/renderer/dist/mailer';
import { renderData } from '@pulse/renderer/dist/render-data';
import { printTable, writeResults } from '../lib/report';

const renders = Number(process.argv[2] ?? 20_000);
const emails = Number(process.argv[3] ?? 5_000);
const NOW = Date.UTC(2025, 2, 14, 15, 0);
const config = loadRendererConfig(path.resolve(__dirname, '../../config'));
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
  for (let i = 0; i < 500; i++) fn(i); // warm-up
  const t = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return n / ((performance.now() - t) / 1000);
}

async function main(): Promise<void> {
  const source = `<h1>{{customer.firstName}}, a preview just for you</h1><p>New arrivals before anyone else.</p>{{#each recommendations}}<p>{{name}} {{price}}</p>{{/each}}`;
  const bare = Handlebars.compile(source);
  const baseline = timeLoop(renders, (i) => bare(datas[i % 100]));
  const full = timeLoop(renders, (i) => {
    const d = datas[i % 100]!;
    campaign.renderSubject(null, d);
    config.templates.render(campaign.template, d);
  });
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
  const mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, maxConnections: 8 });
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < emails) {
        const i = next++;
        const d = datas[i % 100]!;
        const body = config.templates.render(campaign.template, d);
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
  const ratio = full / baseline;
  printTable('renderer', [
    {
      figure: 'render step (subject+html+text, blocks, layout)',
      value: full,
      unit: 'renders/s',
      baseline: { name: 'bare precompiled Handlebars', value: baseline },
      goal: '>= 50% of baseline',
    },
    { figure: 'render step / baseline', value: ratio * 100, unit: '%', goal: '>= 50' },
    {
      figure: 'render + SMTP deliver to discarding sink',
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
  ]);
  writeResults('renderer', {
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
