import { describe, expect, it } from '@jest/globals';
import { buildCatalog } from './catalog';
import { parseCatalogFile, parseSegmentFile } from './parse-file';
import { formatProblem } from './problems';
import { loadSegmentSet } from './segment-set';

const catalog = buildCatalog({
  traits: { vip: 'boolean', lifetime_value: 'number', tags: 'list' },
  events: ['Wishlist Shared'],
});

function seg(rule: string, id = 'test'): string {
  return `id: ${id}\nname: Test\ndescription: A test segment\nrule:\n${rule
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n`;
}

function problemsOf(text: string, file = 'x.yaml') {
  const r = parseSegmentFile({ file, text }, catalog);
  return r.ok ? [] : r.problems;
}

describe('parseSegmentFile', () => {
  it('parses every kind of condition', () => {
    const text = seg(`all:
  - trait: country
    in: [FR, DE]
  - trait: birthdate
    lt: '2000-01-01'
  - trait: consent.email_marketing
    eq: true
  - trait: tags
    contains: gold
  - field: firstSeenAt
    not_within: 30d
  - event: Order Completed
    where: { total: { '>': 200 }, currency: EUR }
    count: { at_least: 2 }
    in_last: 60d
  - event: Order Completed
    sum: total
    gte: 500
    in: this_month
  - event: [page, Product Viewed]
    none_in: 90d
  - event: Cart Abandoned
    after: [Product Added, Order Completed]
  - rate: open
    gte: '50%'
    last_emails: 10
  - ratio: { of: Email Link Clicked, per: Email Delivered }
    '≥': 0.1
    in_last: 90d
  - metric: { event: Order Completed, fn: sum, property: total }
    top_percent: 10
  - rfm: { r: [4, 5], f: 5 }
  - not:
      any:
        - bucket: { salt: holdout, from: 0, to: 10 }
        - event: Wishlist Shared
          where: { network: pinterest }
          within: 7d`);
    const r = parseSegmentFile({ file: 'ok.yaml', text }, catalog);
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual([]);
    if (!r.ok) return;
    expect(r.value.id).toBe('test');
    expect(r.value.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.value.rule.kind).toBe('all');
    const kinds = r.value.rule.kind === 'all' ? r.value.rule.of.map((c) => c.kind) : [];
    expect(kinds).toEqual([
      'value',
      'value',
      'value',
      'value',
      'value',
      'count',
      'stat',
      'recency',
      'after',
      'ratio',
      'ratio',
      'percentile',
      'all',
      'not',
    ]);
    const birth = r.value.rule.kind === 'all' ? r.value.rule.of[1] : undefined;
    expect(birth).toMatchObject({ type: 'date', cmp: { op: 'lt', value: Date.UTC(2000, 0, 1) } });
  });

  it('reports an unknown trait with its file and line', () => {
    const p = problemsOf(
      seg(`all:\n  - trait: country\n    eq: FR\n  - trait: loyalty_tier\n    eq: gold`),
      'tiers.yaml',
    );
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ file: 'tiers.yaml', line: 8 });
    expect(p[0]?.message).toContain("unknown trait 'loyalty_tier'");
  });

  it.each([
    ['unknown event', `event: Order Complete\nin_last: 7d`, "unknown event 'Order Complete'", 5],
    [
      'unknown property',
      `event: Order Completed\nwhere: { value: { gt: 200 } }\nin_last: 7d`,
      "unknown property 'value'",
      6,
    ],
    ['missing window', `event: Order Completed\ncount: { at_least: 3 }`, 'needs a window', 5],
    ['bad duration', `event: page\nwithin: 3 months`, 'unknown unit', 6],
    ['type mismatch', `trait: consent.email_marketing\neq: yes`, 'must be true or false', 6],
    ['two comparisons', `trait: country\neq: FR\nne: DE`, 'more than one comparison', 7],
    ['unknown key', `trait: country\neq: FR\nunless: DE`, "unknown key 'unless'", 7],
    [
      'contains on a number',
      `trait: lifetime_value\ncontains: 3`,
      'contains applies to texts and lists',
      6,
    ],
    ['bad rate', `rate: bounce\ngte: 0.5\nin_last: 30d`, "rate: must be 'open' or 'click'", 5],
    ['bad quintile', `rfm: { r: 6 }`, 'quintile 1–5', 5],
    ['bad bucket', `bucket: { salt: x, from: 50, to: 10 }`, '0 ≤ from < to ≤ 100', 5],
    ['two heads', `trait: country\nevent: page\neq: FR`, 'one condition per item', 6],
  ])('reports %s', (_name, rule, message, line) => {
    const p = problemsOf(seg(rule));
    expect(p[0]?.message).toContain(message);
    expect(p[0]?.line).toBe(line);
  });

  it('reports YAML syntax errors and missing fields with lines', () => {
    expect(problemsOf('id: a\nname: [unclosed\n')[0]?.line).toBeGreaterThanOrEqual(2);
    const p = problemsOf('id: a\nname: A\nrule:\n  trait: country\n  eq: FR\n');
    expect(p[0]?.message).toBe("missing 'description'");
    expect(problemsOf(seg('trait: country\neq: FR', 'Bad Id'))[0]?.message).toContain(
      "id 'Bad Id'",
    );
  });

  it('keeps the hash across formatting and comment edits, and changes it on a rule edit', () => {
    const a = parseSegmentFile({ file: 'a', text: seg('trait: country\neq: FR') }, catalog);
    const b = parseSegmentFile(
      { file: 'a', text: `# comment\n${seg('trait: country\neq:   FR')}` },
      catalog,
    );
    const c = parseSegmentFile({ file: 'a', text: seg('trait: country\neq: DE') }, catalog);
    const hash = (r: typeof a) => (r.ok ? r.value.hash : '');
    expect(hash(a)).toBe(hash(b));
    expect(hash(a)).not.toBe(hash(c));
  });
});

