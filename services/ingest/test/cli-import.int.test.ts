import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { importExitCode, parseImportArgs, runImport, type ImportArgs } from '@pulse/cli';
import { payloadAs } from '@pulse/contracts';
import { ManualClock } from '@pulse/core';
import { BROWSER_KEY, SERVER_KEY, startHarness, type IngestHarness } from './harness';

let h: IngestHarness;
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(path.join(tmpdir(), 'pulse-import-'));
}, 60_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await h?.stop();
}, 60_000);

function file(name: string, content: string | Buffer): ImportArgs {
  const full = path.join(dir, name);
  writeFileSync(full, content);
  const parsed = parseImportArgs([full]);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.args;
}

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('pulse import (the CLI command against the real ingest service)', () => {
  it('streams a customers CSV, shows progress, reports bad lines and exits 1 for them', async () => {
    const from = await h.mark();
    const rows = Array.from(
      { length: 1200 },
      (_, i) => `cli-${i},user${i}@example.com,User ${i},DE,yes`,
    );
    rows[41] = 'cli-41,not-an-email,Bad,DE,yes';
    const args = file(
      'customers.csv',
      ['customer_id,email,first_name,country,consent_email', ...rows].join('\n'),
    );
    const progress = capture();
    const outcome = await runImport({
      args,
      url: h.url,
      writeKey: SERVER_KEY,
      progress: progress.stream,
      clock: new ManualClock(0),
    });
    expect(outcome).toMatchObject({
      status: 200,
      lines: 1201,
      report: {
        records: 1200,
        published: 1199,
        duplicates: 0,
        rejected: 1,
        errors: [{ line: 43, field: 'email', reason: 'is not an email address' }],
      },
    });
    expect(importExitCode(outcome)).toBe(1);
    expect(progress.text()).toContain('1,201 lines');
    const events = await h.readEvents(1199, from.events);
    const first = events.find((e) => e.key === 'cli-0')!.event;
    expect(first).toMatchObject({ kind: 'identify', email: 'user0@example.com' });
    expect(payloadAs(first, 'IdentifyPayload')).toMatchObject({
      country: 'DE',
      first_name: 'User 0',
    });
    const [reject] = await h.readRejects(1, from.rejects);
    expect(reject?.problems[0]).toEqual({
      path: 'email',
      message: 'line 43: is not an email address',
    });

    const again = await runImport({ args, url: h.url, writeKey: SERVER_KEY });
    expect(again.report).toMatchObject({ published: 0, duplicates: 1199, rejected: 1 });
    expect(await h.countEvents(from.events)).toBe(1199);
  });

  it('imports gzipped NDJSON orders and exits 0 when every line is accepted', async () => {
    const from = (await h.mark()).events;
    const orders = [1, 2].map((n) =>
      JSON.stringify({
        order_id: `cli-order-${n}`,
        customer_id: 'cli-1',
        time: '2024-03-0' + n + 'T10:00:00Z',
        currency: 'eur',
        products: [{ product_id: `sku-${n}`, category: ' Sneakers', price: 10 * n, quantity: 1 }],
      }),
    );
    const args = file('orders.ndjson.gz', gzipSync(orders.join('\n') + '\n'));
    expect(args).toMatchObject({ kind: 'orders', format: 'ndjson', gzip: true });
    const outcome = await runImport({ args, url: h.url, writeKey: SERVER_KEY });
    expect(outcome).toMatchObject({
      status: 200,
      lines: undefined,
      report: { published: 2, rejected: 0 },
    });
    expect(importExitCode(outcome)).toBe(0);
    const records = await h.readEvents(2, from);
    expect(records.map((r) => r.event.id).sort()).toEqual([
      'ord:demo-shop:cli-order-1:completed',
      'ord:demo-shop:cli-order-2:completed',
    ]);
    // Mapped through config/categories.yaml, which the service loaded at start.
    expect(payloadAs(records[0]!.event, 'OrderPayload')).toMatchObject({
      currency: 'EUR',
      products: [expect.objectContaining({ category: 'Shoes/Running' })],
    });
  });

  it('reports a refused writeKey without publishing, exit 69', async () => {
    const from = (await h.mark()).events;
    const args = file('orders.csv', 'order_id,customer_id,price\no-1,c-1,5\n');
    const outcome = await runImport({ args, url: h.url, writeKey: BROWSER_KEY });
    expect(outcome).toMatchObject({ status: 403, report: undefined });
    expect(outcome.error).toContain('type_not_allowed');
    expect(importExitCode(outcome)).toBe(69);
    expect(await h.countEvents(from)).toBe(0);
  });
});
