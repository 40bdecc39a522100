import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { readRawBody } from './body';

/** A request whose body is `chunks`, as express hands it over. */
function request(chunks: Buffer[], headers: Record<string, string>): IncomingMessage {
  return Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage;
}

describe('readRawBody', () => {
  it('stops inflating a gzip bomb at the decompressed limit', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    const read = await readRawBody(
      request([bomb], { 'content-encoding': 'gzip' }),
      'batch_size',
      64 * 1024,
    );
    expect(read).toMatchObject({ ok: false, problem: { status: 413, limit: 'batch_size' } });
  });

  it('refuses compressed input longer than the limit allows, even when it inflates to nothing', async () => {
    // A gzip header and then empty stored deflate blocks: megabytes in, zero bytes out.
    const header = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]);
    const empty = Buffer.from([0, 0, 0, 0xff, 0xff]);
    const chunks = [
      header,
      ...Array.from({ length: 64 }, () => Buffer.concat(Array(4096).fill(empty))),
    ];
    const read = await readRawBody(
      request(chunks, { 'content-encoding': 'gzip' }),
      'batch_size',
      64 * 1024,
    );
    expect(read).toMatchObject({ ok: false, problem: { status: 413, max: 64 * 1024 } });
  });

  it('reads a body within the limits', async () => {
    const json = JSON.stringify({ batch: [] });
    const read = await readRawBody(
      request([gzipSync(json)], { 'content-encoding': 'gzip' }),
      'batch_size',
      64 * 1024,
    );
    expect(read.ok && read.bytes.toString()).toBe(json);
  });
});
