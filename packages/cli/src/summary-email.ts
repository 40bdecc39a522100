import { createTransport } from 'nodemailer';

export interface SummaryEmail {
  smtpUrl: string;
  to: string;
  subject: string;
  text: string;
}

/** Sends the demo's summary through real SMTP; resolves with the server's message id. */
export async function sendSummaryEmail(email: SummaryEmail): Promise<string> {
  const transport = createTransport(email.smtpUrl);
  try {
    const info = await transport.sendMail({
      from: 'Pulse demo <demo@pulse.local>',
      to: email.to,
      subject: email.subject,
      text: email.text,
    });
    return info.messageId;
  } finally {
    transport.close();
  }
}

interface MaildevEmail {
  id: string;
  subject: string;
}

/**
 * Asks the SMTP capture for emails with this subject: maildev 3 serves its REST API under
 * `/api/email`, maildev 2 (the Docker image) at `/email`.
 */
export async function capturedEmails(maildevUrl: string, subject: string): Promise<MaildevEmail[]> {
  for (const route of ['/api/email', '/email']) {
    const response = await fetch(new URL(route, maildevUrl), {
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status === 404) continue;
    if (!response.ok)
      throw new Error(`maildev answered ${response.status} at ${maildevUrl}${route}`);
    const body: unknown = await response.json();
    if (!Array.isArray(body)) throw new Error(`maildev's ${route} did not return a list`);
    return body.filter(
      (item): item is MaildevEmail =>
        typeof item === 'object' && item !== null && (item as MaildevEmail).subject === subject,
    );
  }
  throw new Error(`no maildev REST API at ${maildevUrl} (tried /api/email and /email)`);
}
