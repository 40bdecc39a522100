import {
  entry,
  expectMap,
  expectSeq,
  onlyKeys,
  parseYamlTree,
  ProblemAt,
  stringOf,
} from '@pulse/templates';
import type { TemplateProblem, TreeNode } from '@pulse/templates';

/**
 * `opt-in`: marketing email only with recorded consent (GDPR/ePrivacy, CASL);
 * `opt-out`: marketing email unless the customer unsubscribed or withdrew consent (CAN-SPAM).
 */
export type ConsentRegime = 'opt-in' | 'opt-out';

/** Which regime applies to a recipient, by the ISO 3166-1 alpha-2 `country` trait. */
export interface ConsentPolicy {
  /** Countries not listed, and customers whose country is unknown. */
  fallback: ConsentRegime;
  countries: ReadonlyMap<string, ConsentRegime>;
}

/** Without a consent file every country is opt-in: no recorded consent, no marketing email. */
export const STRICT_CONSENT: ConsentPolicy = { fallback: 'opt-in', countries: new Map() };

const REGIMES: Record<string, ConsentRegime> = { opt_in: 'opt-in', opt_out: 'opt-out' };

function regimeOf(node: TreeNode, what: string): ConsentRegime {
  const v = stringOf(node, what);
  if (v !== 'opt-in' && v !== 'opt-out')
    throw new ProblemAt(node.line, node.column, `${what} must be opt-in or opt-out`);
  return v;
}

/**
 * Parses config/consent.yaml: `default: opt-in|opt-out`, `opt_in: [CC...]`, `opt_out: [CC...]`.
 * Every problem (unknown key, a code that is not two capital letters, a country in both lists)
 * is reported with file:line:col; a file with problems yields no policy.
 */
export function parseConsentPolicy(
  file: string,
  text: string,
): { policy: ConsentPolicy | null; problems: TemplateProblem[] } {
  const { tree, problems } = parseYamlTree(file, text);
  if (!tree) return { policy: null, problems };
  const found: TemplateProblem[] = [];
  const at = (node: { line: number; column: number }, message: string) =>
    found.push({ file, line: node.line, column: node.column, message });
  try {
    const m = expectMap(tree, 'the consent file');
    onlyKeys(m, ['default', ...Object.keys(REGIMES)], 'the consent file');
    const fallbackNode = entry(m, 'default')?.value;
    const fallback = fallbackNode ? regimeOf(fallbackNode, 'default') : 'opt-in';
    const countries = new Map<string, ConsentRegime>();
    for (const [key, regime] of Object.entries(REGIMES)) {
      const list = entry(m, key);
      if (!list) continue;
      for (const item of expectSeq(list.value, key).items) {
        const code = item.kind === 'scalar' ? String(item.value) : '';
        if (!/^[A-Z]{2}$/.test(code)) {
          at(item, `${key}: "${code}" is not an ISO 3166-1 alpha-2 code such as DE or US`);
          continue;
        }
        const before = countries.get(code);
        if (before !== undefined && before !== regime)
          at(item, `${code} is in both opt_in and opt_out`);
        countries.set(code, regime);
      }
    }
    if (found.length > 0) return { policy: null, problems: found };
    return { policy: { fallback, countries }, problems: [] };
  } catch (err) {
    if (err instanceof ProblemAt)
      return {
        policy: null,
        problems: [...found, { file, line: err.line, column: err.column, message: err.message }],
      };
    throw err;
  }
}

/** The recorded marketing consent: true, false, or undefined when none was recorded. */
export function marketingConsent(traits: Record<string, unknown> | undefined): boolean | undefined {
  // The profile builder stores identify's consent.email_marketing as the trait
  // `consent_email_marketing`; the nested and dotted spellings come from imports and fixtures.
  const candidates = [
    traits?.consent_email_marketing,
    (traits?.consent as { email_marketing?: unknown } | undefined)?.email_marketing,
    traits?.['consent.email_marketing'],
  ];
  for (const v of candidates) if (typeof v === 'boolean') return v;
  return undefined;
}

/** The regime of a recipient by the `country` trait (upper-cased); unknown → the fallback. */
export function regimeFor(
  policy: ConsentPolicy,
  traits: Record<string, unknown> | undefined,
): {
  regime: ConsentRegime;
  country: string | null;
} {
  const raw = traits?.country;
  const country = typeof raw === 'string' && raw.trim() !== '' ? raw.trim().toUpperCase() : null;
  return { regime: (country && policy.countries.get(country)) || policy.fallback, country };
}

/**
 * Why marketing email may not go to this customer under the consent rules, or null. A withdrawn
 * consent stops it everywhere; in an opt-in country only a recorded `true` lets it through.
 */
export function consentReason(
  policy: ConsentPolicy,
  traits: Record<string, unknown> | undefined,
): string | null {
  const consent = marketingConsent(traits);
  if (consent === false) return 'no consent to marketing email';
  const { regime, country } = regimeFor(policy, traits);
  if (regime === 'opt-in' && consent !== true)
    return `no recorded consent to marketing email (opt-in regime, country ${country ?? 'unknown'})`;
  return null;
}
