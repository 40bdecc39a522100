import { X509Certificate, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describeError } from '@pulse/core';
import { z } from 'zod';
import { sesEvents } from './ses';
import {
  checkFresh,
  parseJsonField,
  parseWith,
  refuse,
  type WebhookProvider,
  type WebhookResult,
} from './webhook';

/** Gives the PEM certificate at an (already checked) SNS SigningCertURL. */
export type CertificateSource = (url: URL) => Promise<string>;

/** Only Amazon SNS's own hosts may name the certificate, over HTTPS, as a `.pem`. */
const SNS_CERT_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

export function checkCertificateUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const ok = url.protocol === 'https:' && SNS_CERT_HOST.test(url.hostname);
  return ok && url.pathname.endsWith('.pem') ? url : undefined;
}

/** Certificates from a directory, by the URL's file name (no network: tests, air-gapped hosts). */
export function directoryCertificates(dir: string): CertificateSource {
  return (url) => readFile(join(dir, basename(url.pathname)), 'utf8');
}

/** Certificates fetched over HTTPS from the (checked) URL. */
export const fetchCertificates: CertificateSource = async (url) => {
  const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url.href} answered ${res.status}`);
  return res.text();
};

/** Remembers each certificate (there are few: one per region and rotation); failures retry. */
export function cachedCertificates(source: CertificateSource): CertificateSource {
  const cache = new Map<string, Promise<string>>();
  return (url) => {
    let pem = cache.get(url.href);
    if (!pem) {
      pem = source(url);
      pem.catch(() => cache.delete(url.href));
      cache.set(url.href, pem);
    }
    return pem;
  };
}

const snsMessage = z.looseObject({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1, 'must not be empty'),
  TopicArn: z.string().min(1, 'must not be empty'),
  Message: z.string(),
  Timestamp: z
    .string()
    .refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 date-time'),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1, 'must not be empty'),
  SigningCertURL: z.string(),
  Subject: z.string().optional(),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
});

export type SnsMessage = z.infer<typeof snsMessage>;

/** The fields SNS signs, in its fixed order, per message type. */
const SIGNED_FIELDS = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
} as const;

/** `Key\nValue\n` for each signed field present, as SNS builds it. */
export function snsStringToSign(message: SnsMessage): string {
  return SIGNED_FIELDS[message.Type]
    .map((key) => {
      const value = message[key];
      return value === undefined ? '' : `${key}\n${value}\n`;
    })
    .join('');
}

export interface SnsOptions {
  certificates: CertificateSource;
  /** TopicArns accepted; `*` accepts any (not for production). */
  topicArns: readonly string[];
  maxAgeMs: number;
}

async function verifySignature(
  message: SnsMessage,
  certificates: CertificateSource,
): Promise<WebhookResult | undefined> {
  const url = checkCertificateUrl(message.SigningCertURL);
  if (!url) {
    return refuse(
      403,
      'invalid_certificate_url',
      'SigningCertURL must be https://sns.<region>.amazonaws.com/....pem',
      'SigningCertURL',
    );
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(await certificates(url));
  } catch (err) {
    return refuse(403, 'invalid_signature', `certificate unavailable: ${describeError(err)}`);
  }
  const algorithm = message.SignatureVersion === '1' ? 'sha1' : 'sha256';
  const data = Buffer.from(snsStringToSign(message), 'utf8');
  const signature = Buffer.from(message.Signature, 'base64');
  return verify(algorithm, data, cert.publicKey, signature)
    ? undefined
    : refuse(
        403,
        'invalid_signature',
        `SignatureVersion ${message.SignatureVersion} does not verify`,
      );
}

/**
 * Amazon SES events delivered by SNS (HTTP/S subscription): the SNS signature (v1 SHA1withRSA,
 * v2 SHA256withRSA) is checked against the certificate at SigningCertURL, whose host must be
 * Amazon's, and the TopicArn must be allowed. A SubscriptionConfirmation is verified and
 * reported to the operator (its SubscribeURL), never fetched by Pulse.
 */
export function snsProvider(options: SnsOptions): WebhookProvider {
  const anyTopic = options.topicArns.includes('*');
  return {
    name: 'ses',
    async handle({ body, now }): Promise<WebhookResult> {
      const json = parseJsonField(body.toString('utf8'));
      if (!json.ok) return json;
      const parsed = parseWith(snsMessage, json.value);
      if (!parsed.ok) return parsed;
      const message = parsed.value;
      if (!anyTopic && !options.topicArns.includes(message.TopicArn)) {
        return refuse(
          403,
          'topic_not_allowed',
          `TopicArn ${message.TopicArn} is not allowed`,
          'TopicArn',
        );
      }
      const bad = await verifySignature(message, options.certificates);
      if (bad) return bad;
      const stale = checkFresh(Date.parse(message.Timestamp), now, options.maxAgeMs);
      if (stale) return stale;
      if (message.Type !== 'Notification') {
        return {
          ok: true,
          events: [],
          ignored: 0,
          notice: {
            type: message.Type,
            topicArn: message.TopicArn,
            subscribeUrl: message.SubscribeURL ?? '',
          },
        };
      }
      const inner = parseJsonField(message.Message, 'Message');
      if (!inner.ok) return inner;
      return sesEvents(inner.value, message.MessageId);
    },
  };
}
