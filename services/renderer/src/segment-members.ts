import { PulseError } from '@pulse/core';

/** One page of a segment's members, oldest entry first. */
export interface MemberPage {
  /** `since`: when the customer entered (the `at` of their segment change). */
  members: { customerId: string; since: number }[];
  total: number;
  /** Where the next page starts, null after the last. */
  nextOffset: number | null;
}

/** Where the renderer reads a segment's current members (the launch backfill). */
export interface MemberSource {
  /** A page, or null when the segmenter does not know the segment. Throws retriable errors. */
  page(segmentId: string, offset: number, limit: number): Promise<MemberPage | null>;
}

/**
 * The segmenter's `GET /v1/segments/:id/members?offset=&limit=` (paged, oldest entry first),
 * with `SEGMENTER_ADMIN_TOKEN` as its bearer token when set.
 */
export function createHttpMemberSource(options: {
  baseUrl: string;
  adminToken?: string;
  timeoutMs?: number;
}): MemberSource {
  const base = options.baseUrl.replace(/\/$/, '');
  const headers: Record<string, string> = options.adminToken
    ? { authorization: `Bearer ${options.adminToken}` }
    : {};
  return {
    async page(segmentId, offset, limit) {
      const url = `${base}/v1/segments/${encodeURIComponent(segmentId)}/members?offset=${offset}&limit=${limit}`;
      let res: Response;
      try {
        res = await fetch(url, {
          headers,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new PulseError('RENDERER_SEGMENTER_UNREACHABLE', `segmenter at ${base} unreachable`, {
          retriable: true,
          cause: err,
        });
      }
      if (res.status === 404) return null;
      if (!res.ok)
        throw new PulseError(
          'RENDERER_SEGMENTER_UNAVAILABLE',
          `GET members of ${segmentId} answered ${res.status}${res.status === 401 ? ' (check SEGMENTER_ADMIN_TOKEN)' : ''}`,
          { retriable: res.status >= 500 || res.status === 429 },
        );
      // The segmenter's documented JSON; members are read field by field.
      const body = (await res.json()) as {
        members?: { customerId?: unknown; since?: unknown }[];
        total?: unknown;
        nextOffset?: unknown;
      };
      return {
        members: (body.members ?? []).flatMap((m) =>
          typeof m.customerId === 'string' && typeof m.since === 'number'
            ? [{ customerId: m.customerId, since: m.since }]
            : [],
        ),
        total: typeof body.total === 'number' ? body.total : 0,
        nextOffset: typeof body.nextOffset === 'number' ? body.nextOffset : null,
      };
    },
  };
}
