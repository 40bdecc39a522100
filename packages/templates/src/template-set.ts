import Handlebars from 'handlebars';
import type { HelperOptions, TemplateDelegate } from 'handlebars';
import { parseBlockFile } from './blocks';
import type { BlockDef, SourceAt } from './blocks';
import { evaluate } from './conditions';
import { BUILTIN_HELPERS, HELPERS } from './helpers';
import type { RenderLocale } from './helpers';
import { htmlTemplateToText, htmlToText, tidyText } from './html-to-text';
import type { TemplateProblem } from './problems';
import { ROOT_VARIABLES, validateTemplate } from './validate';
import type { Known } from './validate';

/** A file of config/templates: its path relative to that folder (with `/`) and its text. */
export interface TemplateFile {
  path: string;
  text: string;
}

/** What every render receives at the root (see README for the full list of names). */
export type RenderData = Partial<RenderLocale> & {
  profile?: unknown;
  now?: number;
  customer?: { firstName?: string | null; segments?: readonly string[] } & Record<string, unknown>;
} & Record<string, unknown>;

export interface RenderedBody {
  html: string;
  text: string;
}

type Part = 'html' | 'text';
type Render = (data: RenderData) => string;

/** An email already inside its layout: one template call per part. */
interface CompiledEmail {
  html: TemplateDelegate;
  /** null: the text part is converted from the HTML per render (derivation failed). */
  text: TemplateDelegate | null;
}

/** A layout's sources, kept to compose each email into it at load. */
interface LayoutSources {
  html: { file: string; source: string };
  text: { file: string; source: string } | null;
}

const BODY = /\{\{\{\s*body\s*\}\}\}/g;

interface CompiledVariant {
  when: BlockDef['variants'][number]['when'];
  html: TemplateDelegate;
  text: TemplateDelegate | null;
}

/** Compiled templates, blocks and partials; immutable once loaded. */
export interface TemplateSet {
  readonly emailIds: readonly string[];
  has(emailId: string): boolean;
  /** HTML (inside its layout) and text (written or generated from the HTML). */
  render(emailId: string, data: RenderData): RenderedBody;
  /** Compiles a one-line text template (subject, preheader), validated like the files. */
  compileInline(
    file: string,
    line: number,
    source: string,
  ): { render: Render } | { problems: TemplateProblem[] };
}

const EMAIL = /^emails\/([a-z0-9][a-z0-9-]*)\.(html|text)\.hbs$/;
const LAYOUT = /^layouts\/([a-z0-9][a-z0-9-]*)\.(html|text)\.hbs$/;
const PARTIAL = /^partials\/([a-z0-9][a-z0-9-]*)\.hbs$/;
const BLOCK = /^blocks\/[a-z0-9][a-z0-9-]*\.ya?ml$/;
const LAYOUT_PRAGMA = /^\s*\{\{!--\s*layout:\s*([a-z0-9-]+)\s*--\}\}/;

const knownHelperNames = [...BUILTIN_HELPERS, ...Object.keys(HELPERS), 'block'];
const compileOptions = (part: Part): CompileOptions => ({
  knownHelpers: Object.fromEntries(knownHelperNames.map((n) => [n, true])),
  knownHelpersOnly: true,
  noEscape: part === 'text',
});

/** Fully compiles now (Handlebars compiles lazily), turning compiler errors into problems. */
function compileChecked(
  hb: typeof Handlebars,
  file: string,
  at: SourceAt,
  part: Part,
  problems: TemplateProblem[],
): TemplateDelegate | null {
  try {
    hb.precompile(at.source, compileOptions(part));
    return hb.compile(at.source, compileOptions(part));
  } catch (err) {
    const message =
      err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
    const line = (err as { lineNumber?: number }).lineNumber ?? 1; // Handlebars exceptions carry lineNumber
    problems.push({ file, line: line + at.line - 1, column: 1, message });
    return null;
  }
}

function blockHelper(blocks: Map<string, CompiledVariant[]>) {
  return function block(
    this: unknown,
    id: unknown,
    options: HelperOptions,
  ): Handlebars.SafeString | string {
    const variants = blocks.get(String(id)) ?? [];
    const root = (options.data?.root ?? {}) as RenderData; // the render data
    const ctx = {
      profile: root.profile,
      now: root.now ?? 0,
      segments: root.customer?.segments ?? [],
    };
    // One render's choices (see makeSet): the text part reuses what the HTML part decided.
    const memo = options.data?.chosen as Map<string, CompiledVariant | undefined> | undefined;
    const key = String(id);
    const chosen = memo?.has(key)
      ? memo.get(key)
      : variants.find((v) => v.when === null || evaluate(v.when, ctx));
    memo?.set(key, chosen);
    if (!chosen) return '';
    if (options.data?.part === 'text') {
      return chosen.text
        ? chosen.text(root, { data: options.data })
        : htmlToText(chosen.html(root, { data: options.data }));
    }
    return new Handlebars.SafeString(chosen.html(root, { data: options.data }));
  };
}

