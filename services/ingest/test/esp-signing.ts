/**
 * Signs webhook requests exactly as each provider does, with keys generated here (node:crypto,
 * and openssl for the SNS X.509 certificate), so tests exercise real verification.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** SendGrid: ECDSA P-256 key pair; the public key as SendGrid shows it (base64 SPKI DER). */
export function sendgridKeys(): { publicKey: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey,
  };
}

/** SendGrid's headers for a body: base64 DER ECDSA-SHA256 over `timestamp + body`. */
export function sendgridHeaders(
  privateKey: KeyObject,
  body: string,
  timestampSeconds: number,
): Record<string, string> {
  const timestamp = String(timestampSeconds);
  const signature = sign('sha256', Buffer.from(timestamp + body, 'utf8'), privateKey);
  return {
    'x-twilio-email-event-webhook-signature': signature.toString('base64'),
    'x-twilio-email-event-webhook-timestamp': timestamp,
  };
}

/** Mailgun's `signature` object: hex HMAC-SHA256 of `timestamp + token`. */
export function mailgunSignature(
  signingKey: string,
  timestampSeconds: number,
  token = randomBytes(25).toString('hex'),
): { timestamp: string; token: string; signature: string } {
  const timestamp = String(timestampSeconds);
  const signature = createHmac('sha256', signingKey)
    .update(timestamp + token)
    .digest('hex');
  return { timestamp, token, signature };
}

export interface SnsSigner {
  /** Directory holding the certificate under `certName` (INGEST_SNS_CERT_DIR). */
  dir: string;
  certUrl: string;
  /** Adds SignatureVersion, Signature and SigningCertURL to a message, signed as SNS does. */
  sign(message: Record<string, string>, version?: '1' | '2'): Record<string, string>;
}

const SIGNED = {
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
} as const;

/** An RSA key and a self-signed certificate for it, named like Amazon's SNS certificates. */
export function snsSigner(): SnsSigner {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-sns-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const certName = 'SimpleNotificationService-pulse-test.pem';
  execFileSync('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    keyFile,
    '-subj',
    '/CN=sns.amazonaws.com',
    '-days',
    '2',
    '-out',
    join(dir, certName),
  ]);
  const certUrl = `https://sns.us-east-1.amazonaws.com/${certName}`;
  return {
    dir,
    certUrl,
    sign(message, version = '1') {
      const fields =
        SIGNED[message.Type === 'Notification' ? 'Notification' : 'SubscriptionConfirmation'];
      const text = fields
        .filter((key) => message[key] !== undefined)
        .map((key) => `${key}\n${message[key]}\n`)
        .join('');
      const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text), privateKey);
      return {
        ...message,
        SignatureVersion: version,
        Signature: signature.toString('base64'),
        SigningCertURL: certUrl,
      };
    },
  };
}
