import nodemailer from 'nodemailer';
import type { RenderedPreview } from './preview-client';

/**
 * Sends a rendered preview to `to` as a test: subject prefixed `[TEST]`, an `X-Pulse-Test`
 * header, a Message-ID of its own. It goes straight to SMTP from here, so it is never recorded
 * on emails.v1, never takes a cap slot and never touches a send record; the preview carries no
 * tracking links and a dead unsubscribe link, so clicks on it change no customer's data.
 */
export async function sendTestEmail(options: {
  smtpUrl: string;
  to: string;
  preview: RenderedPreview;
}): Promise<{ messageId: string; response: string }> {
  const transport = nodemailer.createTransport(options.smtpUrl);
  try {
    const { preview } = options;
    const info = (await transport.sendMail({
      from: preview.from,
      to: options.to,
      subject: `[TEST] ${preview.subject}`,
      html: preview.html,
      text: preview.text,
      headers: {
        'X-Pulse-Test': '1',
        'X-Pulse-Campaign': preview.campaignId,
        'X-Pulse-Customer': preview.customerId,
      },
    })) as { messageId: string; response?: string };
    return { messageId: info.messageId, response: info.response ?? '' };
  } finally {
    transport.close();
  }
}
