import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '@pulse/core';
import { createKafka, deleteTopics, provisionTopics } from '@pulse/kafka';
import type { Output } from '../output';
import { loadCatalog } from './catalog';
import { generateCustomers } from './customers';
import { drive } from './driver';
import { journey, type Step } from './journeys';
import { createRng } from './rng';
import { demoServices, demoTopics, PORT_OFFSETS, type DemoPlan } from './services';
import { countBy, countProfiles, demoEmails, segmentSizes, type EmailSeen } from './summary';
import { portsInUse, supervise } from './supervisor';

export interface StoreDemoOptions {
  root: string;
  stack: DemoPlan['stack'] & { maildevUrl: string };
  logger: Logger;
  out: Output;
  /** Log lines of the services, labelled. */
  log: (line: string) => void;
  customers: number;
  seed: number;
  /** How long the live part (browsing, carts, orders) lasts. */
  liveMs: number;
  cartDelayMs: number;
  portBase: number;
  /** Bounded run: check the main campaigns' emails arrived, clean up, resolve with the verdict. */
  once: boolean;
  /** Resolves when the person wants to stop (Ctrl-C); only used without `once`. */
  untilStopped: Promise<void>;
  timeoutMs: number;
}

export interface StoreDemoResult {
  ok: boolean;
  runId: string;
  eventsSent: number;
  eventsAcknowledged: number;
  profiles: number;
  emailsByCampaign: [string, number][];
  problems: string[];
}

/**
 * Campaigns the bounded run must see an email from. When the segmenter runs, at least one
 * segment-triggered campaign must have mailed too (which ones depends on the live population's
 * RFM cuts as the store fills up, so no single one is required).
 */
export const MAIN_CAMPAIGNS = ['cart-abandon-1'];
const SEGMENT_TRIGGERED = '(any segment-triggered campaign)';

function missingCampaigns(emails: readonly EmailSeen[], segments: boolean): string[] {
  const have = new Set(emails.map((e) => e.campaign));
  const missing = MAIN_CAMPAIGNS.filter((c) => !have.has(c));
  if (segments && ![...have].some((c) => !MAIN_CAMPAIGNS.includes(c)))
    missing.push(SEGMENT_TRIGGERED);
  return missing;
}

