import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { formatProblem } from './problems';
import { loadTemplateSet } from './template-set';
import type { RenderData, TemplateFile } from './template-set';

const NOW = Date.UTC(2025, 2, 14, 12, 0, 0);

function filesUnder(dir: string): TemplateFile[] {
  const out: TemplateFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: relative(dir, p).split(sep).join('/'), text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

const shipped = filesUnder(join(__dirname, '../../../config/templates'));

function profile(traits: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    traits,
    purchases: { orders: 3, categories: {}, products: [], firstPurchaseAt: Date.UTC(2024, 0, 5) },
    browsing: { categories: {} },
    derived: { email: { openRate: 0.1 }, productsViewedLast24h: [] },
    ...extra,
  };
}

function data(p: unknown, over: Partial<RenderData> = {}): RenderData {
  return {
    $locale: 'en-US',
    $timeZone: 'America/New_York',
    $currency: 'USD',
    now: NOW,
    customer: { firstName: 'Maya', segments: [] },
    profile: p,
    campaign: { brand: 'Shop' },
    links: { unsubscribe: 'https://u.example/x', cart: 'https://shop.example/cart' },
    recommendations: [],
    cart: { items: [], value: 0, currency: 'USD', itemCount: 0 },
    ...over,
  };
}

const loaded = loadTemplateSet(shipped);

describe('shipped templates', () => {
  it('load without problems', () => {
    expect(loaded.problems.map(formatProblem)).toEqual([]);
    expect(loaded.set?.emailIds).toEqual([
      'cart-reminder',
      'exclusive-preview',
      'loyalty-offer',
      'promotions',
      're-engagement',
      'welcome',
    ]);
  });

  it('render the cart with money in the recipient locale, a written text part and a layout', () => {
    const set = loaded.set!;
    const out = set.render(
      'cart-reminder',
      data(profile({}), {
        $locale: 'de-DE',
        $currency: 'EUR',
        cart: {
          itemCount: 2,
          value: 1234.5,
          currency: 'EUR',
          items: [
            {
              name: 'Trail <Runner>',
              price: 1234.5,
              currency: 'EUR',
              quantity: 2,
              url: 'https://s.example/p',
            },
          ],
        },
      }),
    );
    out.html = out.html.replace(/\u00a0/g, ' ');
    out.text = out.text.replace(/\u00a0/g, ' ');
    expect(out.html).toContain('Hi Maya, you left something behind');
    expect(out.html).toContain('1.234,50 €');
    expect(out.html).toContain('Trail &lt;Runner&gt;');
    expect(out.html).toContain('<!DOCTYPE html>');
    expect(out.html).toContain('https://u.example/x');
    expect(out.text).toContain('2 items worth 1.234,50 €');
    expect(out.text).toContain('- Trail <Runner> x2: 1.234,50 € https://s.example/p');
    expect(out.text).toContain('Unsubscribe: https://u.example/x');
  });

  it('falls back to "there" without a first name and generates a text part from the HTML', () => {
    const out = loaded.set!.render(
      'promotions',
      data(profile({}), { customer: { firstName: null } }),
    );
    expect(out.html).toContain('Hi there, this week');
    expect(out.text).toContain('Hi there, this week');
    expect(out.text).not.toContain('<');
  });

  it('derives the text part at load: text layout, text partials, no hidden preheader', () => {
    const out = loaded.set!.render(
      'exclusive-preview',
      data(profile({ state: 'CA' }), {
        preheader: 'Hidden preheader',
        recommendations: [{ name: 'Case', price: 29, url: 'https://s.example/case' }],
      }),
    );
    expect(out.text).toContain('Maya, a preview just for you\n\nNew arrivals');
    expect(out.text).toContain('California exclusive: free same-day delivery');
    expect(out.text).toContain('Picked for you:\n- Case: $29.00 https://s.example/case');
    expect(out.text).toContain('--\nYou receive this email because you are a customer of Shop.');
    expect(out.text).toContain('Unsubscribe: https://u.example/x');
    expect(out.text).not.toContain('Hidden preheader');
    expect(out.text).not.toMatch(/[<>]|\n\n\n/);
  });

  it('formats dates in the recipient time zone and locale', () => {
    const p = profile({});
    p.purchases.firstPurchaseAt = Date.UTC(2024, 0, 1, 2, 0); // still Dec 31 in New York
    const out = loaded.set!.render('loyalty-offer', data(p));
    expect(out.html).toContain('3 orders with us since December 31, 2023');
  });
});

