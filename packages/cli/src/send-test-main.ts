import { loadConfig } from '@pulse/config';
import { SEND_TEST_USAGE, parsePreviewArgs } from './preview-args';
import { fetchPreview, previewRequest } from './preview-client';
import { previewConfigSpec } from './preview-config';
import { reportFailure } from './preview-main';
import { consoleOutput } from './output';
import { sendTestEmail } from './send-test-mail';

/**
 * `pulse send-test ...`: renders like `pulse preview` and mails it to `--to` as a test (see
 * `sendTestEmail`). Exit codes as `pulse preview`; SMTP failures exit 69.
 */
export async function sendTestMain(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${SEND_TEST_USAGE}\n`);
    return 0;
  }
  const parsed = parsePreviewArgs(argv, 'send-test');
  if (!parsed.ok) {
    process.stderr.write(`pulse send-test: ${parsed.error}\n${SEND_TEST_USAGE}\n`);
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
    const sent = await sendTestEmail({ smtpUrl: config.smtpUrl, to: args.to!, preview }); // required by parsePreviewArgs for send-test
    const out = consoleOutput();
    out.step(`send-test ${preview.campaignId} for ${preview.customerId}`);
    out.line(`to: ${args.to}`);
    out.line(`subject: [TEST] ${preview.subject}`);
    out.line(`smtp: ${sent.response} ${sent.messageId}`);
    return 0;
  } catch (err) {
    return reportFailure('send-test', err);
  }
}
