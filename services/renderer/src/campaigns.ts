import {
  durationMs,
  entry,
  expectMap,
  expectSeq,
  numberOf,
  onlyKeys,
  parseYamlTree,
  ProblemAt,
  required,
  scalarOf,
  stringOf,
} from '@pulse/templates';
import type { MapNode, TemplateProblem, TemplateSet, TreeNode } from '@pulse/templates';

/** What starts a campaign: entering/leaving a segment, or an event (e.g. Cart Abandoned). */
export type Trigger =
  | { kind: 'segment'; segmentId: string; change: 'entered' | 'exited' }
  | { kind: 'event'; eventType: string };

export interface Cap {
  max: number;
  perMs: number;
}

/** A text field rendered per recipient (subject, preheader), with its origin for errors. */
export interface CampaignText {
  source: string;
  file: string;
  line: number;
}

export interface Variant {
  name: string;
  weight: number;
  subject: CampaignText | null;
  template: string | null;
}

/** One validated campaign file of config/campaigns. */
export interface Campaign {
  id: string;
  name: string;
  file: string;
  trigger: Trigger;
  delayMs: number;
  template: string;
  subject: CampaignText;
  preheader: CampaignText | null;
  from: string;
  category: 'marketing' | 'transactional';
  priority: number;
  /** Per-campaign cap for one customer. */
  cap: Cap | null;
  /** Local time window (recipient's zone) in which nothing is sent: minutes after midnight. */
  quietHours: { from: number; to: number } | null;
  variants: Variant[];
  /** Share (0..1) of customers never mailed by this campaign (stable bucket). */
  holdout: number;
  /**
   * `existing-members` mails every trigger, old ones included (a new campaign replaying the
   * topic mails everyone who entered in its retention); `new-entrants-only` skips triggers
   * that happened before the campaign's launch time (recorded when a renderer first runs it).
   */
  launch: LaunchPolicy;
  /** How often one customer may get this campaign; null: on every trigger (caps still apply). */
  reeligible: Reeligibility | null;
}

export type LaunchPolicy = 'existing-members' | 'new-entrants-only';

/** `once`: never a second time; `every`: not again within `everyMs` of the last send. */
export type Reeligibility = { kind: 'once' } | { kind: 'every'; everyMs: number };

const KEYS = [
  'id',
  'name',
  'trigger',
  'delay',
  'template',
  'subject',
  'preheader',
  'from',
  'category',
  'priority',
  'cap',
  'quiet_hours',
  'variants',
  'holdout',
  'launch',
  'reeligible',
];

const text = (file: string, node: TreeNode, what: string): CampaignText => ({
  source: stringOf(node, what),
  file,
  line: node.line,
});

function duration(node: TreeNode, what: string): number {
  const ms = durationMs(stringOf(node, what));
  if (ms === undefined)
    throw new ProblemAt(node.line, node.column, `${what} must be a duration such as 30m, 24h, 7d`);
  return ms;
}

function share(node: TreeNode, what: string): number {
  const v = scalarOf(node, what);
  const n = typeof v === 'string' && v.endsWith('%') ? Number(v.slice(0, -1)) / 100 : Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new ProblemAt(node.line, node.column, `${what} must be a share between 0% and 100%`);
  return n;
}

