import { Analytics } from '@segment/analytics-node';
import type { Step } from './journeys';

export interface DriverOptions {
  ingestUrl: string;
  browserKey: string;
  serverKey: string;
}

export interface DriveResult {
  sent: number;
  acknowledged: number;
  failed: number;
  pixels: number;
  errors: string[];
}

/**
 * Plays the steps at their times through ingest: the shop's pages with a real Segment client on
 * the browser key (some as pixel GETs), its backend's calls on the server key.
 */
export async function drive(
  steps: readonly Step[],
  options: DriverOptions,
  signal?: AbortSignal,
): Promise<DriveResult> {
  const client = (writeKey: string): Analytics =>
    new Analytics({
      writeKey,
      host: options.ingestUrl,
      flushAt: 20,
      flushInterval: 200,
      maxRetries: 3,
    });
  const clients = { browser: client(options.browserKey), server: client(options.serverKey) };
  const result: DriveResult = { sent: 0, acknowledged: 0, failed: 0, pixels: 0, errors: [] };
  const pending: Promise<void>[] = [];
  const record = (err: unknown): void => {
    if (err) {
      result.failed += 1;
      if (result.errors.length < 10)
        result.errors.push(err instanceof Error ? err.message : String(err));
    } else {
      result.acknowledged += 1;
    }
  };
  const ordered = [...steps].sort((a, b) => a.at - b.at);
  const start = Date.now();
  for (const step of ordered) {
    if (signal?.aborted) break;
    const wait = start + step.at - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    result.sent += 1;
    if (step.pixel) {
      result.pixels += 1;
      const data = Buffer.from(
        JSON.stringify({ writeKey: options.browserKey, ...step.message }),
      ).toString('base64url');
      pending.push(
        fetch(`${options.ingestUrl}/v1/pixel/${step.call}?data=${data}`).then(
          (res) =>
            record(res.status === 200 ? undefined : new Error(`pixel answered ${res.status}`)),
          record,
        ),
      );
      continue;
    }
    const analytics = clients[step.source];
    pending.push(
      new Promise<void>((resolve) => {
        const done = (err?: unknown): void => {
          record(err);
          resolve();
        };
        // The Segment client's message types are unions per call; the steps carry valid ones.
        const message = step.message as never;
        if (step.call === 'identify') analytics.identify(message, done);
        else if (step.call === 'page') analytics.page(message, done);
        else analytics.track(message, done);
      }),
    );
  }
  await Promise.all([clients.browser.closeAndFlush(), clients.server.closeAndFlush()]);
  await Promise.all(pending);
  return result;
}
