import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { PulseError } from '@pulse/core';
import {
  checkCatalog,
  formatProblem,
  loadTemplateSet,
  mineCoPurchases,
  parseCatalog,
} from '@pulse/templates';
import type { Product, TemplateProblem, TemplateSet } from '@pulse/templates';
import { loadCampaigns } from './campaigns';
import { parseConsentPolicy, STRICT_CONSENT } from './consent';
import type { ConsentPolicy } from './consent';
import type { CompiledCampaign } from './campaigns';
import { parseOrderLines } from './orders-file';

function files(dir: string, ext: RegExp): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (ext.test(name))
        out.push({ path: relative(dir, p).split(sep).join('/'), text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

export interface LoadedConfig {
  templates: TemplateSet;
  campaigns: CompiledCampaign[];
  catalog: Product[];
  /** Product id → products its buyers also bought (mined from the orders file; empty without). */
  coPurchases: ReadonlyMap<string, readonly string[]>;
  /** Event types some campaign triggers on. */
  eventTypes: ReadonlySet<string>;
  /** Marketing consent regime per country (consent.yaml; absent: opt-in everywhere). */
  consent: ConsentPolicy;
}

/** The consent regimes file inside the config folder. */
export const CONSENT_FILE = 'consent.yaml';

export interface LoadOptions {
  /** NDJSON orders (import format) to mine co-purchases from; empty or absent: none. */
  ordersFile?: string;
}

export type LoadResult =
  | { ok: true; config: LoadedConfig; skippedOrders: number }
  | { ok: false; problems: TemplateProblem[] };

/** Reads config/{templates,campaigns,catalog}, consent.yaml and the orders file; problems name file:line. */
export function tryLoadRendererConfig(configDir: string, options: LoadOptions = {}): LoadResult {
  const problems: TemplateProblem[] = [];
  const prefix = (p: TemplateProblem, folder: string) => ({ ...p, file: `${folder}/${p.file}` });
  const t = loadTemplateSet(files(join(configDir, 'templates'), /\.(hbs|ya?ml)$/));
  problems.push(...t.problems.map((p) => prefix(p, 'templates')));
  const catalog: Product[] = [];
  for (const f of files(join(configDir, 'catalog'), /\.ya?ml$/)) {
    const parsed = parseCatalog(f.path, f.text);
    problems.push(...parsed.problems.map((p) => prefix(p, 'catalog')));
    catalog.push(...parsed.products);
  }
  problems.push(...checkCatalog('catalog', catalog));
  let campaigns: CompiledCampaign[] = [];
  if (t.set) {
    const c = loadCampaigns(files(join(configDir, 'campaigns'), /\.ya?ml$/), t.set);
    problems.push(...c.problems.map((p) => prefix(p, 'campaigns')));
    campaigns = c.campaigns;
  }
  let consent = STRICT_CONSENT;
  const consentPath = join(configDir, CONSENT_FILE);
  if (existsSync(consentPath)) {
    const parsed = parseConsentPolicy(CONSENT_FILE, readFileSync(consentPath, 'utf8'));
    problems.push(...parsed.problems);
    if (parsed.policy) consent = parsed.policy;
  }
  let orders = { orders: [] as ReturnType<typeof parseOrderLines>['orders'], skipped: 0 };
  if (options.ordersFile) {
    if (existsSync(options.ordersFile))
      orders = parseOrderLines(readFileSync(options.ordersFile, 'utf8'));
    else
      problems.push({
        file: options.ordersFile,
        line: 1,
        column: 1,
        message: 'orders file not found (RENDERER_ORDERS_FILE)',
      });
  }
  if (problems.length > 0 || !t.set) return { ok: false, problems };
  return {
    ok: true,
    skippedOrders: orders.skipped,
    config: {
      templates: t.set,
      campaigns: campaigns.sort((a, b) => b.priority - a.priority),
      catalog,
      coPurchases: mineCoPurchases(orders.orders),
      eventTypes: new Set(
        campaigns.flatMap((c) => (c.trigger.kind === 'event' ? [c.trigger.eventType] : [])),
      ),
      consent,
    },
  };
}

/** {@link tryLoadRendererConfig}, failing with every file:line problem in one error. */
export function loadRendererConfig(configDir: string, options: LoadOptions = {}): LoadedConfig {
  const result = tryLoadRendererConfig(configDir, options);
  if (!result.ok)
    throw new PulseError(
      'RENDERER_CONFIG_INVALID',
      `renderer config has problems:\n${result.problems.map(formatProblem).join('\n')}`,
    );
  return result.config;
}

/**
 * What a reload compares: every config file's path, size and mtime (and the orders file's), so
 * an unchanged folder costs a few stats and no parsing.
 */
export function configFingerprint(configDir: string, options: LoadOptions = {}): string {
  const parts: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else parts.push(`${p}:${st.size}:${st.mtimeMs}`);
    }
  };
  for (const folder of ['templates', 'campaigns', 'catalog']) walk(join(configDir, folder));
  const consentPath = join(configDir, CONSENT_FILE);
  if (existsSync(consentPath)) {
    const st = statSync(consentPath);
    parts.push(`${consentPath}:${st.size}:${st.mtimeMs}`);
  }
  if (options.ordersFile && existsSync(options.ordersFile)) {
    const st = statSync(options.ordersFile);
    parts.push(`${options.ordersFile}:${st.size}:${st.mtimeMs}`);
  }
  return parts.join('\n');
}
