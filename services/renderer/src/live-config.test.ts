import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { formatProblem } from '@pulse/templates';
import { createLiveConfig } from './live-config';
import { configFingerprint, loadRendererConfig, tryLoadRendererConfig } from './load-config';

const SHIPPED = resolve(__dirname, '../../../config');
const dirs: string[] = [];

/** A copy of the shipped config to edit, as a marketer would edit the live folder. */
function configCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'renderer-config-'));
  dirs.push(dir);
  for (const folder of ['templates', 'campaigns', 'catalog'])
    cpSync(join(SHIPPED, folder), join(dir, folder), { recursive: true });
  return dir;
}

function live(dir: string, ordersFile?: string) {
  const options = ordersFile ? { ordersFile } : {};
  return createLiveConfig({
    initial: loadRendererConfig(dir, options),
    load: () => tryLoadRendererConfig(dir, options),
    fingerprint: () => configFingerprint(dir, options),
    logger: silentLogger(),
    pollMs: 0,
  });
}

const welcome = (dir: string) => join(dir, 'templates/emails/welcome.html.hbs');
const render = (cfg: ReturnType<ReturnType<typeof live>['current']>) =>
  cfg.templates.render('welcome', { customer: { firstName: 'Maya' }, recommendations: [] }).html;

/** The edit, with an mtime the fingerprint surely sees as new. */
function write(path: string, text: string): void {
  writeFileSync(path, text);
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('hot reload', () => {
  it('serves an edited template after a check, and nothing changes without an edit', () => {
    const dir = configCopy();
    const config = live(dir);
    expect(config.check()).toEqual({ status: 'unchanged' });
    write(welcome(dir), `<h1>Hello again, {{firstName}}</h1>\n`);
    expect(config.check()).toEqual({ status: 'reloaded' });
    expect(render(config.current())).toContain('Hello again, Maya');
    expect(config.check()).toEqual({ status: 'unchanged' });
  });

  it('keeps the previous version when a template names an unknown helper, reporting file:line', () => {
    const dir = configCopy();
    const config = live(dir);
    const before = config.current();
    const original = readFileSync(welcome(dir), 'utf8');
    write(welcome(dir), `<h1>Hi</h1>\n<p>{{shout customer.firstName}}</p>\n`);
    const outcome = config.check();
    expect(outcome.status).toBe('failed');
    const problems = outcome.status === 'failed' ? outcome.problems.map(formatProblem) : [];
    expect(problems.join('\n')).toMatch(/^templates\/emails\/welcome\.html\.hbs:2:\d+: .*shout/m);
    expect(config.current()).toBe(before);
    expect(render(config.current())).toContain('Welcome, Maya!');
    // Fixed again: the fixed version serves.
    write(welcome(dir), `${original}<p>fixed</p>\n`);
    expect(config.check()).toEqual({ status: 'reloaded' });
    expect(render(config.current())).toContain('fixed');
  });

  it('keeps the previous version when a template does not compile', () => {
    const dir = configCopy();
    const config = live(dir);
    write(welcome(dir), `<h1>Hi</h1>\n\n<p>{{#if customer.firstName}}unclosed</p>\n`);
    const outcome = config.check();
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.problems[0]).toMatchObject({
      file: 'templates/emails/welcome.html.hbs',
    });
    expect(render(config.current())).toContain('Welcome, Maya!');
  });

  it('adds a campaign and its trigger event on reload, and re-mines co-purchases when orders change', () => {
    const dir = configCopy();
    const orders = join(dir, 'orders.ndjson');
    const line = (id: string, customer: string, ...products: string[]) =>
      JSON.stringify({
        order_id: id,
        customer_id: customer,
        products: products.map((p) => ({ product_id: p })),
      });
    write(orders, `${line('o1', 'ann', 'a', 'b')}\n`);
    const config = live(dir, orders);
    expect(config.current().coPurchases.size).toBe(0); // one customer: below the support of 2
    write(orders, `${line('o1', 'ann', 'a', 'b')}\nnot json\n${line('o2', 'bob', 'a', 'b')}\n`);
    write(
      join(dir, 'campaigns/back-in-stock.yaml'),
      [
        'id: back-in-stock',
        'name: Back in stock',
        "trigger: { event: 'Back In Stock' }",
        'template: welcome',
        "subject: 'It is back'",
        "from: 'Shop <hello@shop.example.com>'",
        'category: marketing',
        '',
      ].join('\n'),
    );
    expect(config.check()).toEqual({ status: 'reloaded' });
    expect(config.current().coPurchases.get('a')).toEqual(['b']);
    expect(config.current().eventTypes.has('Back In Stock')).toBe(true);
    expect(config.current().campaigns.map((c) => c.id)).toContain('back-in-stock');
  });
});
