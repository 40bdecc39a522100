import { allCountries } from 'country-region-data';

/**
 * ISO 3166-2 subdivision codes from the `country-region-data` data set (maintained, MIT; its
 * region short codes are the ISO 3166-2 suffixes where ISO defines one). A region is matched
 * within its country by ISO suffix ("CA"), full code ("US-CA") or name ("California"), ignoring
 * case, accents and punctuation.
 */
const byCountry = new Map<string, Map<string, string>>();
const allCodes = new Set<string>();

/** Lower case, accents and punctuation dropped, spaces collapsed: "Québec" = "quebec". */
function key(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function index(country: string): Map<string, string> | undefined {
  if (byCountry.size === 0) {
    for (const [, countryCode, regions] of allCountries) {
      const lookup = new Map<string, string>();
      for (const [name, short] of regions) {
        // Regions without an ISO code in the data set are left as sent rather than guessed.
        if (!short) continue;
        const code = `${countryCode}-${short.toUpperCase()}`;
        allCodes.add(code);
        lookup.set(key(short), code);
        lookup.set(key(code), code);
        if (!lookup.has(key(name))) lookup.set(key(name), code);
      }
      byCountry.set(countryCode, lookup);
    }
  }
  return byCountry.get(country);
}

/**
 * The ISO 3166-2 code of `region` within `country` (ISO 3166-1 alpha-2): "California" or "CA"
 * with "US" → "US-CA". Without a country only a full code ("US-NY") is recognised. Undefined
 * when the data set does not know the region (the caller keeps the text as sent).
 */
export function regionCode(region: string, country: string | null): string | undefined {
  const text = region.trim();
  if (text === '') return undefined;
  if (country) return index(country)?.get(key(text));
  index('US');
  const upper = text.toUpperCase();
  return allCodes.has(upper) ? upper : undefined;
}
