import { mailgunProvider } from './mailgun';
import { postmarkProvider } from './postmark';
import { sendgridProvider, sendgridPublicKey } from './sendgrid';
import { cachedCertificates, directoryCertificates, fetchCertificates, snsProvider } from './sns';
import type { WebhookProvider } from './webhook';

/** The webhook settings of the ingest config. */
export interface WebhookConfig {
  webhookMaxAge: number;
  sendgridPublicKey?: string | undefined;
  mailgunSigningKey?: string | undefined;
  postmarkBasicAuth?: string | undefined;
  sesTopicArns?: readonly string[] | undefined;
  snsCertDir?: string | undefined;
}

/** One provider per configured secret; a bad SendGrid key throws naming the variable. */
export function createWebhookProviders(config: WebhookConfig): WebhookProvider[] {
  const maxAgeMs = config.webhookMaxAge;
  const providers: WebhookProvider[] = [];
  if (config.sendgridPublicKey) {
    const publicKey = sendgridPublicKey(config.sendgridPublicKey, 'INGEST_SENDGRID_PUBLIC_KEY');
    providers.push(sendgridProvider({ publicKey, maxAgeMs }));
  }
  if (config.mailgunSigningKey) {
    providers.push(mailgunProvider({ signingKey: config.mailgunSigningKey, maxAgeMs }));
  }
  if (config.postmarkBasicAuth) {
    providers.push(postmarkProvider({ basicAuth: config.postmarkBasicAuth }));
  }
  if (config.sesTopicArns) {
    const certificates = cachedCertificates(
      config.snsCertDir ? directoryCertificates(config.snsCertDir) : fetchCertificates,
    );
    providers.push(snsProvider({ certificates, topicArns: config.sesTopicArns, maxAgeMs }));
  }
  return providers;
}
