import { ConfigError, loadConfig } from '@pulse/config';
import { PREVIEW_USAGE, parsePreviewArgs } from './preview-args';
import { PreviewError, fetchPreview, previewRequest, writePreview } from './preview-client';
import { previewConfigSpec } from './preview-config';
import { consoleOutput } from './output';

/**
 * `pulse preview ...`: renders through the renderer and writes the HTML and text. Exit codes: 0
 * done, 1 the renderer refused (unknown campaign/profile, render error), 2 usage, 69 renderer
 * unreachable or files unwritable, 78 bad configuration.
 */
export async function previewMain(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${PREVIEW_USAGE}\n`);
    return 0;
  }
  const parsed = parsePreviewArgs(argv, 'preview');
  if (!parsed.ok) {
    process.stderr.write(`pulse preview: ${parsed.error}\n${PREVIEW_USAGE}\n`);
    return 2;
  }
  const { args } = parsed;
  try {
    const config = loadConfig(previewConfigSpec, process.env);
    const preview = await fetchPreview({
      url: args.url ?? config.rendererUrl,
      adminToken: config.adminToken,
      body: await previewRequest(args),
    });
    const files = await writePreview(args.out, preview);
    const out = consoleOutput();
    out.step(`preview ${preview.campaignId} for ${preview.customerId}`);
    out.line(`variant: ${preview.variant ?? '-'}`);
    out.line(`subject: ${preview.subject}`);
    out.line(`preheader: ${preview.preheader}`);
    out.line(`html: ${files.html}`);
    out.line(`text: ${files.text}`);
    return 0;
  } catch (err) {
    return reportFailure('preview', err);
  }
}

/** Prints why a preview/send-test failed and maps it to the exit code. */
export function reportFailure(command: string, err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`pulse ${command}: ${message}\n`);
  if (err instanceof ConfigError) return 78;
  return err instanceof PreviewError ? 1 : 69;
}
