import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { adminRefusal } from './admin-api';
import { createRendererHttpHandler } from './http-api';
import { staticContent } from './live-config';
import { loadRendererConfig } from './load-config';
import { createPreviewer, parsePreviewRequest } from './preview';
import type { Profile } from './profile-source';

const loaded = loadRendererConfig(path.resolve(__dirname, '../../../config'));
const stored: Record<string, Profile> = {
  maya: { customerId: 'maya', traits: { first_name: 'Maya', state: 'CA' } },
};
const preview = createPreviewer({
  content: staticContent(loaded),
  profiles: { get: async (id) => stored[id] ?? null },
  now: () => Date.UTC(2025, 2, 14, 15, 0),
  brand: 'Shop',
  shopUrl: 'https://shop.example.com',
  unsubscribeUrl: 'https://shop.example.com/v1/unsubscribe?t=preview',
});
const cart = {
  lines: [
    {
      product_id: 'p1',
      name: 'Trail Runner 2',
      price: 89.9,
      quantity: 2,
      currency: 'USD',
      url: null,
      image_url: null,
    },
  ],
  value: 179.8,
  currency: 'USD',
};

describe('preview', () => {
  it('renders a stored profile as a send would, sending nothing', async () => {
    const out = await preview({ campaign: 'engaged-preview', profileId: 'maya' });
    expect(out).toMatchObject({
      ok: true,
      campaignId: 'engaged-preview',
      customerId: 'maya',
      variant: null,
      subject: 'A first look, just for you, Maya',
    });
    if (!out.ok) throw new Error('expected a preview');
    expect(out.html).toContain('California exclusive');
    expect(out.text).toContain('Maya, a preview just for you');
  });

  it('renders an inline fixture profile with a cart and a chosen variant', async () => {
    const out = await preview({
      campaign: 'cart-abandon-1',
      profile: { customerId: 'x', traits: {} },
      variant: 'B',
      cart,
    });
    expect(out).toMatchObject({
      ok: true,
      variant: 'B',
      subject: 'Hey, still thinking about it?',
    });
    if (!out.ok) throw new Error('expected a preview');
    expect(out.preheader).toBe('2 items saved in your cart');
    expect(out.text).toContain('- Trail Runner 2 x2: $89.90');
  });

  it('names what is wrong', async () => {
    expect(await preview({ campaign: 'nope', profileId: 'maya' })).toMatchObject({
      ok: false,
      status: 404,
      error: 'unknown_campaign',
    });
    expect(await preview({ campaign: 'engaged-preview', profileId: 'ghost' })).toMatchObject({
      status: 404,
      error: 'unknown_customer',
    });
    expect(
      await preview({ campaign: 'engaged-preview', profileId: 'maya', variant: 'Z' }),
    ).toMatchObject({ status: 400 });
    expect(
      await preview({
        campaign: 'engaged-preview',
        profile: { customerId: 'b', purchases: { products: 5 } },
      }),
    ).toMatchObject({ status: 422, error: 'render_failed' });
    expect(parsePreviewRequest({ profileId: 'x' })).toBe('campaign: required, a campaign id');
    expect(parsePreviewRequest({ campaign: 'c' })).toBe('profileId or profile: give exactly one');
    expect(parsePreviewRequest({ campaign: 'c', profileId: 'a', profile: {} })).toBe(
      'profileId or profile: give exactly one',
    );
  });
});

describe('POST /v1/preview', () => {
  const server = createServer(
    createRendererHttpHandler({
      preview,
      adminToken: 'tok',
      logger: silentLogger(),
      unsubscribe: (_req, res) => {
        res.writeHead(299);
        res.end();
      },
    }),
  );
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // TCP server
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const post = (body: string, token = 'tok') =>
    fetch(`${base}/v1/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });

  it('answers the rendered email as JSON with the admin token', async () => {
    const res = await post(JSON.stringify({ campaign: 'engaged-preview', profileId: 'maya' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        'campaignId',
        'customerId',
        'from',
        'html',
        'preheader',
        'subject',
        'text',
        'variant',
      ].sort(),
    );
    expect(body.subject).toBe('A first look, just for you, Maya');
    expect(body.from).toBe(loaded.campaigns.find((c) => c.id === 'engaged-preview')?.from);
  });

  it('refuses a missing token, bad JSON and bad fields, and routes the rest to unsubscribe', async () => {
    expect((await post('{}', 'wrong')).status).toBe(401);
    expect((await post('{nope')).status).toBe(400);
    const res = await post(JSON.stringify({ campaign: 'engaged-preview' }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'bad_request',
      message: 'profileId or profile: give exactly one',
    });
    expect((await fetch(`${base}/v1/preview`)).status).toBe(405);
    expect((await fetch(`${base}/v1/unsubscribe?t=x`)).status).toBe(299);
  });
});

describe('preview and admin APIs without RENDERER_ADMIN_TOKEN', () => {
  const closed = createServer(
    createRendererHttpHandler({
      preview: async () => {
        throw new Error('a closed API never renders');
      },
      adminToken: '',
      logger: silentLogger(),
      unsubscribe: (_req, res) => {
        res.writeHead(299);
        res.end();
      },
    }),
  );
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`; // TCP server
  });
  afterAll(() => new Promise<void>((r) => closed.close(() => r())));

  it('are closed even to loopback callers, with a message naming the variable', async () => {
    const res = await fetch(`${base}/v1/preview`, {
      method: 'POST',
      headers: { authorization: 'Bearer anything' },
      body: JSON.stringify({ campaign: 'engaged-preview', profileId: 'maya' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: 'admin_token_required',
      message: expect.stringContaining('set RENDERER_ADMIN_TOKEN'),
    });
  });

  it('refuses admin calls the same way (the admin handler decides them)', () => {
    const refused = adminRefusal(
      { headers: { authorization: 'Bearer x' } } as IncomingMessage, // only headers are read
      '',
    );
    expect(refused?.status).toBe(403);
    expect(adminRefusal({ headers: {} } as IncomingMessage, 'tok')?.status).toBe(401);
    expect(
      adminRefusal({ headers: { authorization: 'Bearer tok' } } as IncomingMessage, 'tok'),
    ).toBeUndefined();
  });
});