describe('layered blocks', () => {
  const hero = (p: unknown) => loaded.set!.render('promotions', data(p)).html;

  it('picks the most specific matching variant by priority', () => {
    expect(
      hero(
        profile(
          { state: 'NY' },
          { purchases: { categories: { 'Shoes/Running': 1 }, products: [] } },
        ),
      ),
    ).toContain('Winter boots for New York');
    expect(hero(profile({ state: 'NY' }))).toContain('Discover what is new');
    expect(hero(profile({ state: 'CA' }))).toContain('California exclusive');
    expect(
      hero(profile({}, { purchases: { categories: { 'Electronics/Audio': 1 }, products: [] } })),
    ).toContain('accessories for your electronics');
    expect(hero(profile({}, { derived: { email: { openRate: 0.6 } } }))).toContain(
      'most engaged readers',
    );
  });

  it('lets recent browsing beat demographics and nests conditions', () => {
    const browsing = { categories: { Bags: { views: 2, lastSeenAt: NOW - 3_600_000 } } };
    expect(hero(profile({ state: 'CA' }, { browsing }))).toContain('looked at today');
    const stale = { categories: { Bags: { views: 2, lastSeenAt: NOW - 30 * 3_600_000 } } };
    expect(hero(profile({ state: 'CA' }, { browsing: stale }))).toContain('California exclusive');
    const canada = profile(
      { country: 'CA' },
      {
        browsing: {
          categories: {
            'Outerwear/Winter Jackets': { views: 1, lastSeenAt: NOW - 2 * 86_400_000 },
          },
        },
        derived: { email: { openRate: 0.7 } },
      },
    );
    expect(hero(canada)).toContain('15% off winter jackets, prices in USD');
  });
});

describe('validation at load', () => {
  const base = shipped.filter((f) => !f.path.startsWith('emails/'));
  const problemsOf = (files: TemplateFile[]) =>
    loadTemplateSet([...base, ...files]).problems.map(formatProblem);

  it('reports unknown helpers, variables, partials and blocks with file and line', () => {
    const text =
      'Hi {{firstName}}\n{{shout customer.firstName}}\n{{custmer.email}}\n{{> nope}}\n{{block "missing"}}\n';
    expect(problemsOf([{ path: 'emails/bad.html.hbs', text }])).toEqual([
      'emails/bad.html.hbs:2:1: unknown helper "shout"',
      expect.stringMatching(/^emails\/bad\.html\.hbs:3:3: unknown variable "custmer\.email"/),
      expect.stringMatching(/^emails\/bad\.html\.hbs:4:1: unknown partial "nope"/),
      expect.stringMatching(/^emails\/bad\.html\.hbs:5:1: unknown block "missing"/),
    ]);
  });

  it('reports syntax errors with their line and keeps fields inside each unchecked', () => {
    expect(problemsOf([{ path: 'emails/x.html.hbs', text: 'a\nb\n{{foo }\nc' }])[0]).toMatch(
      /^emails\/x\.html\.hbs:3:1: Parse error/,
    );
    expect(
      problemsOf([
        {
          path: 'emails/y.html.hbs',
          text: '{{#each cart.items}}{{name}} {{money price}}{{/each}}',
        },
      ]),
    ).toEqual([]);
  });

  it('reports a bad template inside a block file at its line in the YAML', () => {
    const block =
      'id: b2\nvariants:\n  - name: x\n    when: { trait: state, eq: NY }\n    html: |\n      <p>ok</p>\n      {{nope 1}}\ndefault:\n  html: "<p>d</p>"\n';
    expect(problemsOf([{ path: 'blocks/b2.yaml', text: block }])).toEqual([
      'blocks/b2.yaml:7:1: unknown helper "nope"',
    ]);
    const badCond =
      'id: b3\nvariants:\n  - name: x\n    when: { trait: state, like: NY }\n    html: x\ndefault: { html: d }\n';
    expect(problemsOf([{ path: 'blocks/b3.yaml', text: badCond }])[0]).toMatch(
      /^blocks\/b3\.yaml:4:\d+: unknown comparison "like"/,
    );
  });

  it('compiles inline subjects without HTML escaping', () => {
    const c = loaded.set!.compileInline(
      'campaigns/x.yaml',
      3,
      'Your {{cart.items.[0].name}} & more, {{firstName}}',
    );
    if (!('render' in c)) throw new Error('expected a compiled subject');
    expect(c.render(data(profile({}), { cart: { items: [{ name: 'Trail <Runner>' }] } }))).toBe(
      'Your Trail <Runner> & more, Maya',
    );
    const bad = loaded.set!.compileInline('campaigns/x.yaml', 3, 'Hi {{upper customer.firstName}}');
    expect('problems' in bad && bad.problems.map(formatProblem)).toEqual([
      'campaigns/x.yaml:3:4: unknown helper "upper"',
    ]);
  });
});
