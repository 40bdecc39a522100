import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { demoServices, demoTopics, PORT_OFFSETS, portsInUse, type DemoPlan } from '@pulse/cli';
import { dlqTopicSpec } from '@pulse/contracts';
import { silentLogger } from '@pulse/core';
import {
  createAvroSerde,
  createKafka,
  createSchemaRegistry,
  provisionTopics,
  type KafkaClient,
} from '@pulse/kafka';
import { parse } from 'yaml';
import { allFaults, runFault, type Fault, type FaultResult } from './faults';
import { startPrivateInfra, type PrivateInfra } from './infra';
import { planStoreLoad, playLoad, type LedgerEntry } from './load';
import { observe, readProfiles, type ObserveOptions } from './observe';
import { judge, type OracleReport } from './oracle';
import { startFleet, type ServiceFleet } from './processes';
import { behind, expectedMinimum, topicSizes, totalLag, type GroupTopics } from './settle';

export interface ChaosOptions {
  root: string;
  /** The shared registry, SMTP capture and maildev (Kafka and Redis are the test's own). */
  shared: { schemaRegistryUrl: string; smtpUrl: string; maildevUrl: string };
  customers: number;
  seed: number;
  /** How long the generated load lasts; the faults happen inside it, one after the other. */
  loadMs: number;
  cartDelayMs: number;
  /** Wait at most this long after the load for the pipeline to settle. */
  settleMs: number;
  portBase: number;
  kafkaPort: number;
  redisPort: number;
  /** Default: every service, then the broker, then Redis. */
  faults?: Fault[];
  /** Start the list over while the load lasts (the long run); else one round. */
  repeatFaults?: boolean;
  log: (line: string) => void;
  /** Receives the run's cleanup, for a caller that must clean up on a signal. */
  onCleanup?: (cleanup: () => Promise<void>) => void;
}

export interface ChaosResult {
  runId: string;
  report: OracleReport;
  faults: FaultResult[];
  crashed: string[];
  stateDir: string;
}

/** Maps and sets as JSON, for the observation dump a failed run leaves behind. */
const jsonSafe = (_key: string, value: unknown): unknown =>
  value instanceof Map ? Object.fromEntries(value) : value instanceof Set ? [...value] : value;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const portOf = (url: string, fallback: number) => Number(new URL(url).port || fallback);

/** Segments some campaign is triggered by (an entry into them must yield an email outcome). */
export function campaignSegments(root: string): Set<string> {
  const dir = path.join(root, 'config', 'campaigns');
  const segments = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const doc = parse(readFileSync(path.join(dir, file), 'utf8')) as {
      trigger?: { segment?: string; change?: string };
    };
    if (doc.trigger?.segment && (doc.trigger.change ?? 'entered') === 'entered')
      segments.add(doc.trigger.segment);
  }
  return segments;
}

/** Waits until every group has consumed everything, every acknowledged event is folded, every
 * abandoned cart fired, and nothing more is written between two looks. */
async function settle(
  kafka: KafkaClient,
  groups: GroupTopics[],
  topics: string[],
  o: ObserveOptions,
  ledger: readonly LedgerEntry[],
  abandoners: ReadonlySet<string>,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  const min = expectedMinimum(ledger);
  for (const customer of abandoners) {
    const counters = min.get(customer) ?? new Map<string, number>();
    counters.set('ev:Cart Abandoned', 1);
    min.set(customer, counters);
  }
  const deadline = Date.now() + timeoutMs;
  let previous = '';
  while (Date.now() < deadline) {
    const lag = await totalLag(kafka, groups).catch(() => -1);
    const { counters } = await readProfiles(o, [...min.keys()]).catch(() => ({
      counters: new Map<string, Map<string, number>>(),
    }));
    const late = behind(min, counters);
    const size = await topicSizes(kafka, topics).catch(() => -1);
    const state = `lag ${lag}, ${late.length} customer(s) behind, ${size} records`;
    if (lag === 0 && late.length === 0 && state === previous) return;
    if (state !== previous) log(`settling: ${state}`);
    previous = state;
    await sleep(2_000);
  }
  log(`not settled after ${timeoutMs} ms; judging what is there`);
}

