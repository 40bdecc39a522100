import { readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PreviewArgs } from './preview-args';

/** The renderer's POST /v1/preview answer. */
export interface RenderedPreview {
  campaignId: string;
  customerId: string;
  variant: string | null;
  from: string;
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

/** The renderer refused or failed (4xx/5xx): its error code and message. */
export class PreviewError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The preview request body: a real profile by id, or the fixture file's profile inline. */
export async function previewRequest(args: PreviewArgs): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = { campaign: args.campaign };
  if (args.variant) body.variant = args.variant;
  if (!args.fixture) return { ...body, profileId: args.profile };
  const parsed = JSON.parse(await readFile(args.fixture, 'utf8')) as Record<string, unknown>; // checked by the renderer
  const wrapped = typeof parsed.profile === 'object' && parsed.profile !== null;
  const profile = { ...((wrapped ? parsed.profile : parsed) as Record<string, unknown>) };
  if (args.profile) profile.customerId = args.profile;
  return {
    ...body,
    profile,
    ...(wrapped && parsed.cart ? { cart: parsed.cart } : {}),
    ...(wrapped && typeof parsed.variant === 'string' && !args.variant
      ? { variant: parsed.variant }
      : {}),
  };
}

/**
 * Renders through the renderer's POST /v1/preview over HTTP: the CLI is a package and never
 * imports a service, and the running renderer renders with the templates it serves right now
 * (hot reloaded), the same `composeEmail` a send uses.
 */
export async function fetchPreview(options: {
  url: string;
  adminToken: string;
  body: Record<string, unknown>;
}): Promise<RenderedPreview> {
  const res = await fetch(new URL('/v1/preview', options.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.adminToken ? { authorization: `Bearer ${options.adminToken}` } : {}),
    },
    body: JSON.stringify(options.body),
  });
  const answer = (await res.json()) as Record<string, unknown>; // the renderer answers JSON
  if (!res.ok)
    throw new PreviewError(res.status, String(answer.error), String(answer.message ?? res.status));
  return answer as unknown as RenderedPreview; // the renderer's documented answer
}

/** Writes `<campaign>.<customer>.html` and `.txt` into `dir`; resolves with both paths. */
export async function writePreview(
  dir: string,
  preview: RenderedPreview,
): Promise<{ html: string; text: string }> {
  await mkdir(dir, { recursive: true });
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  const base = path.join(dir, `${safe(preview.campaignId)}.${safe(preview.customerId)}`);
  const files = { html: `${base}.html`, text: `${base}.txt` };
  await writeFile(files.html, preview.html);
  await writeFile(files.text, preview.text);
  return files;
}