function clock(node: TreeNode, what: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(stringOf(node, what));
  if (!m) throw new ProblemAt(node.line, node.column, `${what} must be a time HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function launch(node: TreeNode | undefined): LaunchPolicy {
  if (!node) return 'existing-members';
  const v = stringOf(node, 'launch');
  if (v !== 'existing-members' && v !== 'new-entrants-only')
    throw new ProblemAt(
      node.line,
      node.column,
      'launch must be existing-members or new-entrants-only',
    );
  return v;
}

function reeligible(node: TreeNode | undefined): Reeligibility | null {
  if (!node) return null;
  if (node.kind === 'scalar' && node.value === 'once') return { kind: 'once' };
  if (node.kind === 'map') {
    onlyKeys(node, ['every'], 'reeligible');
    return {
      kind: 'every',
      everyMs: duration(required(node, 'every', 'reeligible').value, 'every'),
    };
  }
  throw new ProblemAt(node.line, node.column, 'reeligible must be "once" or { every: 30d }');
}

function trigger(m: MapNode): Trigger {
  onlyKeys(m, ['segment', 'change', 'event'], 'trigger');
  const event = entry(m, 'event');
  const segment = entry(m, 'segment');
  if (event && !segment) return { kind: 'event', eventType: stringOf(event.value, 'event') };
  if (!segment || event)
    throw new ProblemAt(
      m.line,
      m.column,
      'trigger needs either "segment" (with "change") or "event"',
    );
  const change = entry(m, 'change');
  const c = change ? stringOf(change.value, 'change') : 'entered';
  if (c !== 'entered' && c !== 'exited')
    throw new ProblemAt(
      change?.value.line ?? m.line,
      change?.value.column ?? m.column,
      'change must be entered or exited',
    );
  return { kind: 'segment', segmentId: stringOf(segment.value, 'segment'), change: c };
}

function variants(file: string, node: TreeNode | undefined): Variant[] {
  if (!node) return [];
  return expectSeq(node, 'variants').items.map((item) => {
    const v = expectMap(item, 'a variant');
    onlyKeys(v, ['name', 'weight', 'subject', 'template'], 'a variant');
    const subject = entry(v, 'subject');
    const template = entry(v, 'template');
    const weight = entry(v, 'weight');
    return {
      name: stringOf(required(v, 'name', 'a variant').value, 'name'),
      weight: weight ? numberOf(weight.value, 'weight') : 1,
      subject: subject ? text(file, subject.value, 'subject') : null,
      template: template ? stringOf(template.value, 'template') : null,
    };
  });
}

/** Parses one campaign file; structure problems carry file and line. */
export function parseCampaign(
  file: string,
  source: string,
): { campaign: Campaign | null; problems: TemplateProblem[] } {
  const { tree, problems } = parseYamlTree(file, source);
  if (!tree) return { campaign: null, problems };
  try {
    const m = expectMap(tree, 'a campaign file');
    onlyKeys(m, KEYS, 'a campaign');
    const req = (k: string) => required(m, k, 'a campaign').value;
    const opt = (k: string) => entry(m, k)?.value;
    const category = stringOf(req('category'), 'category');
    if (category !== 'marketing' && category !== 'transactional')
      throw new ProblemAt(
        req('category').line,
        req('category').column,
        'category must be marketing or transactional',
      );
    const cap = opt('cap');
    const capMap = cap ? expectMap(cap, 'cap') : null;
    if (capMap) onlyKeys(capMap, ['max', 'per'], 'cap');
    const quiet = opt('quiet_hours');
    const quietMap = quiet ? expectMap(quiet, 'quiet_hours') : null;
    if (quietMap) onlyKeys(quietMap, ['from', 'to'], 'quiet_hours');
    const preheader = opt('preheader');
    const campaign: Campaign = {
      id: stringOf(req('id'), 'id'),
      name: stringOf(req('name'), 'name'),
      file,
      trigger: trigger(expectMap(req('trigger'), 'trigger')),
      delayMs: opt('delay') ? duration(opt('delay')!, 'delay') : 0,
      template: stringOf(req('template'), 'template'),
      subject: text(file, req('subject'), 'subject'),
      preheader: preheader ? text(file, preheader, 'preheader') : null,
      from: stringOf(req('from'), 'from'),
      category,
      priority: opt('priority') ? numberOf(opt('priority')!, 'priority') : 0,
      cap: capMap
        ? {
            max: numberOf(required(capMap, 'max', 'cap').value, 'max'),
            perMs: duration(required(capMap, 'per', 'cap').value, 'per'),
          }
        : null,
      quietHours: quietMap
        ? {
            from: clock(required(quietMap, 'from', 'quiet_hours').value, 'from'),
            to: clock(required(quietMap, 'to', 'quiet_hours').value, 'to'),
          }
        : null,
      variants: variants(file, opt('variants')),
      holdout: opt('holdout') ? share(opt('holdout')!, 'holdout') : 0,
      launch: launch(opt('launch')),
      reeligible: reeligible(opt('reeligible')),
    };
    return { campaign, problems: [] };
  } catch (err) {
    if (err instanceof ProblemAt)
      return {
        campaign: null,
        problems: [{ file, line: err.line, column: err.column, message: err.message }],
      };
    throw err;
  }
}

/** A campaign with its per-recipient texts compiled against the template set. */
export interface CompiledCampaign extends Campaign {
  renderSubject: (variant: string | null, data: Record<string, unknown>) => string;
  renderPreheader: (data: Record<string, unknown>) => string;
}

/**
 * Loads every campaign file: structure, unknown templates, duplicate ids and bad subject or
 * preheader templates are problems with file and line. Invalid campaigns are left out.
 */
export function loadCampaigns(
  files: readonly { path: string; text: string }[],
  templates: TemplateSet,
): { campaigns: CompiledCampaign[]; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = [];
  const campaigns: CompiledCampaign[] = [];
  const ids = new Set<string>();
  for (const f of files) {
    const parsed = parseCampaign(f.path, f.text);
    problems.push(...parsed.problems);
    const c = parsed.campaign;
    if (!c) continue;
    const local: TemplateProblem[] = [];
    if (ids.has(c.id))
      local.push({ file: f.path, line: 1, column: 1, message: `duplicate campaign id ${c.id}` });
    for (const t of [c.template, ...c.variants.map((v) => v.template)]) {
      if (t !== null && !templates.has(t))
        local.push({
          file: f.path,
          line: 1,
          column: 1,
          message: `unknown template "${t}" (known: ${templates.emailIds.join(', ')})`,
        });
    }
    const compile = (t: CampaignText) => {
      const r = templates.compileInline(t.file, t.line, t.source);
      if ('problems' in r) {
        local.push(...r.problems);
        return () => '';
      }
      return r.render;
    };
    const subject = compile(c.subject);
    const bySubject = new Map(
      c.variants.filter((v) => v.subject).map((v) => [v.name, compile(v.subject!)]),
    );
    const preheader = c.preheader ? compile(c.preheader) : () => '';
    problems.push(...local);
    if (local.length > 0) continue;
    ids.add(c.id);
    campaigns.push({
      ...c,
      renderSubject: (variant, data) =>
        (variant !== null ? (bySubject.get(variant) ?? subject) : subject)(data),
      renderPreheader: (data) => preheader(data),
    });
  }
  return { campaigns, problems };
}
