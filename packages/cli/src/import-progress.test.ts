import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { ManualClock } from '@pulse/core';
import { formatProgress, ProgressCounter, startProgressDisplay } from './import-progress';

const sink = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

describe('ProgressCounter', () => {
  it('counts bytes and lines across chunk boundaries, and a last line without a newline', async () => {
    const counter = new ProgressCounter();
    await pipeline(Readable.from([Buffer.from('a,b\n1,'), Buffer.from('2\n3,4')]), counter, sink());
    expect(counter.bytes).toBe(11);
    expect(counter.linesSent(false)).toBe(2);
    expect(counter.linesSent(true)).toBe(3);
  });
});

describe('formatProgress', () => {
  it('shows bytes of the total, lines and rates', () => {
    expect(
      formatProgress({
        bytes: 2 * 1024 * 1024,
        lines: 20_000,
        totalBytes: 8 * 1024 * 1024,
        elapsedMs: 2000,
      }),
    ).toBe('2.0 MB / 8.0 MB (25%) · 20,000 lines · 10,000 lines/s · 1.0 MB/s');
    expect(formatProgress({ bytes: 512, lines: undefined, totalBytes: 512, elapsedMs: 0 })).toBe(
      '512 B / 512 B (100%)',
    );
  });
});

describe('startProgressDisplay', () => {
  it('draws the final line with the elapsed time of the injected clock', () => {
    const clock = new ManualClock(1_000);
    let written = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const counter = new ProgressCounter();
    counter.bytes = 4096;
    counter.lines = 100;
    const display = startProgressDisplay(counter, 4096, false, {
      stream,
      clock,
      intervalMs: 60_000,
    });
    clock.advance(4_000);
    display.stop();
    display.stop();
    expect(written).toBe('   4.0 KB / 4.0 KB (100%) · 100 lines · 25 lines/s · 1.0 KB/s\n');
  });
});
