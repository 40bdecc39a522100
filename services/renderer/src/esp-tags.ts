/** The ESPs whose SMTP relays read Pulse's attribution ids from a header and echo them back. */
export type EspTagFormat = 'sendgrid' | 'mailgun' | 'postmark' | 'ses';

export const ESP_TAG_FORMATS: readonly EspTagFormat[] = ['sendgrid', 'mailgun', 'postmark', 'ses'];

/**
 * Tag names, the same ingest's ESP webhook parsers read (`ESP_TAGS` in services/ingest's
 * esp-events.ts): keep both in step.
 */
export const ESP_TAG_NAMES = {
  customer: 'pulse_customer_id',
  send: 'pulse_send_id',
  campaign: 'pulse_campaign_id',
  variant: 'pulse_variant',
  /** SES only: the customer id in base64url, since SES tag values allow only [A-Za-z0-9_-]. */
  customerB64: 'pulse_customer_b64',
} as const;

/** The ids one email carries so any webhook event about it attributes to the send. */
export interface SendTags {
  emailId: string;
  customerId: string;
  campaignId: string;
  variant: string | null;
}

const SES_SAFE = /^[A-Za-z0-9_-]{1,256}$/;

/** JSON in printable ASCII (non-ASCII as \\u escapes), so the header goes out unencoded. */
const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

function tagMap(t: SendTags): Record<string, string> {
  return {
    [ESP_TAG_NAMES.send]: t.emailId,
    [ESP_TAG_NAMES.customer]: t.customerId,
    [ESP_TAG_NAMES.campaign]: t.campaignId,
    ...(t.variant !== null ? { [ESP_TAG_NAMES.variant]: t.variant } : {}),
  };
}

/**
 * SES message tags: `name=value` pairs, values limited to [A-Za-z0-9_-] (≤ 256). A value outside
 * that set is left out rather than rejected by SES; the customer id (`u:42`, `e:a@b.c`) always
 * travels base64url-encoded as `pulse_customer_b64`.
 */
function sesTags(t: SendTags): string {
  const pairs = Object.entries(tagMap(t)).filter(([, v]) => SES_SAFE.test(v));
  pairs.push([ESP_TAG_NAMES.customerB64, Buffer.from(t.customerId, 'utf8').toString('base64url')]);
  return pairs
    .filter(([, v]) => SES_SAFE.test(v))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/**
 * The headers that make each ESP echo the ids in its webhooks: SendGrid `X-SMTPAPI`
 * `unique_args` (top-level fields of each event), Mailgun `X-Mailgun-Variables`
 * (`user-variables`), Postmark `X-PM-Metadata-*` (`Metadata`), SES `X-SES-MESSAGE-TAGS`
 * (`mail.tags`). Relays strip their own header; other relays pass them through harmlessly.
 */
export function espTagHeaders(
  t: SendTags,
  formats: readonly EspTagFormat[] = ESP_TAG_FORMATS,
): Record<string, string> {
  const tags = tagMap(t);
  const headers: Record<string, string> = {};
  for (const format of formats) {
    switch (format) {
      case 'sendgrid':
        headers['X-SMTPAPI'] = asciiJson({ unique_args: tags });
        break;
      case 'mailgun':
        headers['X-Mailgun-Variables'] = asciiJson(tags);
        break;
      case 'postmark':
        for (const [k, v] of Object.entries(tags)) headers[`X-PM-Metadata-${k}`] = v;
        break;
      case 'ses':
        headers['X-SES-MESSAGE-TAGS'] = sesTags(t);
        break;
    }
  }
  return headers;
}

/** Reads `RENDERER_ESP_TAGS` items (`none` for no tags); unknown names come back apart. */
export function parseEspFormats(items: readonly string[]): {
  formats: EspTagFormat[];
  unknown: string[];
} {
  const names = items.map((s) => s.trim().toLowerCase()).filter((s) => s !== '' && s !== 'none');
  const known = (n: string): n is EspTagFormat =>
    (ESP_TAG_FORMATS as readonly string[]).includes(n);
  return { formats: names.filter(known), unknown: names.filter((n) => !known(n)) };
}
