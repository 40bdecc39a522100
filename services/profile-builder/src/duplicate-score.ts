import { jaroWinkler } from '@skyra/jaro-winkler';
import { distance } from 'fastest-levenshtein';
import { normalizeEmail } from './identity-ids';

/** The identity traits duplicate detection compares (as identify/CRM import set them). */
export interface Person {
  firstName?: string;
  lastName?: string;
  phone?: string;
  postcode?: string;
  email?: string;
}

/** Weights and thresholds (config/identity.yaml `duplicates`). */
export interface DuplicateConfig {
  /** At or above: merge through the ordinary merge path. */
  mergeAt: number;
  /** At or above (and below mergeAt): listed for review. */
  reviewAt: number;
  /** Below this name similarity the pair scores 0 (family members share phones and homes). */
  minNameSimilarity: number;
  weights: { name: number; phone: number; postcode: number; email: number };
}

/** Domains whose near misses are taken for typos (`gmial.com` → `gmail.com`). */
const WELL_KNOWN_DOMAINS = [
  'gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'aol.com', 'live.com',
  'msn.com', 'protonmail.com', 'gmx.de', 'web.de', 'yahoo.co.uk', 'hotmail.co.uk', 'me.com',
]; // prettier-ignore

const fold = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** The last 10 digits (national number) of a phone with at least 7 digits. */
export function normalizePhone(phone: string | undefined): string | undefined {
  const digits = (phone ?? '').replace(/\D/g, '');
  return digits.length >= 7 ? digits.slice(-10) : undefined;
}

export function normalizePostcode(code: string | undefined): string | undefined {
  const clean = (code ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
  return clean.length > 0 ? clean : undefined;
}

/** A well-known domain the given one is a typo of (edit distance ≤ 2, one nearest), else itself. */
export function fixDomain(domain: string): string {
  if (WELL_KNOWN_DOMAINS.includes(domain)) return domain;
  const near = WELL_KNOWN_DOMAINS.filter((d) => distance(d, domain) <= (d.length >= 8 ? 2 : 1));
  return near.length === 1 ? (near[0] as string) : domain;
}

function splitEmail(email: string | undefined): { local: string; domain: string } | undefined {
  if (!email) return undefined;
  const raw = normalizeEmail(email);
  const at = raw.lastIndexOf('@');
  if (at < 1) return undefined;
  // the domain's typo fixed first, so the real provider's rules (Gmail's dots) apply
  const clean = normalizeEmail(`${raw.slice(0, at)}@${fixDomain(raw.slice(at + 1))}`);
  const cut = clean.lastIndexOf('@');
  return { local: clean.slice(0, cut), domain: clean.slice(cut + 1) };
}

/**
 * Two different addresses (different identities) that are one typo apart: the local parts within
 * edit distance 1 on the same domain once a misspelt well-known domain is fixed.
 */
export function emailsNear(a: string | undefined, b: string | undefined): boolean {
  const x = splitEmail(a);
  const y = splitEmail(b);
  if (!x || !y || x.domain !== y.domain) return false;
  if (normalizeEmail(a ?? '') === normalizeEmail(b ?? '')) return false;
  return distance(x.local, y.local) <= 1;
}

/**
 * Blocking keys: two people are compared only when they share one, so candidates come from an
 * index lookup, never a scan. Phone; postcode plus the surname's first three letters; and for
 * the email every one-character deletion of the local part on the typo-fixed domain (two local
 * parts within edit distance 1 always share one of these).
 */
export function blockingKeys(p: Person): string[] {
  const keys: string[] = [];
  const phone = normalizePhone(p.phone);
  if (phone) keys.push(`ph:${phone}`);
  const postcode = normalizePostcode(p.postcode);
  const surname = fold(p.lastName ?? '').replace(/ /g, '');
  if (postcode && surname.length > 0) keys.push(`pc:${postcode}:${surname.slice(0, 3)}`);
  const email = splitEmail(p.email);
  if (email && email.local.length <= 64) {
    const variants = new Set([email.local]);
    for (let i = 0; i < email.local.length; i += 1)
      variants.add(email.local.slice(0, i) + email.local.slice(i + 1));
    for (const v of variants) keys.push(`em:${v}@${email.domain}`);
  }
  return keys;
}

export interface DuplicateScore {
  score: number;
  /** What matched: `name:0.97`, `phone`, `postcode`, `email-typo`. */
  reasons: string[];
}

/**
 * score = min(1, w.name · JaroWinkler(full names) + w.phone·[same phone] + w.postcode·[same
 * postcode] + w.email·[emails one typo apart]), and 0 when the names are less similar than
 * `minNameSimilarity` or either name is missing. With the shipped weights (0.5, 0.3, 0.15,
 * 0.35): the same name and phone scores 0.8 (review), plus the same postcode 0.95 (merge).
 */
export function scoreDuplicate(a: Person, b: Person, config: DuplicateConfig): DuplicateScore {
  const name = (p: Person) => fold(`${p.firstName ?? ''} ${p.lastName ?? ''}`);
  const na = name(a);
  const nb = name(b);
  if (!na || !nb) return { score: 0, reasons: [] };
  const similarity = jaroWinkler(na, nb);
  if (similarity < config.minNameSimilarity) return { score: 0, reasons: [] };
  const w = config.weights;
  const reasons = [`name:${similarity.toFixed(2)}`];
  let score = w.name * similarity;
  const phone = normalizePhone(a.phone);
  if (phone && phone === normalizePhone(b.phone)) {
    score += w.phone;
    reasons.push('phone');
  }
  const postcode = normalizePostcode(a.postcode);
  if (postcode && postcode === normalizePostcode(b.postcode)) {
    score += w.postcode;
    reasons.push('postcode');
  }
  if (emailsNear(a.email, b.email)) {
    score += w.email;
    reasons.push('email-typo');
  }
  return { score: Math.min(1, Math.round(score * 1000) / 1000), reasons };
}

/** What to do with a scored pair. */
export function verdict(score: number, config: DuplicateConfig): 'merge' | 'review' | 'none' {
  if (score >= config.mergeAt) return 'merge';
  return score >= config.reviewAt ? 'review' : 'none';
}
