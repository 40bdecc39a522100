/** One `pulse preview` / `pulse send-test` invocation, as the command line gave it. */
export interface PreviewArgs {
  campaign: string;
  /** A real profile's id; with `fixture`, the id the fixture profile renders as. */
  profile?: string;
  /** JSON file: a profile, or `{ profile, cart?, variant? }` as POST /v1/preview takes it. */
  fixture?: string;
  variant?: string;
  /** preview: where the HTML and text go (default `.`). */
  out: string;
  /** send-test: the address the test email goes to. */
  to?: string;
  /** The renderer's base URL; unset: RENDERER_URL. */
  url?: string;
}

export type ParsedPreviewArgs = { ok: true; args: PreviewArgs } | { ok: false; error: string };

export const PREVIEW_USAGE = `usage: pulse preview --campaign ID (--profile ID | --fixture file.json) [options]

  Renders a campaign's email for a real or fixture profile through the renderer's
  POST /v1/preview (nothing is sent or recorded) and writes <campaign>.<profile>.html
  and .txt.

options:
  --campaign ID      campaign id (config/campaigns)
  --profile ID       a customer id the profile builder knows
  --fixture FILE     a profile JSON file, or { "profile", "cart", "variant" }
  --variant NAME     A/B variant (default: the customer's own)
  --out DIR          output folder (default .)
  --url URL          renderer base URL (default RENDERER_URL)`;

export const SEND_TEST_USAGE = `usage: pulse send-test --campaign ID (--profile ID | --fixture file.json) --to ADDRESS [options]

  Renders like \`pulse preview\` and sends it over SMTP (SMTP_URL) to ADDRESS with the
  subject prefixed [TEST]. Never recorded as a send, never counted against caps,
  no open/click tracking.

options: --campaign, --profile, --fixture, --variant, --url as for pulse preview`;

const FLAGS: Record<string, keyof PreviewArgs> = {
  '--campaign': 'campaign',
  '--profile': 'profile',
  '--fixture': 'fixture',
  '--variant': 'variant',
  '--out': 'out',
  '--to': 'to',
  '--url': 'url',
};

/** Parses the words after the command; `command` decides which flags are required. */
export function parsePreviewArgs(
  argv: readonly string[],
  command: 'preview' | 'send-test',
): ParsedPreviewArgs {
  const given: Partial<Record<keyof PreviewArgs, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const key = FLAGS[flag];
    if (!key) return { ok: false, error: `unknown option ${flag}` };
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--'))
      return { ok: false, error: `${flag} needs a value` };
    given[key] = value;
    i++;
  }
  if (!given.campaign) return { ok: false, error: '--campaign is required' };
  if (!given.profile && !given.fixture)
    return { ok: false, error: 'give --profile ID or --fixture file.json' };
  if (command === 'send-test' && !given.to) return { ok: false, error: '--to is required' };
  if (command === 'send-test' && given.out) return { ok: false, error: '--out is for preview' };
  if (command === 'preview' && given.to) return { ok: false, error: '--to is for send-test' };
  const { out, ...rest } = given;
  return { ok: true, args: { ...rest, campaign: given.campaign, out: out ?? '.' } };
}
