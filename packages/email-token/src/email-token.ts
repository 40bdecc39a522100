import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a tracking token identifies: the send, the profile, the campaign and (clicks) the link. */
export const emailTokenSchema = z.object({
  /** emails.v1 emailId of the send. */
  s: z.string().min(1),
  /** Canonical customer id. */
  p: z.string().min(1),
  /** Campaign id. */
  c: z.string().min(1),
  /** Variant, when the campaign tests some. */
  v: z.string().optional(),
  /** The link a click token redirects to (http or https only). */
  u: z
    .string()
    .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), 'must be an http(s) URL')
    .optional(),
});

export type EmailTokenClaims = z.infer<typeof emailTokenSchema>;

const mac = (secret: string, body: string): Buffer =>
  createHmac('sha256', secret).update(body).digest();

/** `base64url(JSON claims).base64url(HMAC-SHA256(secret, first part))`. */
export function signEmailToken(secret: string, claims: EmailTokenClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/** The claims of a token signed with `secret`, or undefined for anything else. */
export function verifyEmailToken(secret: string, token: string): EmailTokenClaims | undefined {
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length > 0) return undefined;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed = emailTokenSchema.safeParse(
      JSON.parse(Buffer.from(body, 'base64url').toString()),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
