import { PulseError } from '@pulse/core';

/** A customer profile as the profile builder's `GET /v1/profiles/:id` serves it (JSON). */
export type Profile = Record<string, unknown> & {
  customerId: string;
  identities?: { emails?: string[] };
  traits?: Record<string, unknown>;
};

/** Where the renderer reads live profiles at send time. */
export interface ProfileSource {
  /** The profile, or null when the customer is unknown. Throws retriable errors when unreachable. */
  get(customerId: string): Promise<Profile | null>;
}

export interface HttpProfileSourceOptions {
  /** Base URL of the profile builder, e.g. http://127.0.0.1:8082 */
  baseUrl: string;
  adminToken?: string;
  timeoutMs?: number;
}

/** Reads profiles over HTTP from the profile builder's read API. */
export function createHttpProfileSource(options: HttpProfileSourceOptions): ProfileSource {
  const base = options.baseUrl.replace(/\/$/, '');
  const headers: Record<string, string> = options.adminToken
    ? { authorization: `Bearer ${options.adminToken}` }
    : {};
  return {
    async get(customerId) {
      let res: Response;
      try {
        res = await fetch(`${base}/v1/profiles/${encodeURIComponent(customerId)}`, {
          headers,
          signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
      } catch (err) {
        throw new PulseError(
          'RENDERER_PROFILE_UNREACHABLE',
          `profile builder at ${base} unreachable`,
          { retriable: true, cause: err },
        );
      }
      if (res.status === 404) return null;
      if (!res.ok)
        throw new PulseError(
          'RENDERER_PROFILE_UNAVAILABLE',
          `GET profile ${customerId} answered ${res.status}`,
          { retriable: res.status >= 500 || res.status === 429 },
        );
      return (await res.json()) as Profile; // the profile builder's documented JSON
    },
  };
}
