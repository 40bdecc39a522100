import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { formatProblem, loadTemplateSet } from '@pulse/templates';
import type { TemplateSet } from '@pulse/templates';
import { loadCampaigns, parseCampaign } from './campaigns';
import { loadRendererConfig } from './load-config';

const VALID = `id: promo
name: Promo
trigger: { segment: engaged, change: entered }
template: promo
subject: 'Hi {{firstName}}'
from: 'Shop <a@shop.example.com>'
category: marketing
`;

const templates = (): TemplateSet => {
  const { set, problems } = loadTemplateSet([
    { path: 'emails/promo.html.hbs', text: '<p>Hi {{firstName}}</p>' },
  ]);
  if (!set) throw new Error(problems.map(formatProblem).join('\n'));
  return set;
};

const problemsOf = (source: string) =>
  parseCampaign('c.yaml', source).problems.map((p) => `${p.line}: ${p.message}`);

describe('parseCampaign', () => {
  it('reads the launch policy and re-eligibility, defaulting to every trigger', () => {
    expect(parseCampaign('c.yaml', VALID).campaign).toMatchObject({
      launch: 'existing-members',
      reeligible: null,
    });
    const once = parseCampaign('c.yaml', `${VALID}launch: new-entrants-only\nreeligible: once\n`);
    expect(once.campaign).toMatchObject({
      launch: 'new-entrants-only',
      reeligible: { kind: 'once' },
    });
    const every = parseCampaign('c.yaml', `${VALID}reeligible: { every: 30d }\n`);
    expect(every.campaign?.reeligible).toEqual({ kind: 'every', everyMs: 30 * 86_400_000 });
  });

  it('names the line of a bad launch policy or re-eligibility', () => {
    expect(problemsOf(`${VALID}launch: everyone\n`)).toEqual([
      '8: launch must be existing-members or new-entrants-only',
    ]);
    expect(problemsOf(`${VALID}reeligible: twice\n`)).toEqual([
      '8: reeligible must be "once" or { every: 30d }',
    ]);
    expect(problemsOf(`${VALID}reeligible: { every: soon }\n`)).toEqual([
      '8: every must be a duration such as 30m, 24h, 7d',
    ]);
  });

  it('reads every field of a full campaign', () => {
    const { campaign, problems } = parseCampaign(
      'c.yaml',
      `${VALID}preheader: 'See {{cart.itemCount}}'
delay: 30m
priority: 7
cap: { max: 2, per: 7d }
quiet_hours: { from: '21:30', to: '08:00' }
holdout: 10%
variants:
  - { name: A, weight: 3 }
  - { name: B, subject: 'Other', template: promo }
`,
    );
    expect(problems).toEqual([]);
    expect(campaign).toMatchObject({
      id: 'promo',
      trigger: { kind: 'segment', segmentId: 'engaged', change: 'entered' },
      delayMs: 1_800_000,
      priority: 7,
      category: 'marketing',
      cap: { max: 2, perMs: 7 * 86_400_000 },
      quietHours: { from: 21 * 60 + 30, to: 8 * 60 },
      holdout: 0.1,
      subject: { source: 'Hi {{firstName}}', file: 'c.yaml', line: 5 },
      preheader: { source: 'See {{cart.itemCount}}', line: 8 },
      variants: [
        { name: 'A', weight: 3, subject: null, template: null },
        { name: 'B', weight: 1, subject: { source: 'Other' }, template: 'promo' },
      ],
    });
  });

  it('reads an event trigger and defaults a segment change to entered', () => {
    const event = parseCampaign(
      'c.yaml',
      VALID.replace('{ segment: engaged, change: entered }', '{ event: Cart Abandoned }'),
    );
    expect(event.campaign?.trigger).toEqual({ kind: 'event', eventType: 'Cart Abandoned' });
    const segment = parseCampaign('c.yaml', VALID.replace(', change: entered', ''));
    expect(segment.campaign?.trigger).toMatchObject({ change: 'entered' });
  });

  it.each([
    [
      'a missing required field',
      VALID.replace(/^subject:.*\n/m, ''),
      '1: a campaign needs "subject"',
    ],
    ['an unknown key', `${VALID}colour: blue\n`, '8: unknown key "colour"'],
    [
      'a bad category',
      VALID.replace('category: marketing', 'category: promo'),
      '7: category must be marketing or transactional',
    ],
    ['a bad delay', `${VALID}delay: soon\n`, '8: delay must be a duration such as 30m, 24h, 7d'],
    [
      'a bad quiet-hours time',
      `${VALID}quiet_hours: { from: '25:00', to: '08:00' }\n`,
      '8: from must be a time HH:MM',
    ],
    [
      'a holdout over 100%',
      `${VALID}holdout: 120%\n`,
      '8: holdout must be a share between 0% and 100%',
    ],
    [
      'a trigger naming both',
      VALID.replace('{ segment: engaged, change: entered }', '{ segment: engaged, event: X }'),
      '3: trigger needs either "segment" (with "change") or "event"',
    ],
    [
      'a bad change',
      VALID.replace('change: entered', 'change: left'),
      '3: change must be entered or exited',
    ],
    ['a cap without per', `${VALID}cap: { max: 1 }\n`, '8: cap needs "per"'],
  ])('reports %s with its line', (_what, source, expected) => {
    const found = problemsOf(source);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected.split(': ')[0] + ': ');
    expect(found[0]?.toLowerCase()).toContain(
      expected.split(': ').slice(1).join(': ').toLowerCase(),
    );
  });

  it('reports broken YAML with its line', () => {
    const { campaign, problems } = parseCampaign('c.yaml', 'id: x\nname: [unclosed\n');
    expect(campaign).toBeNull();
    expect(problems[0]).toMatchObject({ file: 'c.yaml' });
    expect(problems[0]?.line).toBeGreaterThanOrEqual(2);
  });
});

