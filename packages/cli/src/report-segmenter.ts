import type { HourlySize } from '@pulse/predict';

/**
 * Segment size history from a running segmenter: `GET /v1/segments` for the ids (live and
 * removed), then `GET /v1/segments/:id/sizes` each, with SEGMENTER_ADMIN_TOKEN as a bearer.
 * Throws with the status and body when the segmenter refuses.
 */
export async function segmenterSizeHistory(
  baseUrl: string,
  token: string | undefined,
): Promise<Map<string, HourlySize[]>> {
  const base = baseUrl.replace(/\/+$/, '');
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (!res.ok) throw new Error(`${base}${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T; // the segmenter's own JSON (services/segmenter/src/http-api.ts)
  };
  const listed = await get<{ segments: { id: string }[]; removed?: { id: string }[] }>(
    '/v1/segments',
  );
  const ids = [...listed.segments, ...(listed.removed ?? [])].map((s) => s.id);
  const history = new Map<string, HourlySize[]>();
  await Promise.all(
    ids.map(async (id) => {
      const body = await get<{ hourly: HourlySize[] }>(
        `/v1/segments/${encodeURIComponent(id)}/sizes`,
      );
      history.set(id, body.hourly);
    }),
  );
  return history;
}
