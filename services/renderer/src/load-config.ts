import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { PulseError } from '@pulse/core';
import { checkCatalog, formatProblem, loadTemplateSet, parseCatalog } from '@pulse/templates';
import type { Product, TemplateProblem, TemplateSet } from '@pulse/templates';
import { loadCampaigns } from './campaigns';
import type { CompiledCampaign } from './campaigns';

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
}

/** Reads config/{templates,campaigns,catalog}; any problem fails the load with every file:line. */
export function loadRendererConfig(configDir: string): LoadedConfig {
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
  if (problems.length > 0 || !t.set) {
    throw new PulseError(
      'RENDERER_CONFIG_INVALID',
      `renderer config has problems:\n${problems.map(formatProblem).join('\n')}`,
    );
  }
  return {
    templates: t.set,
    campaigns: campaigns.sort((a, b) => b.priority - a.priority),
    catalog,
  };
}
