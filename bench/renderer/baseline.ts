/**
 * The baseline of bench:renderer: a bare precompiled-Handlebars loop over the *same* template
 * and data as the render step — the email's HTML inside its layout, with the same partials,
 * helpers and hero block (variant chosen by the same conditions) — producing the HTML only.
 * What it leaves out is exactly what the render step adds: subject, preheader, text part.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { HelperOptions } from 'handlebars';
import { evaluate, HELPERS, parseBlockFile } from '@pulse/templates';
import type { RenderData } from '@pulse/templates';

export function bareRender(configDir: string, emailId: string): (data: RenderData) => string {
  const dir = path.join(configDir, 'templates');
  const read = (p: string) => readFileSync(path.join(dir, p), 'utf8');
  const hb = Handlebars.create();
  for (const name of ['footer', 'recommendations'])
    hb.registerPartial(name, read(`partials/${name}.hbs`));
  const parsed = parseBlockFile('blocks/hero-offer.yaml', read('blocks/hero-offer.yaml'));
  if (!parsed.block) throw new Error('hero-offer block did not parse');
  const variants = parsed.block.variants.map((v) => ({
    when: v.when,
    html: hb.compile(v.html.source),
  }));
  hb.registerHelper({
    ...HELPERS,
    block(_id: unknown, options: HelperOptions) {
      const root = options.data.root as RenderData; // the render data
      const ctx = {
        profile: root.profile,
        now: root.now ?? 0,
        segments: root.customer?.segments ?? [],
      };
      const chosen = variants.find((v) => v.when === null || evaluate(v.when, ctx));
      return new Handlebars.SafeString(chosen ? chosen.html(root, { data: options.data }) : '');
    },
  });
  const email = hb.compile(read(`emails/${emailId}.html.hbs`));
  const layout = hb.compile(read('layouts/default.html.hbs'));
  const data = { part: 'html' };
  return (d) => layout({ ...d, body: email(d, { data }) }, { data });
}