describe('parseCatalogFile', () => {
  it('reads custom traits and events, refusing unknown types', () => {
    const ok = parseCatalogFile({
      file: '_catalog.yaml',
      text: 'traits:\n  vip: boolean\nevents: [Quiz Completed]\n',
    });
    expect(ok).toEqual({
      ok: true,
      value: { traits: { vip: 'boolean' }, events: ['Quiz Completed'] },
    });
    const bad = parseCatalogFile({ file: '_catalog.yaml', text: 'traits:\n  vip: yesno\n' });
    expect(bad.ok ? null : bad.problems[0]).toMatchObject({
      line: 2,
      message: expect.stringContaining('type must be'),
    });
  });
});

describe('loadSegmentSet', () => {
  const file = (id: string, rule: string) => ({ file: `${id}.yaml`, text: seg(rule, id) });

  it('detects cycles at load and leaves out their readers, keeping the rest', () => {
    const { set, problems } = loadSegmentSet(
      [
        file('a', 'segment: b'),
        file('b', 'any:\n  - segment: c\n  - trait: country\n    eq: FR'),
        file('c', 'segment: a'),
        file('d', 'segment: a'),
        file('e', 'trait: country\n  eq: FR'.replace('\n  ', '\n')),
        file('f', 'segment: nowhere'),
      ],
      { catalog },
    );
    expect(set.segments.map((s) => s.id)).toEqual(['e']);
    const messages = problems.map(formatProblem);
    expect(messages).toEqual(
      expect.arrayContaining([
        'a.yaml:5:3: segment cycle: a → b → c → a',
        'b.yaml:6:7: segment cycle: a → b → c → a',
        'c.yaml:5:3: segment cycle: a → b → c → a',
        "d.yaml:5:3: depends on segment 'a', which did not load",
        "f.yaml:5:3: unknown segment 'nowhere'",
      ]),
    );
  });

  it('orders segments after the ones they read and numbers versions by content', () => {
    const files = [file('late', 'segment: early'), file('early', 'trait: country\neq: FR')];
    const first = loadSegmentSet(files, { catalog }).set;
    expect(first.segments.map((s) => s.id)).toEqual(['early', 'late']);
    expect(first.get('early')?.version.number).toBe(1);
    const previous = new Map(first.segments.map((s) => [s.id, s.version]));
    const edited = [file('late', 'segment: early'), file('early', 'trait: country\neq: DE')];
    const second = loadSegmentSet(edited, { catalog, previous }).set;
    expect(second.get('early')?.version.number).toBe(2);
    expect(second.get('late')?.version).toEqual(first.get('late')?.version);
  });

  it('reports a duplicate id and an invalid catalog file without failing the load', () => {
    const { set, problems } = loadSegmentSet([
      { file: '_catalog.yaml', text: 'traits:\n  vip: boolean\n' },
      file('v', 'trait: vip\neq: true'),
      { file: 'v2.yaml', text: seg('trait: vip\neq: false', 'v') },
    ]);
    expect(set.segments.map((s) => s.id)).toEqual(['v']);
    expect(problems.map(formatProblem)).toEqual([
      "v2.yaml:1:1: segment id 'v' is already defined in v.yaml",
    ]);
  });
});