async function waitForEmails(
  maildevUrl: string,
  runId: string,
  segments: boolean,
  timeoutMs: number,
  out: Output,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const emails = await demoEmails(maildevUrl, runId);
    const line = `${emails.length} email(s) so far`;
    if (line !== last) out.line(line);
    last = line;
    if (missingCampaigns(emails, segments).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/**
 * The main job: all services on the real stack, a seeded store's customers browsing, buying and
 * abandoning carts through ingest, and the personalized emails that follow in the SMTP capture.
 */
export async function runStoreDemo(o: StoreDemoOptions): Promise<StoreDemoResult> {
  const runId = `d${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const plan: DemoPlan = {
    root: o.root,
    namespace: `pulse-${runId}`,
    portBase: o.portBase,
    stack: o.stack,
    browserKey: `browser-${runId}`,
    serverKey: `server-${randomBytes(8).toString('hex')}`,
    segmenterToken: `segmenter-${randomBytes(12).toString('hex')}`,
    cartDelay: `${Math.round(o.cartDelayMs / 1000)}s`,
    logLevel: process.env.LOG_LEVEL ?? 'info',
  };
  const kafka = createKafka({
    brokers: o.stack.kafkaBrokers.split(','),
    clientId: 'pulse-demo',
    logger: o.logger,
  });
  const topics = Object.values(demoTopics(plan.namespace));
  const problems: string[] = [];

  o.out.step(`run ${runId}: topics ${plan.namespace}.*, Redis prefix ${plan.namespace}`);
  await provisionTopics({ kafka, specs: topics.map((topic) => ({ topic, partitions: 3 })) });
  const services = demoServices(plan);
  o.out.line(`services: ${services.map((s) => `${s.name} :${s.port}`).join(', ')}`);
  const missing = Object.keys(PORT_OFFSETS).filter((n) => !services.some((s) => s.name === n));
  if (missing.length > 0) o.out.line(`not built, left out: ${missing.join(', ')}`);
  // Another demo (or anything else) on these ports would answer /readyz in our services' place.
  const busy = await portsInUse(services.map((s) => s.port));
  if (busy.length > 0) {
    throw new Error(
      `port(s) ${busy.join(', ')} already in use (another demo still running?); stop it or set PULSE_DEMO_PORT_BASE`,
    );
  }
  const supervisor = supervise(services, o.log);
  try {
    await supervisor.ready(90_000);
    o.out.line('every service answers /readyz');

    const rng = createRng(o.seed);
    const now = Date.now();
    const catalog = loadCatalog(path.join(o.root, 'config'));
    const customers = generateCustomers(rng, o.customers, runId, now);
    const steps: Step[] = customers.flatMap((c) => journey(rng, c, catalog, now, o.liveMs));
    o.out.step(
      `the store: ${customers.length} customers, ${catalog.length} products, ${steps.length} events`,
    );
    for (const [persona, n] of countBy(customers, (c) => c.persona))
      o.out.line(`${persona.padEnd(12)} ${n}`);
    o.out.line(
      `carts are abandoned after ${plan.cartDelay} of quiet (the product's default is 30m)`,
    );

    o.out.step('customers at work (Segment client + pixel -> ingest)');
    const ingestUrl = `http://127.0.0.1:${o.portBase + PORT_OFFSETS.ingest}`;
    const driven = await drive(steps, {
      ingestUrl,
      browserKey: plan.browserKey,
      serverKey: plan.serverKey,
    });
    o.out.line(
      `${driven.sent} sent (${driven.pixels} as pixels), ${driven.acknowledged} acknowledged, ${driven.failed} failed`,
    );
    if (driven.failed > 0)
      problems.push(`ingest refused ${driven.failed} event(s): ${driven.errors.join('; ')}`);

    o.out.step(`waiting for carts to be abandoned and emails to be sent`);
    const segments = services.some((s) => s.name === 'segmenter');
    await waitForEmails(o.stack.maildevUrl, runId, segments, o.cartDelayMs + o.timeoutMs, o.out);
    // Let segment campaigns that follow the last events catch up before counting.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    o.out.step('summary');
    const profiles = await countProfiles(
      `http://127.0.0.1:${o.portBase + PORT_OFFSETS['profile-builder']}`,
      customers,
    );
    o.out.line(`events acknowledged by ingest: ${driven.acknowledged} of ${driven.sent}`);
    o.out.line(`profiles: ${profiles} of ${customers.length} customers`);
    const sizes = await segmentSizes(
      `http://127.0.0.1:${o.portBase + PORT_OFFSETS.segmenter}`,
      plan.segmenterToken,
    );
    if (sizes) for (const [name, size] of sizes) o.out.line(`segment ${name.padEnd(36)} ${size}`);
    const emails = await demoEmails(o.stack.maildevUrl, runId);
    const emailsByCampaign = countBy(emails, (e) => e.campaign);
    for (const [campaign, n] of emailsByCampaign) o.out.line(`emails ${campaign.padEnd(30)} ${n}`);
    for (const c of missingCampaigns(emails, segments))
      problems.push(`no email from campaign ${c}`);
    if (profiles < customers.length)
      problems.push(`${customers.length - profiles} customer(s) have no profile`);
    const crashed = supervisor.exited();
    if (crashed.length > 0) problems.push(`service(s) exited: ${crashed.join(', ')}`);
    o.out.line(`read the emails: ${o.stack.maildevUrl}`);
    o.out.line(`metrics: ${services.map((s) => `http://127.0.0.1:${s.port}/metrics`).join(' ')}`);
    for (const p of problems) o.out.line(`PROBLEM: ${p}`);

    if (!o.once) {
      o.out.step('services keep running; Ctrl-C stops everything');
      await o.untilStopped;
    }
    return {
      ok: problems.length === 0,
      runId,
      eventsSent: driven.sent,
      eventsAcknowledged: driven.acknowledged,
      profiles,
      emailsByCampaign,
      problems,
    };
  } finally {
    o.out.step('stopping the services');
    await supervisor.stop();
    if (o.once) await deleteTopics({ kafka, topics }).catch(() => undefined);
  }
}
