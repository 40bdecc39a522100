import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseSourcePolicies, withPolicies } from './source-config';
import { allows, BUILT_IN_DEFAULTS, pagePropertiesFor, propertiesFor } from './source-policy';
import { parseSources, type Trust } from './sources';

const trusts: Record<string, Trust> = { web: 'browser', backend: 'server' };
const trustOf = (id: string) => trusts[id];
const parse = (text: string) => parseSourcePolicies(text, 'sources.yaml', trustOf);

describe('parseSourcePolicies', () => {
  it('reads the repository file', () => {
    const file = 'config/sources.yaml';
    const policies = parseSourcePolicies(readFileSync(file, 'utf8'), file, trustOf);
    const web = policies.bySource.get('web')!;
    expect(allows(web.events, 'Product Viewed')).toBe(true);
    expect(allows(web.calls, 'alias')).toBe(false);
    expect(web.rate).toEqual({ perSecond: 1000, burst: 5000 });
    expect(allows(propertiesFor(web.properties, 'Product Viewed'), 'price')).toBe(true);
    expect(allows(propertiesFor(web.properties, 'Checkout Started'), 'revenue')).toBe(false);
    expect(allows(propertiesFor(web.properties, 'Checkout Started'), 'total')).toBe(false);
  });

  it('fills unset parts from the defaults of the trust, patterns match by prefix', () => {
    const policies = parse(`
defaults:
  server: { rate: unlimited }
sources:
  web:
    events: [Product *, Cart Viewed]
  backend: {}
`);
    const web = policies.bySource.get('web')!;
    expect(allows(web.events, 'Product Added')).toBe(true);
    expect(allows(web.events, 'Checkout Started')).toBe(false);
    expect(web.traits).toBe(BUILT_IN_DEFAULTS.browser.traits);
    expect(web.rate).toEqual(BUILT_IN_DEFAULTS.browser.rate);
    expect(policies.bySource.get('backend')!.rate).toBeNull();
  });

  it('refuses a browser source allowed an order/email event or the email trait, with file:line', () => {
    const text = `sources:
  web:
    events: [Product Viewed, Order Completed]
    traits:
      - first_name
      - email
`;
    expect(() => parse(text)).toThrow(/sources\.yaml:3:30 .*'Order Completed'/);
    expect(() => parse(text)).toThrow(/sources\.yaml:6:9 .*'email'/);
  });

  it('lets a server source list them', () => {
    const policies = parse(`sources:\n  backend: { events: [Order Completed], traits: [email] }\n`);
    expect(allows(policies.bySource.get('backend')!.traits, 'email')).toBe(true);
  });

  it('names unknown keys, bad call types and rates, and YAML errors, each with its line', () => {
    const text = `sources:
  backend:
    event: [x]
    calls: [track, purchase]
    rate: { per_second: 0, burst: 3, window: 1 }
other: 1
`;
    const message = (() => {
      try {
        parse(text);
        return '';
      } catch (err) {
        return String(err);
      }
    })();
    expect(message).toMatch(/sources\.yaml:3:5 unknown key 'event'/);
    expect(message).toMatch(/sources\.yaml:4:20 .*'purchase'/);
    expect(message).toMatch(/sources\.yaml:5:11 .*per_second must be a number of at least/);
    expect(message).toMatch(/sources\.yaml:5:38 unknown key 'window'/);
    expect(message).toMatch(/sources\.yaml:6:1 unknown key 'other'/);
    expect(() => parse('sources:\n  web: [\n')).toThrow(/sources\.yaml:\d+:\d+/);
  });

  it('reports sources the writeKeys do not have, checking them as browser sources', () => {
    expect(parse('sources:\n  etl: {}\n').unknown).toEqual(['etl']);
    expect(() => parse('sources:\n  etl: { traits: [email] }\n')).toThrow(/email/);
  });
});

describe('properties', () => {
  it('reads per-event lists, prefix entries longest first, and *', () => {
    const { properties } = parse(`sources:
  web:
    properties:
      '*': [label]
      'Product *': [product_id]
      'Product List *': [list_id]
      Product Viewed: [product_id, price]
`).bySource.get('web')!;
    expect(allows(propertiesFor(properties, 'Product Viewed'), 'price')).toBe(true);
    expect(allows(propertiesFor(properties, 'Product Added'), 'price')).toBe(false);
    expect(allows(propertiesFor(properties, 'Product List Viewed'), 'list_id')).toBe(true);
    expect(allows(propertiesFor(properties, 'Signed Up'), 'label')).toBe(true);
    expect(allows(propertiesFor(properties, 'Signed Up'), 'method')).toBe(false);
  });

  it('reads page, screen and products[] entries, which * and patterns do not cover', () => {
    const { properties } = parse(`sources:
  web:
    calls: [track, page, screen]
    properties:
      '*': [label]
      'p*': [x]
      page: [path, url, 'utm_*']
      'products[]': [product_id, price]
`).bySource.get('web')!;
    expect(allows(pagePropertiesFor(properties, 'page'), 'utm_source')).toBe(true);
    expect(allows(pagePropertiesFor(properties, 'page'), 'label')).toBe(false);
    expect(allows(pagePropertiesFor(properties, 'screen'), 'anything')).toBe(true);
    expect(properties.productFields && allows(properties.productFields, 'price')).toBe(true);
    expect(properties.productFields && allows(properties.productFields, 'cost')).toBe(false);
    // `page` is not a track event entry: a track event named so falls to its pattern.
    expect(allows(propertiesFor(properties, 'page'), 'x')).toBe(true);
  });

  it('names a page or screen entry the source’s calls refuse', () => {
    const text = `sources:
  web:
    calls: [track, page]
    properties:
      screen: [name]
`;
    expect(() => parse(text)).toThrow(
      /sources\.yaml:5:7 sources\.web\.properties\.screen: 'screen' is not in sources\.web\.calls/,
    );
  });

  it('defaults to any property when unset', () => {
    const web = parse('sources:\n  web: { events: [x] }\n').bySource.get('web')!;
    expect(allows(propertiesFor(web.properties, 'x'), 'revenue')).toBe(true);
  });

  it('names the entry of each problem with its line', () => {
    const text = `sources:
  web:
    events: [Product Viewed]
    properties:
      Product Viewed: price
      Order Completed: [total]
      Product Veiwed: [name]
      '': [x]
  backend:
    properties: [total]
`;
    const message = (() => {
      try {
        parse(text);
        return '';
      } catch (err) {
        return String(err);
      }
    })();
    expect(message).toMatch(
      /sources\.yaml:5:23 sources\.web\.properties\.Product Viewed must be a list/,
    );
    expect(message).toMatch(/sources\.yaml:6:7 .*'Order Completed'.*public writeKey/);
    expect(message).toMatch(/sources\.yaml:7:7 .*Product Veiwed.*not in sources\.web\.events/);
    expect(message).toMatch(/sources\.yaml:8:7 sources\.web\.properties keys must be event names/);
    expect(message).toMatch(/sources\.yaml:10:17 sources\.backend\.properties must be a mapping/);
  });
});

describe('withPolicies', () => {
  it('attaches the listed policy, else the default of the trust', () => {
    const dir = withPolicies(
      parseSources(['web:wk:browser', 'backend:sk:server', 'etl:ek:server']),
      parse('sources:\n  web: { calls: [page] }\n'),
    );
    expect(allows(dir.authenticate('wk')!.policy!.calls, 'track')).toBe(false);
    expect(dir.authenticate('ek')!.policy).toEqual(BUILT_IN_DEFAULTS.server);
  });
});
