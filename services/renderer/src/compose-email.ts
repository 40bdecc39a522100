import type { Product, TemplateSet } from '@pulse/templates';
import type { CompiledCampaign } from './campaigns';
import type { Profile } from './profile-source';
import { renderData } from './render-data';
import type { CartLineIn } from './render-data';

/** Everything one email is rendered from. */
export interface ComposeInputs {
  templates: TemplateSet;
  catalog: readonly Product[];
  /** Product id → co-purchased ids (recommendation accessories). */
  coPurchases?: ReadonlyMap<string, readonly string[]>;
  campaign: CompiledCampaign;
  variant: string | null;
  profile: Profile;
  now: number;
  brand: string;
  cart: { lines: CartLineIn[]; value: number | null; currency: string | null } | null;
  segments: string[];
  links: Record<string, string>;
}

export interface ComposedEmail {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

/**
 * Renders one email (subject, preheader, HTML, text) from the live profile: the same step for
 * sending and for preview. Throws when the template or the data fails.
 */
export function composeEmail(input: ComposeInputs): ComposedEmail {
  const c = input.campaign;
  const data = renderData({
    profile: input.profile,
    now: input.now,
    catalog: input.catalog,
    ...(input.coPurchases ? { coPurchases: input.coPurchases } : {}),
    brand: input.brand,
    cart: input.cart,
    campaign: { id: c.id, name: c.name, variant: input.variant },
    segments: input.segments,
    links: input.links,
  });
  const template = c.variants.find((v) => v.name === input.variant)?.template ?? c.template;
  const subject = c.renderSubject(input.variant, data);
  data.subject = subject;
  const preheader = c.renderPreheader(data);
  data.preheader = preheader;
  return { subject, preheader, ...input.templates.render(template, data) };
}
