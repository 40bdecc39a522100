import { composeEmail } from './compose-email';
import type { ComposedEmail } from './compose-email';
import type { ContentSource } from './live-config';
import type { Profile, ProfileSource } from './profile-source';
import type { CartLineIn } from './render-data';
import { pickVariant } from './campaign-pick';

/** `POST /v1/preview` body: a campaign and a real (id) or inline (fixture) profile. */
export interface PreviewRequest {
  campaign: string;
  profileId?: string;
  profile?: Profile;
  /** Default: the customer's own A/B variant. */
  variant?: string;
  cart?: { lines: CartLineIn[]; value: number | null; currency: string | null };
}

export type PreviewResult =
  | ({
      ok: true;
      campaignId: string;
      customerId: string;
      variant: string | null;
      /** The campaign's sender, for `pulse send-test`. */
      from: string;
    } & ComposedEmail)
  | { ok: false; status: 400 | 404 | 422; error: string; message: string };

export interface PreviewOptions {
  /** The set serving now (hot reloaded), as a send would use it. */
  content: ContentSource;
  profiles: ProfileSource;
  now: () => number;
  brand: string;
  shopUrl: string;
  /** Stands in for the signed unsubscribe link (a preview must not carry a working one). */
  unsubscribeUrl: string;
}

const bad = (message: string): PreviewResult => ({
  ok: false,
  status: 400,
  error: 'bad_request',
  message,
});

/** Checks a parsed JSON body; a problem names the field. */
export function parsePreviewRequest(body: unknown): PreviewRequest | string {
  if (body === null || typeof body !== 'object') return 'body must be a JSON object';
  const b = body as Record<string, unknown>; // checked field by field below
  if (typeof b.campaign !== 'string') return 'campaign: required, a campaign id';
  if (b.profileId !== undefined && typeof b.profileId !== 'string')
    return 'profileId: must be a string';
  if (b.profile !== undefined && (typeof b.profile !== 'object' || b.profile === null))
    return 'profile: must be an object';
  if ((b.profileId === undefined) === (b.profile === undefined))
    return 'profileId or profile: give exactly one';
  if (b.variant !== undefined && typeof b.variant !== 'string') return 'variant: must be a string';
  return b as unknown as PreviewRequest; // every field checked above
}

/**
 * Renders a campaign's email for a real or fixture profile without sending or recording
 * anything: subject, preheader, HTML and text exactly as a send would render them now.
 */
export function createPreviewer(options: PreviewOptions) {
  return async (req: PreviewRequest): Promise<PreviewResult> => {
    const cfg = options.content.current();
    const c = cfg.campaigns.find((x) => x.id === req.campaign);
    if (!c)
      return {
        ok: false,
        status: 404,
        error: 'unknown_campaign',
        message: `no campaign ${req.campaign} (known: ${cfg.campaigns.map((x) => x.id).join(', ')})`,
      };
    if (req.variant !== undefined && !c.variants.some((v) => v.name === req.variant))
      return bad(`variant: ${c.id} has no variant ${req.variant}`);
    const inline = !req.profile
      ? null
      : typeof req.profile.customerId === 'string'
        ? req.profile
        : { ...req.profile, customerId: 'preview' }; // a fixture may leave the id out
    const profile = inline ?? (await options.profiles.get(req.profileId ?? ''));
    if (!profile)
      return {
        ok: false,
        status: 404,
        error: 'unknown_customer',
        message: `no profile ${req.profileId}`,
      };
    const variant = req.variant ?? pickVariant(c, profile.customerId);
    try {
      const email = composeEmail({
        templates: cfg.templates,
        catalog: cfg.catalog,
        coPurchases: cfg.coPurchases,
        campaign: c,
        variant,
        profile,
        now: options.now(),
        brand: options.brand,
        cart: req.cart ?? null,
        segments: c.trigger.kind === 'segment' ? [c.trigger.segmentId] : [],
        links: {
          unsubscribe: options.unsubscribeUrl,
          cart: `${options.shopUrl}/cart`,
          shop: options.shopUrl,
        },
      });
      return {
        ok: true,
        campaignId: c.id,
        customerId: profile.customerId,
        variant,
        from: c.from,
        ...email,
      };
    } catch (err) {
      return {
        ok: false,
        status: 422,
        error: 'render_failed',
        message: err instanceof Error ? err.message : String(err),
      };
    }
  };
}

export type Previewer = ReturnType<typeof createPreviewer>;