/**
 * The run's topics and the groups' dead-letter topics, created before the services start and
 * known to the broker's metadata: on a fresh broker a topic listed a moment ago may still answer
 * "does not host this topic-partition", which fails a service's own provisioning at start.
 */
async function provisionAll(kafka: KafkaClient, topics: string[], groups: GroupTopics[]) {
  const dlqs = groups.flatMap((g) => g.topics.map((t) => dlqTopicSpec(t, g.groupId)));
  const all = [...topics, ...dlqs.map((d) => d.topic)];
  const admin = kafka.kafkajs.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      // Idempotent, so simply repeated until the broker's metadata has caught up.
      const known = await provisionTopics({
        kafka,
        specs: [...topics.map((topic) => ({ topic, partitions: 3 })), ...dlqs],
      })
        .then(() => admin.fetchTopicMetadata({ topics: all }))
        .then(
          (m) =>
            m.topics.every(
              (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
            ),
          () => false,
        );
      if (known) return;
      if (Date.now() > deadline)
        throw new Error("the private broker does not know the run's topics");
      await sleep(500);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function startServices(plan: DemoPlan, stateDir: string): Promise<ServiceFleet> {
  const services = demoServices(plan).map((s) => ({
    ...s,
    env: {
      ...s.env,
      // Short sessions so a killed consumer's partitions move on in seconds, not 30 s.
      SEGMENTER_SESSION_TIMEOUT: '6s',
      RENDERER_SESSION_TIMEOUT: '6s',
      CART_TIMER_SESSION_TIMEOUT: '6s',
      INGEST_ACK_TIMEOUT: '5s',
    },
  }));
  const missing = Object.keys(PORT_OFFSETS).filter((n) => !services.some((s) => s.name === n));
  if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')} (run pnpm build)`);
  const busy = await portsInUse(services.map((s) => s.port));
  if (busy.length > 0) throw new Error(`port(s) ${busy.join(', ')} in use; set CHAOS_PORT_BASE`);
  return startFleet(services, path.join(stateDir, 'services.log'));
}

/** The whole chaos run: private infra, five services, load, faults in turn, settle, oracle. */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const runId = `x${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const stateDir = path.join(o.root, '.state', 'chaos', runId);
  mkdirSync(stateDir, { recursive: true });
  o.log(`run ${runId}: state and logs in ${stateDir}`);
  const busy = await portsInUse([o.kafkaPort, o.kafkaPort + 1, o.redisPort]);
  if (busy.length > 0)
    throw new Error(`port(s) ${busy.join(', ')} in use; set CHAOS_KAFKA_PORT/CHAOS_REDIS_PORT`);
  let infra: PrivateInfra | undefined;
  let fleet: ServiceFleet | undefined;
  const cleanup = async () => {
    await fleet?.stop();
    await infra?.close();
  };
  o.onCleanup?.(cleanup);
  try {
    const t0 = Date.now();
    infra = await startPrivateInfra({
      root: o.root,
      stateDir,
      kafkaPort: o.kafkaPort,
      kafkaControllerPort: o.kafkaPort + 1,
      redisPort: o.redisPort,
      registryPort: portOf(o.shared.schemaRegistryUrl, 80),
      smtpPort: portOf(o.shared.smtpUrl, 25),
      maildevWebPort: portOf(o.shared.maildevUrl, 80),
      log: () => undefined,
    });
    o.log(
      `private kafka ${infra.kafkaBrokers} and redis ${infra.redisUrl} (AOF) up in ${Date.now() - t0} ms`,
    );
    const logger = silentLogger();
    const kafka = createKafka({ brokers: [infra.kafkaBrokers], clientId: 'pulse-chaos', logger });
    const namespace = `pulse-${runId}`;
    const topics = demoTopics(namespace);
    const groups: GroupTopics[] = [
      { groupId: `${namespace}-profile-builder`, topics: [topics.events] },
      { groupId: `${namespace}-segmenter`, topics: [topics.profileChanges] },
      { groupId: `${namespace}-cart-abandonment-timer`, topics: [topics.events] },
      { groupId: `${namespace}-renderer`, topics: [topics.segmentChanges, topics.events] },
    ];
    await provisionAll(kafka, Object.values(topics), groups);
    const plan: DemoPlan = {
      root: o.root,
      namespace,
      portBase: o.portBase,
      stack: {
        kafkaBrokers: infra.kafkaBrokers,
        schemaRegistryUrl: o.shared.schemaRegistryUrl,
        redisUrl: infra.redisUrl,
        smtpUrl: o.shared.smtpUrl,
      },
      browserKey: `browser-${runId}`,
      serverKey: `server-${randomBytes(8).toString('hex')}`,
      segmenterToken: `segmenter-${randomBytes(12).toString('hex')}`,
      cartDelay: `${Math.round(o.cartDelayMs / 1000)}s`,
      logLevel: 'info',
    };
    fleet = await startServices(plan, stateDir);
    await fleet.ready(90_000);
    o.log(`five services ready in ${Date.now() - t0} ms since start`);

    const url = (name: keyof typeof PORT_OFFSETS) =>
      `http://127.0.0.1:${o.portBase + PORT_OFFSETS[name]}`;
    const observeOptions: ObserveOptions = {
      kafka,
      serde: createAvroSerde({
        registry: createSchemaRegistry({ url: o.shared.schemaRegistryUrl }),
      }),
      topics,
      profileUrl: url('profile-builder'),
      segmenterUrl: url('segmenter'),
      segmenterToken: plan.segmenterToken,
      maildevUrl: o.shared.maildevUrl,
      runId,
    };
    const load = planStoreLoad({
      root: o.root,
      runId,
      seed: o.seed,
      customers: o.customers,
      windowMs: o.loadMs,
      now: Date.now(),
    });
    o.log(
      `load: ${load.customers.length} customers, ${load.events.length} events over ${o.loadMs} ms, ${load.abandoners.size} carts to abandon`,
    );
    const ledger: LedgerEntry[] = [];
    // Retries go on while the faults happen and for a minute after them; at once on a failure.
    let giveUpAt = Number.MAX_SAFE_INTEGER;
    const send = {
      ingestUrl: url('ingest'),
      browserKey: plan.browserKey,
      serverKey: plan.serverKey,
      giveUpAt: () => giveUpAt,
    };
    const loadStart = Date.now();
    const playing = playLoad(load.events, send, (e) => ledger.push(e));
    const faults: FaultResult[] = [];
    const canaries: string[] = [];
    try {
      await sleep(Math.min(5_000, o.loadMs / 10));
      const list = o.faults ?? allFaults(fleet.names());
      // Rounds of faults while the load lasts (at least one), so a long run keeps breaking things.
      const rounds = function* () {
        do yield* list;
        while (o.repeatFaults && Date.now() - loadStart < o.loadMs - 30_000);
      };
      for (const fault of rounds()) {
        const result = await runFault(fault, faults.length, {
          fleet,
          infra,
          send,
          runId,
          timeoutMs: 120_000,
          record: (e) => {
            ledger.push(e);
            canaries.push(e.event.customer);
          },
          canaryCount: async (customer) =>
            (await readProfiles(observeOptions, [customer])).counters
              .get(customer)
              ?.get('ev:Chaos Canary'),
        });
        faults.push(result);
        o.log(
          `${result.fault.padEnd(30)} ready in ${result.readyMs} ms, recovered (canary folded) in ${result.recoveryMs} ms`,
        );
      }
      giveUpAt = Date.now() + o.loadMs + 60_000;
    } catch (err) {
      giveUpAt = 0;
      await playing;
      throw err;
    }
    await playing;
    o.log(`load finished after ${Date.now() - loadStart} ms; settling`);
    const customers = [...load.customers.map((c) => c.userId), ...canaries];
    await sleep(o.cartDelayMs);
    await settle(
      kafka,
      groups,
      Object.values(topics),
      observeOptions,
      ledger,
      load.abandoners,
      o.settleMs,
      o.log,
    );
    const seen = await observe(observeOptions, customers);
    writeFileSync(path.join(stateDir, 'observed.json'), JSON.stringify({ seen, ledger }, jsonSafe));
    const report = judge(ledger, load.abandoners, campaignSegments(o.root), seen);
    return { runId, report, faults, crashed: fleet.crashed(), stateDir };
  } finally {
    await cleanup();
  }
}

/** Removes a run's state (broker data, AOF, logs): on success; a failed run keeps it to read. */
export function removeState(stateDir: string): void {
  rmSync(stateDir, { recursive: true, force: true });
}
