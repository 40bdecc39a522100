const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  '#x27': "'",
  nbsp: ' ',
  times: '×',
};

/**
 * A readable plain-text part from HTML: links become `text (url)`, blocks become lines, tags
 * and head/style go, entities are decoded. Used when a template ships no `.text.hbs`.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<(head|style|script)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, url: string, label: string) => {
      const text = label.replace(/<[^>]+>/g, '').trim();
      return text && text !== url ? `${text} (${url})` : url;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|tr|h[1-6]|li|table|ul|ol)>/gi, '\n')
    .replace(/<li[^>]*>/gi, '- ')
    .replace(/<\/t[dh]>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#?\w+);/g, (m, name: string) => ENTITIES[name] ?? m)
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const MUSTACHE = /\{\{\{[\s\S]*?\}\}\}|\{\{[\s\S]*?\}\}/g;
/** A private-use character stands in for each mustache while the markup is converted. */
const MARK = '\uE000';
const KEPT = new RegExp(`${MARK}(\\d+)${MARK}`, 'g');
const PARTIAL_CALL = /^\{\{(~?)>\s*([a-z0-9][a-z0-9-]*)/;

/**
 * The text-part template of an HTML template, derived once at load instead of converting every
 * rendered email: `htmlToText` over the source with each `{{…}}` kept verbatim (set aside, then
 * restored), and partial calls pointed at their text twin (`{{> x}}` → `{{> x-text}}`) when
 * `textPartial(x)` names one.
 */
export function htmlTemplateToText(
  source: string,
  textPartial: (name: string) => string | null,
): string {
  const kept: string[] = [];
  const masked = source.replace(MUSTACHE, (m) => {
    kept.push(m);
    return `${MARK}${kept.length - 1}${MARK}`;
  });
  return htmlToText(masked).replace(KEPT, (_m, i: string) => {
    const original = kept[Number(i)] ?? '';
    const call = PARTIAL_CALL.exec(original);
    const twin = call?.[2] ? textPartial(call[2]) : null;
    return call && twin ? original.replace(PARTIAL_CALL, `{{${call[1]}> ${twin}`) : original;
  });
}

/** Tidies a text part rendered from a derived template: at most one blank line, no edges. */
export function tidyText(text: string): string {
  return text.replace(/\n[ \t]*\n(?:[ \t]*\n)+/g, '\n\n').trim();
}
