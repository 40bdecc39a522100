import type { Customer } from './customers';

export interface EmailSeen {
  to: string;
  subject: string;
  campaign: string;
}

/** The emails the SMTP capture holds for this run's customers, with their campaign header. */
export async function demoEmails(maildevUrl: string, runId: string): Promise<EmailSeen[]> {
  for (const route of ['/api/email', '/email']) {
    const res = await fetch(new URL(route, maildevUrl), { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) continue;
    if (!res.ok) throw new Error(`maildev answered ${res.status} at ${maildevUrl}${route}`);
    const body = (await res.json()) as {
      subject?: string;
      to?: { address?: string }[];
      headers?: Record<string, unknown>;
    }[];
    return body
      .map((e) => ({
        to: e.to?.[0]?.address ?? '',
        subject: e.subject ?? '',
        campaign: String(e.headers?.['x-pulse-campaign'] ?? '?'),
      }))
      .filter((e) => e.to.includes(`.${runId}.`));
  }
  throw new Error(`no maildev REST API at ${maildevUrl}`);
}

/** How many of the customers have a profile, read through profile-builder's API. */
export async function countProfiles(
  profileUrl: string,
  customers: readonly Customer[],
): Promise<number> {
  let found = 0;
  for (const c of customers) {
    const res = await fetch(`${profileUrl}/v1/profiles/${encodeURIComponent(c.userId)}`, {
      signal: AbortSignal.timeout(5_000),
    }).catch(() => undefined);
    if (res?.status === 200) found += 1;
  }
  return found;
}

/** Segment sizes from the segmenter's API (`GET /v1/segments`, SEGMENTER_ADMIN_TOKEN), when it runs. */
export async function segmentSizes(
  segmenterUrl: string,
  token: string,
): Promise<[string, number][] | undefined> {
  const res = await fetch(`${segmenterUrl}/v1/segments`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5_000),
  }).catch(() => undefined);
  if (!res?.ok) return undefined;
  const body: unknown = await res.json();
  const list = Array.isArray(body) ? body : (body as { segments?: unknown }).segments;
  if (!Array.isArray(list)) return undefined;
  return list.map((s: unknown) => {
    const seg = s as { id?: unknown; name?: unknown; size?: unknown; members?: unknown };
    return [String(seg.name ?? seg.id ?? '?'), Number(seg.size ?? seg.members ?? 0)];
  });
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}
