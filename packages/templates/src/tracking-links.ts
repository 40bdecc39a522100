/** How an email's links and opens are tracked: both answer a URL on the tracking endpoint. */
export interface LinkTracking {
  /** The tracking URL that redirects to `url`, or null to leave the link alone. */
  click(url: string): string | null;
  /** URL of the 1x1 open pixel, or null for none. */
  pixel: string | null;
}

const ANCHOR_HREF = /(<a\b[^>]*?\shref\s*=\s*)("([^"]*)"|'([^']*)')/gi;
const ENTITY = /&(#x[0-9a-f]+|#[0-9]+|amp|quot|apos|lt|gt);/gi;
const NAMED: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
const BODY_END = /<\/body\s*>/i;

/**
 * An attribute value as the browser reads it. Handlebars escapes `&`, `=`, quotes and backticks
 * in `{{url}}`, so `?a=1&b=2` arrives as `?a&#x3D;1&amp;b&#x3D;2`: the signed URL must be the
 * decoded one, or the redirect would land on a mangled address.
 */
export function decodeAttribute(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return NAMED[lower] ?? whole;
  });
}

/** The 1x1 open pixel: `display:block` and zero borders keep it from shifting any layout. */
export const openPixelTag = (src: string): string =>
  `<img src="${src}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px;overflow:hidden">`;

/**
 * Points every `<a href>` of rendered HTML at the tracking endpoint (only http(s) links: a
 * `mailto:`, `tel:` or `#anchor` stays as written, and `click` may decline a link such as the
 * unsubscribe URL) and adds the open pixel before `</body>` (at the end without one). The
 * tracking URL must need no escaping in a quoted attribute (a base64url token does not).
 */
export function trackLinks(html: string, tracking: LinkTracking): string {
  const linked = html.replace(
    ANCHOR_HREF,
    (whole, head: string, _quoted: string, dq?: string, sq?: string) => {
      const url = decodeAttribute((dq ?? sq ?? '').trim());
      if (!/^https?:\/\//i.test(url)) return whole;
      const tracked = tracking.click(url);
      return tracked === null ? whole : `${head}"${tracked}"`;
    },
  );
  if (tracking.pixel === null) return linked;
  const pixel = openPixelTag(tracking.pixel);
  const end = BODY_END.exec(linked);
  return end
    ? `${linked.slice(0, end.index)}${pixel}${linked.slice(end.index)}`
    : `${linked}${pixel}`;
}
