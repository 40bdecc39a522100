import { Transform, type TransformCallback } from 'node:stream';
import type { Clock } from '@pulse/core';

/** How far an upload got: bytes handed to the socket and the lines inside them. */
export interface ProgressSnapshot {
  bytes: number;
  /** Newlines seen; undefined for gzip files (their lines are not visible to the client). */
  lines: number | undefined;
  totalBytes: number;
  elapsedMs: number;
}

const LF = 0x0a;

/**
 * A pass-through stream that counts bytes and newlines of what flows to the request. Since the
 * request applies backpressure (ingest stops reading until its Kafka acks arrive), what passed
 * here is close to what ingest has taken in.
 */
export class ProgressCounter extends Transform {
  bytes = 0;
  lines = 0;
  private lastByte = LF;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    let at = chunk.indexOf(LF);
    while (at >= 0) {
      this.lines += 1;
      at = chunk.indexOf(LF, at + 1);
    }
    if (chunk.length > 0) this.lastByte = chunk[chunk.length - 1]!;
    done(null, chunk);
  }

  /** Lines so far, counting a last line without a newline once the file ended. */
  linesSent(ended: boolean): number {
    return this.lines + (ended && this.lastByte !== LF ? 1 : 0);
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** One progress line: `4.2 MB / 10.0 MB (42%) · 51,200 lines · 12,800 lines/s · 1.0 MB/s`. */
export function formatProgress(s: ProgressSnapshot): string {
  const seconds = s.elapsedMs / 1000;
  const percent = s.totalBytes > 0 ? Math.floor((100 * s.bytes) / s.totalBytes) : 100;
  const parts = [`${formatBytes(s.bytes)} / ${formatBytes(s.totalBytes)} (${percent}%)`];
  if (s.lines !== undefined) parts.push(`${count(s.lines)} lines`);
  if (seconds > 0) {
    if (s.lines !== undefined) parts.push(`${count(s.lines / seconds)} lines/s`);
    parts.push(`${formatBytes(s.bytes / seconds)}/s`);
  }
  return parts.join(' · ');
}

export interface ProgressDisplayOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  clock: Clock;
  /** How often a line is drawn; on a terminal the line is redrawn in place. */
  intervalMs?: number;
}

/** Draws the counter's progress every interval until `stop()`, which draws the final line. */
export function startProgressDisplay(
  counter: ProgressCounter,
  totalBytes: number,
  gzip: boolean,
  options: ProgressDisplayOptions,
): { stop(): void } {
  const { stream, clock } = options;
  const tty = stream.isTTY === true;
  const started = clock.now();
  const draw = (ended: boolean) => {
    const line = formatProgress({
      bytes: counter.bytes,
      lines: gzip ? undefined : counter.linesSent(ended),
      totalBytes,
      elapsedMs: clock.now() - started,
    });
    stream.write(tty ? `\r\x1b[2K   ${line}${ended ? '\n' : ''}` : `   ${line}\n`);
  };
  const timer = setInterval(() => draw(false), options.intervalMs ?? (tty ? 200 : 5000));
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      draw(true);
    },
  };
}
