import { defineConfig, env } from '@pulse/config';

/** What `pulse forget` reads from the environment (`--url` overrides the URL). */
export const forgetConfigSpec = defineConfig({
  profileBuilderUrl: env.url({
    env: 'PROFILE_BUILDER_URL',
    default: 'http://127.0.0.1:8082',
    protocols: ['http', 'https'],
    doc: 'Base URL of the profile builder whose DELETE /v1/profiles/:id erases a customer.',
  }),
  adminToken: env.string({
    env: 'PROFILE_ADMIN_TOKEN',
    default: '',
    secret: true,
    doc: 'Bearer token of the profile builder (erasure is refused without one).',
  }),
});

export const FORGET_USAGE = `usage: pulse forget <id> [--url http://127.0.0.1:8082]

Erases a customer (userId, anonymousId, email or canonical id u:/a:/e:) through the profile
builder's DELETE /v1/profiles/:id: the profile and personal data go, hashes of the ids stay so
the customer is never re-added (replays of events.v1 included). Needs PROFILE_ADMIN_TOKEN.
Exit codes: 0 erased (or suppressed when no profile was found), 1 refused, 2 usage, 69 unreachable.`;

export type ForgetArgs = { id: string; url: string | undefined };

/** Parses `<id> [--url U]`; an error names what is wrong. */
export function parseForgetArgs(
  argv: readonly string[],
): { ok: true; args: ForgetArgs } | { ok: false; error: string } {
  let url: string | undefined;
  const ids: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] as string; // i < length
    if (a === '--url') {
      url = argv[i + 1];
      if (!url) return { ok: false, error: '--url needs a value' };
      i += 1;
    } else if (a.startsWith('--')) return { ok: false, error: `unknown option ${a}` };
    else ids.push(a);
  }
  if (ids.length !== 1) return { ok: false, error: 'give exactly one customer id' };
  return { ok: true, args: { id: ids[0] as string, url } }; // length checked
}

/** The profile builder's answer to an erasure. */
export interface ForgetResult {
  erased: boolean;
  customerId: string | null;
  suppressed: number;
  tombstoneVersion: number | null;
}

/** DELETE /v1/profiles/:id; throws with the status and the server's error code when refused. */
export async function requestErasure(options: {
  url: string;
  adminToken: string;
  id: string;
}): Promise<ForgetResult> {
  const res = await fetch(new URL(`/v1/profiles/${encodeURIComponent(options.id)}`, options.url), {
    method: 'DELETE',
    headers: options.adminToken ? { authorization: `Bearer ${options.adminToken}` } : {},
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok)
    throw new ForgetRefused(res.status, String(body.error ?? 'error'), String(body.message ?? ''));
  return body as unknown as ForgetResult; // the profile builder's documented answer
}

/** The profile builder refused (401/403) or failed (503). */
export class ForgetRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}${message ? `: ${message}` : ''}`);
  }
}