function classify(files: readonly TemplateFile[]) {
  const emails = new Map<string, Partial<Record<Part, TemplateFile>>>();
  const layouts = new Map<string, Partial<Record<Part, TemplateFile>>>();
  const partials: { name: string; file: TemplateFile }[] = [];
  const blockFiles: TemplateFile[] = [];
  const problems: TemplateProblem[] = [];
  for (const f of files) {
    const e = EMAIL.exec(f.path) ?? null;
    const l = LAYOUT.exec(f.path);
    const p = PARTIAL.exec(f.path);
    if (e?.[1] && e[2]) emails.set(e[1], { ...emails.get(e[1]), [e[2]]: f });
    else if (l?.[1] && l[2]) layouts.set(l[1], { ...layouts.get(l[1]), [l[2]]: f });
    else if (p?.[1]) partials.push({ name: p[1], file: f });
    else if (BLOCK.test(f.path)) blockFiles.push(f);
    else if (!f.path.endsWith('.md'))
      problems.push({
        file: f.path,
        line: 1,
        column: 1,
        message:
          'unexpected file: use emails/<id>.{html,text}.hbs, layouts/<name>.{html,text}.hbs, partials/<name>.hbs or blocks/<id>.yaml',
      });
  }
  return { emails, layouts, partials, blockFiles, problems };
}

/**
 * Loads config/templates: validates every file (unknown helpers, partials, blocks and root
 * variables, syntax; each problem with file and line), compiles, and returns the set — or null
 * with the problems, so a caller keeps serving the previous set. Pure (files come in as text).
 */
