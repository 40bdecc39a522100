import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** The shipped config folder (templates, campaigns, catalog). */
export const CONFIG_DIR = path.resolve(__dirname, '../../../config');

/** A profile builder stand-in: serves `GET /v1/profiles/:id` from a map the test fills. */
export async function startProfileServer(
  profiles: Record<string, unknown>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const id = decodeURIComponent((req.url ?? '').replace('/v1/profiles/', ''));
    const p = profiles[id];
    res.writeHead(p ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(p ?? { error: 'unknown_customer' }));
  });
  return listen(server);
}

/** Serves a request handler on a random local port. */
export async function startHttp(
  handler: RequestListener,
): Promise<{ url: string; close: () => Promise<void> }> {
  return listen(createServer(handler));
}

async function listen(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A profile the shipped templates render fully for. */
export function profileFor(
  customerId: string,
  email: string,
  traits: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    customerId,
    identities: { emails: [email] },
    traits: { first_name: 'Maya', timezone: 'UTC', locale: 'en-US', ...traits },
    purchases: { orders: 2, products: [], categories: {} },
    browsing: { categories: {} },
    email: { unsubscribed: false, hardBounces: 0, complaints: 0 },
    derived: { productsViewedLast24h: [], categoryAffinity: [], email: { openRate: 0.2 } },
  };
}
