import type { LedgerEntry, PlannedEvent, SendOptions } from './load';
import { sendEvent } from './load';
import type { ServiceFleet } from './processes';
import type { PrivateInfra } from './infra';

/** A fault the test injects: kill -9 of a service, or a restart of the broker or of Redis. */
export type Fault = { kind: 'service'; service: string } | { kind: 'kafka' } | { kind: 'redis' };

export const faultName = (f: Fault): string =>
  f.kind === 'service' ? `kill -9 ${f.service}` : `restart ${f.kind}`;

/** Every service in turn, then the broker, then Redis. */
export function allFaults(services: readonly string[]): Fault[] {
  return [
    ...services.map((service): Fault => ({ kind: 'service', service })),
    { kind: 'kafka' },
    { kind: 'redis' },
  ];
}

export interface FaultResult {
  fault: string;
  /** From the fault until every service answered /readyz again. */
  readyMs: number;
  /** From the fault until a new event, acknowledged by ingest, was folded into its profile. */
  recoveryMs: number;
}

export interface FaultContext {
  fleet: ServiceFleet;
  infra: PrivateInfra;
  send: SendOptions;
  runId: string;
  /** How the canary's profile counter is read: undefined while the profile does not exist. */
  canaryCount: (customer: string) => Promise<number | undefined>;
  /** Canary outcomes join the ledger: they are events like any other. */
  record: (entry: LedgerEntry) => void;
  timeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inject(f: Fault, c: FaultContext): Promise<void> {
  if (f.kind === 'service') {
    await c.fleet.kill(f.service);
    c.fleet.start(f.service);
  } else if (f.kind === 'kafka') {
    await c.infra.restartKafka();
  } else {
    await c.infra.restartRedis();
  }
}

function canary(c: FaultContext, index: number, fault: string): PlannedEvent {
  const customer = `${c.runId}-canary-${index}`;
  return {
    messageId: `${customer}-m0`,
    at: 0,
    customer,
    type: 'Chaos Canary',
    step: {
      at: 0,
      source: 'server',
      call: 'track',
      message: { userId: customer, event: 'Chaos Canary', properties: { fault } },
    },
  };
}

/**
 * Injects the fault, then measures recovery end to end: all services ready, and a canary event
 * sent after the fault acknowledged by ingest and visible in its profile.
 */
export async function runFault(f: Fault, index: number, c: FaultContext): Promise<FaultResult> {
  const name = faultName(f);
  const started = Date.now();
  await inject(f, c);
  await c.fleet.ready(c.timeoutMs);
  const readyMs = Date.now() - started;
  const event = canary(c, index, name);
  const entry = await sendEvent(event, { ...c.send, giveUpAt: () => started + c.timeoutMs });
  c.record(entry);
  if (!entry.acked) throw new Error(`${name}: the canary was not acknowledged by ingest`);
  const deadline = started + c.timeoutMs;
  while (((await c.canaryCount(event.customer).catch(() => undefined)) ?? 0) < 1) {
    if (Date.now() > deadline) throw new Error(`${name}: not recovered after ${c.timeoutMs} ms`);
    await sleep(200);
  }
  return { fault: name, readyMs, recoveryMs: Date.now() - started };
}