export function loadTemplateSet(files: readonly TemplateFile[]): {
  set: TemplateSet | null;
  problems: TemplateProblem[];
} {
  const { emails, layouts, partials, blockFiles, problems } = classify(files);
  const blockDefs: BlockDef[] = [];
  for (const f of blockFiles) {
    const parsed = parseBlockFile(f.path, f.text);
    problems.push(...parsed.problems);
    if (parsed.block) blockDefs.push(parsed.block);
  }
  const partialNames = new Set(partials.map((p) => p.name));
  const known: Known = {
    helpers: new Set(knownHelperNames),
    partials: partialNames,
    blocks: new Set(blockDefs.map((b) => b.id)),
    variables: new Set(ROOT_VARIABLES),
  };
  const hb = Handlebars.create();
  const check = (file: string, at: SourceAt, part: Part): TemplateDelegate | null => {
    const found = validateTemplate(file, at.source, known, at.line - 1);
    problems.push(...found);
    return found.length > 0 ? null : compileChecked(hb, file, at, part, problems);
  };
  const whole = (f: TemplateFile): SourceAt => ({ source: f.text, line: 1 });
  const textPartials = new Set(partials.filter((p) => p.name.endsWith('-text')).map((p) => p.name));
  const textTwin = (name: string) => (textPartials.has(`${name}-text`) ? `${name}-text` : null);
  /** The text part of an HTML source, derived at load; null (convert per render) if it fails. */
  const derive = (file: string, at: SourceAt): TemplateDelegate | null => {
    const source = htmlTemplateToText(at.source, textTwin);
    if (validateTemplate(file, source, known, at.line - 1).length > 0) return null;
    return compileChecked(hb, file, { source, line: at.line }, 'text', []);
  };
  for (const p of partials) {
    const fn = check(p.file.path, whole(p.file), p.name.endsWith('-text') ? 'text' : 'html');
    if (fn) hb.registerPartial(p.name, fn);
  }
  for (const p of partials) {
    if (p.name.endsWith('-text') || textPartials.has(`${p.name}-text`)) continue;
    const fn = derive(p.file.path, whole(p.file));
    if (!fn) continue;
    hb.registerPartial(`${p.name}-text`, fn);
    textPartials.add(`${p.name}-text`);
    partialNames.add(`${p.name}-text`);
  }
  const blocks = new Map<string, CompiledVariant[]>();
  for (const b of blockDefs) {
    blocks.set(
      b.id,
      b.variants.map((v) => ({
        when: v.when,
        html: check(b.file, v.html, 'html') ?? (() => ''),
        text: v.text ? check(b.file, v.text, 'text') : derive(b.file, v.html),
      })),
    );
  }
  const layoutSources = new Map<string, LayoutSources>();
  for (const [name, parts] of layouts) {
    if (!parts.html) {
      problems.push({
        file: `layouts/${name}.text.hbs`,
        line: 1,
        column: 1,
        message: `layout ${name} has no .html.hbs`,
      });
      continue;
    }
    const html = check(parts.html.path, whole(parts.html), 'html');
    const text = parts.text
      ? check(parts.text.path, whole(parts.text), 'text')
      : derive(parts.html.path, whole(parts.html));
    if (html)
      layoutSources.set(name, {
        html: { file: parts.html.path, source: parts.html.text },
        text: !text
          ? null
          : parts.text
            ? { file: parts.text.path, source: parts.text.text }
            : { file: parts.html.path, source: htmlTemplateToText(parts.html.text, textTwin) },
      });
  }
  const compiled = new Map<string, CompiledEmail>();
  for (const [id, parts] of emails) {
    if (!parts.html) {
      problems.push({
        file: `emails/${id}.text.hbs`,
        line: 1,
        column: 1,
        message: `email ${id} has no .html.hbs`,
      });
      continue;
    }
    const wanted =
      LAYOUT_PRAGMA.exec(parts.html.text)?.[1] ?? (layouts.has('default') ? 'default' : 'none');
    if (wanted !== 'none' && !layouts.has(wanted))
      problems.push({
        file: parts.html.path,
        line: 1,
        column: 1,
        message: `unknown layout "${wanted}" (known: ${[...layouts.keys()].join(', ') || 'none'})`,
      });
    const html = check(parts.html.path, whole(parts.html), 'html');
    const text = parts.text
      ? check(parts.text.path, whole(parts.text), 'text')
      : derive(parts.html.path, whole(parts.html));
    const layout = layoutSources.get(wanted);
    if (html) compiled.set(id, layout ? compose(hb, id, { html, text }, layout) : { html, text });
  }
  if (problems.length > 0) return { set: null, problems };
  hb.registerHelper({ ...HELPERS, block: blockHelper(blocks) });
  return { set: makeSet(hb, compiled, known), problems: [] };
}

/**
 * Puts an email into its layout once, at load: the email parts become partials and the layout's
 * `{{{body}}}` calls them, so a render is one template call per part with no copy of the data.
 */
function compose(
  hb: typeof Handlebars,
  id: string,
  email: CompiledEmail,
  layout: LayoutSources,
): CompiledEmail {
  const into = (at: { file: string; source: string }, part: Part, fn: TemplateDelegate) => {
    const name = `__email-${id}${part === 'text' ? '-text' : ''}`;
    hb.registerPartial(name, fn);
    const source = at.source.replace(BODY, `{{> ${name}}}`);
    return compileChecked(hb, at.file, { source, line: 1 }, part, []);
  };
  const html = into(layout.html, 'html', email.html) ?? email.html;
  if (!email.text) return { html, text: null };
  const text = layout.text ? into(layout.text, 'text', email.text) : email.text;
  return { html, text: text ?? email.text };
}

function makeSet(
  hb: typeof Handlebars,
  compiled: Map<string, CompiledEmail>,
  known: Known,
): TemplateSet {
  const textData = { part: 'text' };
  return {
    emailIds: [...compiled.keys()].sort(),
    has: (id) => compiled.has(id),
    render(id, data) {
      const email = compiled.get(id);
      if (!email) throw new Error(`unknown email template ${id}`);
      const chosen = new Map<string, unknown>(); // block variants chosen in this render
      const html = email.html(data, { data: { part: 'html', chosen } });
      const text = email.text
        ? email.text(data, { data: { part: 'text', chosen } })
        : htmlToText(html);
      return { html, text: tidyText(text) };
    },
    compileInline(file, line, source) {
      const at = { source, line };
      const problems = validateTemplate(file, source, known, line - 1);
      if (problems.length > 0) return { problems };
      const fn = compileChecked(hb, file, at, 'text', problems);
      if (!fn) return { problems };
      return {
        render: (data: RenderData) => fn(data, { data: textData }).replace(/\s+/g, ' ').trim(),
      };
    },
  };
}
