import { readFileSync } from 'node:fs';
import { PulseError } from '@pulse/core';
import { parse } from 'yaml';

/** Maps a sent product category to its canonical name (config/categories.yaml). */
export interface CategorySynonyms {
  /** The canonical category for `value`, else `value` trimmed (unknown categories pass). */
  canonical(value: string): string;
  /** Canonical categories in the table. */
  readonly size: number;
}

/**
 * The matching key: case-insensitive, `-`/`_`/runs of spaces as one space, no spaces around the
 * `/` or `>` level separators (`>` reads as `/`).
 */
export function categoryKey(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .replace(/\s*[/>]\s*/g, '/')
    .trim();
}

/** Distinct sent spellings whose canonical name is remembered. */
const MAX_REMEMBERED = 10_000;

const isNameList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((s) => typeof s === 'string' && s.trim() !== '');

/** A table with no entries: every category passes as sent (trimmed). */
export const NO_CATEGORY_SYNONYMS: CategorySynonyms = {
  canonical: (value) => value.trim(),
  size: 0,
};

/**
 * Builds the lookup from `{ canonical: [synonym, ...] }`. Every problem (a non-list entry, a
 * synonym claimed by two canonicals) is collected into one `CATEGORY_TABLE_INVALID` error.
 */
export function buildCategorySynonyms(table: unknown, origin = 'category table'): CategorySynonyms {
  const problems: string[] = [];
  const byKey = new Map<string, string>();
  if (table === null || typeof table !== 'object' || Array.isArray(table)) {
    throw new PulseError('CATEGORY_TABLE_INVALID', `${origin}: "categories" must be a mapping`);
  }
  const claim = (name: string, canonical: string) => {
    const key = categoryKey(name);
    const earlier = byKey.get(key);
    if (earlier !== undefined && earlier !== canonical) {
      problems.push(`"${name}" is a synonym of both "${earlier}" and "${canonical}"`);
    } else byKey.set(key, canonical);
  };
  for (const [canonical, synonyms] of Object.entries(table)) {
    const name = canonical.trim();
    if (name === '') problems.push('a canonical category is blank');
    const list: unknown = synonyms ?? [];
    if (!isNameList(list)) {
      problems.push(`"${canonical}" must list its synonyms as non-blank strings`);
      continue;
    }
    claim(name, name);
    for (const synonym of list) claim(synonym, name);
  }
  if (problems.length > 0) {
    throw new PulseError('CATEGORY_TABLE_INVALID', `${origin}: ${problems.join('; ')}`);
  }
  // Senders repeat a handful of spellings: remember the answers (bounded) to skip the regexes.
  const seen = new Map<string, string>();
  return {
    canonical(value) {
      const known = seen.get(value);
      if (known !== undefined) return known;
      const result = byKey.get(categoryKey(value)) ?? value.trim();
      if (seen.size >= MAX_REMEMBERED) seen.clear();
      seen.set(value, result);
      return result;
    },
    size: new Set(byKey.values()).size,
  };
}

/** Parses the YAML text of config/categories.yaml (`categories: {canonical: [synonyms]}`). */
export function parseCategoryFile(text: string, origin: string): CategorySynonyms {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new PulseError('CATEGORY_TABLE_INVALID', `${origin}: not YAML: ${String(err)}`);
  }
  const table =
    doc !== null && typeof doc === 'object' && 'categories' in doc ? doc.categories : undefined;
  return buildCategorySynonyms(table ?? {}, origin);
}

/** Reads the synonym file at start; a missing or bad file fails the start naming the file. */
export function loadCategorySynonyms(file: string): CategorySynonyms {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PulseError(
      'CATEGORY_TABLE_INVALID',
      `INGEST_CATEGORIES_FILE "${file}" cannot be read: ${String(err)}`,
    );
  }
  return parseCategoryFile(text, file);
}
