import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getStack, waitFor } from '@pulse/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createBatchConsumer, type BatchConsumer } from '../src/index';
import { createHarness, type Harness, type Thing } from './harness';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const FIXTURE = path.join(__dirname, 'fixtures/kill-mid-batch.ts');

/** Starts the fixture consumer and collects what it prints. */
function startVictim(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = { processed: [] as string[], stalled: false, stderr: '', exited: false };
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'STALL') state.stalled = true;
      else if (line.startsWith('P ')) state.processed.push(line.slice(2).replace(' ', '@'));
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    state.stderr += chunk.toString();
  });
  child.on('exit', () => {
    state.exited = true;
  });
  return { child, state };
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('crash recovery', () => {
  let h: Harness;
  let victim: ChildProcess | undefined;
  let survivor: BatchConsumer | undefined;
  beforeAll(() => {
    h = createHarness();
  });
  afterAll(async () => {
    if (victim) await kill(victim);
    await survivor?.close();
    await h.cleanup();
  }, 60_000);

  it('loses nothing when a consumer is SIGKILLed mid-batch', async () => {
    const topic = await h.createTopic('crash', 2);
    const groupId = h.group('crash');
    const produced: string[] = [];
    await Promise.all(
      Array.from({ length: 120 }, (_, seq) =>
        h.producer
          .send<Thing>(topic, {
            key: `customer-${seq % 7}`,
            value: { key: `customer-${seq % 7}`, seq, poison: false },
          })
          .then((meta) => produced.push(`${meta.partition}@${meta.offset}`)),
      ),
    );

    const stack = getStack();
    const run = startVictim({
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      TOPIC: topic,
      GROUP_ID: groupId,
      STALL_AT_CALL: '4',
    });
    victim = run.child;
    await waitFor(() => run.state.stalled || run.state.exited, {
      timeoutMs: 60_000,
      description: 'victim mid-batch',
    });
    expect(run.state.stderr).toBe('');
    expect(run.state.stalled).toBe(true);
    await kill(run.child);

    // What the dead member committed, before anyone else touches the group.
    const committed = await h.committed(groupId, topic);
    const isCommitted = (rec: string): boolean => {
      const [partition, offset] = rec.split('@').map((n) => BigInt(n));
      return offset !== undefined && offset < (committed.get(Number(partition)) ?? -1n);
    };
    const uncommitted = produced.filter((rec) => !isCommitted(rec));
    expect(produced.length - uncommitted.length).toBeGreaterThan(0);
    // The victim applied records it never committed: the interesting case.
    expect(run.state.processed.some((rec) => !isCommitted(rec))).toBe(true);

    const second: string[] = [];
    survivor = createBatchConsumer<Thing>({
      kafka: h.kafka,
      serde: h.serde,
      producer: h.producer,
      groupId,
      topics: [topic],
      fromBeginning: true,
      sessionTimeout: 6_000,
      logger: h.logger,
      handleBatch: async (records) => {
        second.push(...records.map((r) => `${r.partition}@${r.offset}`));
      },
    });
    await survivor.start();
    await waitFor(() => uncommitted.every((rec) => second.includes(rec)), {
      timeoutMs: 60_000,
      description: 'the survivor to receive every uncommitted record',
    });

    const union = new Set([...run.state.processed, ...second]);
    expect(produced.filter((rec) => !union.has(rec))).toEqual([]);
    // Records the dead member had committed are not redelivered.
    expect(second.filter(isCommitted)).toEqual([]);
  }, 120_000);
});