describe('loadCampaigns', () => {
  it('compiles subjects per variant and the preheader', () => {
    const { campaigns, problems } = loadCampaigns(
      [
        {
          path: 'p.yaml',
          text: `${VALID}preheader: '{{pluralize 2 "item"}}'\nvariants:\n  - { name: A }\n  - { name: B, subject: 'B for {{firstName}}' }\n`,
        },
      ],
      templates(),
    );
    expect(problems).toEqual([]);
    const data = { customer: { firstName: 'Ola' } };
    expect(campaigns[0]?.renderSubject('A', data)).toBe('Hi Ola');
    expect(campaigns[0]?.renderSubject('B', data)).toBe('B for Ola');
    expect(campaigns[0]?.renderPreheader(data)).toBe('2 items');
  });

  it('leaves out campaigns with unknown templates, duplicate ids or bad subjects, naming file and line', () => {
    const { campaigns, problems } = loadCampaigns(
      [
        { path: 'a.yaml', text: VALID },
        { path: 'b.yaml', text: VALID },
        {
          path: 'c.yaml',
          text: VALID.replace('id: promo', 'id: c').replace('template: promo', 'template: nope'),
        },
        {
          path: 'd.yaml',
          text: VALID.replace('id: promo', 'id: d').replace(
            "'Hi {{firstName}}'",
            "'Hi {{shout customer.firstName}}'",
          ),
        },
        {
          path: 'e.yaml',
          text: VALID.replace('id: promo', 'id: e').replace("'Hi {{firstName}}'", "'Hi {{#if x}}'"),
        },
      ],
      templates(),
    );
    expect(campaigns.map((c) => c.id)).toEqual(['promo']);
    const byFile = problems.map((p) => `${p.file}:${p.line} ${p.message}`);
    expect(byFile).toEqual([
      'b.yaml:1 duplicate campaign id promo',
      'c.yaml:1 unknown template "nope" (known: promo)',
      expect.stringMatching(/^d\.yaml:5 .*shout/),
      expect.stringMatching(/^e\.yaml:5 /),
    ]);
  });
});

describe('shipped campaigns', () => {
  it('load with the shipped templates, one per shipped segment and the cart reminder', () => {
    const loaded = loadRendererConfig(path.resolve(__dirname, '../../../config'));
    expect(loaded.campaigns.map((c) => [c.id, c.trigger]).sort()).toEqual(
      [
        ['cart-abandon-1', { kind: 'event', eventType: 'Cart Abandoned' }],
        ['engaged-preview', { kind: 'segment', segmentId: 'engaged', change: 'entered' }],
        [
          'frequent-buyers-promo',
          { kind: 'segment', segmentId: 'frequent-buyers', change: 'entered' },
        ],
        ['loyalty-offer', { kind: 'segment', segmentId: 'loyal-customers', change: 'entered' }],
        ['re-engagement-at-risk', { kind: 'segment', segmentId: 'at-risk', change: 'entered' }],
        [
          're-engagement-disengaged',
          { kind: 'segment', segmentId: 'disengaged', change: 'entered' },
        ],
        [
          're-engagement-inactive',
          { kind: 'segment', segmentId: 'inactive-buyers', change: 'entered' },
        ],
        [
          'welcome-new-customer',
          { kind: 'segment', segmentId: 'rfm-new-customers', change: 'entered' },
        ],
      ].sort(),
    );
  });
});
