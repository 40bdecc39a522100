import type { Rng } from './rng';

/** How a simulated customer behaves; the mix is what a real store sees. */
export type Persona = 'frequent' | 'casual' | 'lapsed' | 'browser' | 'deal-hunter';

export const PERSONA_MIX: readonly (readonly [Persona, number])[] = [
  ['frequent', 0.2],
  ['casual', 0.3],
  ['lapsed', 0.15],
  ['browser', 0.2],
  ['deal-hunter', 0.15],
];

/** Places a customer may live: country, a city, locale, IANA zone and its UTC offset in hours. */
const PLACES = [
  {
    country: 'US',
    city: 'New York',
    region: 'NY',
    locale: 'en-US',
    timezone: 'America/New_York',
    offset: -5,
  },
  {
    country: 'US',
    city: 'Los Angeles',
    region: 'CA',
    locale: 'en-US',
    timezone: 'America/Los_Angeles',
    offset: -8,
  },
  {
    country: 'CA',
    city: 'Toronto',
    region: 'ON',
    locale: 'en-CA',
    timezone: 'America/Toronto',
    offset: -5,
  },
  {
    country: 'BR',
    city: 'São Paulo',
    region: 'SP',
    locale: 'pt-BR',
    timezone: 'America/Sao_Paulo',
    offset: -3,
  },
  {
    country: 'GB',
    city: 'London',
    region: 'ENG',
    locale: 'en-GB',
    timezone: 'Europe/London',
    offset: 0,
  },
  {
    country: 'DE',
    city: 'Berlin',
    region: 'BE',
    locale: 'de-DE',
    timezone: 'Europe/Berlin',
    offset: 1,
  },
  {
    country: 'FR',
    city: 'Lyon',
    region: 'ARA',
    locale: 'fr-FR',
    timezone: 'Europe/Paris',
    offset: 1,
  },
  {
    country: 'IN',
    city: 'Bengaluru',
    region: 'KA',
    locale: 'en-IN',
    timezone: 'Asia/Kolkata',
    offset: 5.5,
  },
  {
    country: 'JP',
    city: 'Osaka',
    region: '27',
    locale: 'ja-JP',
    timezone: 'Asia/Tokyo',
    offset: 9,
  },
  {
    country: 'AU',
    city: 'Sydney',
    region: 'NSW',
    locale: 'en-AU',
    timezone: 'Australia/Sydney',
    offset: 10,
  },
] as const;

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'Dev',
  'Emma',
  'Felix',
  'Grace',
  'Hiro',
  'Isla',
  'Jonas',
  'Kira',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Priya',
  'Quinn',
  'Rafael',
  'Sofia',
  'Tom',
];
const LAST = [
  'Silva',
  'Müller',
  'Smith',
  'Tanaka',
  'Dubois',
  'Patel',
  'Garcia',
  'Kowalski',
  'Brown',
  'Rossi',
];

export interface Customer {
  userId: string;
  anonymousId: string;
  persona: Persona;
  email: string;
  firstName: string;
  lastName: string;
  gender: 'female' | 'male' | 'unspecified';
  birthday: string;
  country: string;
  region: string;
  city: string;
  locale: string;
  timezone: string;
}

/**
 * Places where it is daytime (09:00 to 20:00) at `now`: the demo's customers live there so the
 * campaigns' quiet hours (recipient's local night) do not hold the demo's emails.
 */
export function daytimePlaces(now: number): (typeof PLACES)[number][] {
  const utcHours = (now / 3_600_000) % 24;
  const open = PLACES.filter((p) => {
    const local = (utcHours + p.offset + 24) % 24;
    return local >= 9 && local < 20;
  });
  return open.length > 0 ? open : [...PLACES];
}

export function generateCustomers(rng: Rng, count: number, runId: string, now: number): Customer[] {
  const places = daytimePlaces(now);
  return Array.from({ length: count }, (_, i) => {
    const firstName = rng.pick(FIRST);
    const lastName = rng.pick(LAST);
    const place = rng.pick(places);
    const year = rng.int(1950, 2005);
    const month = String(rng.int(1, 12)).padStart(2, '0');
    const day = String(rng.int(1, 28)).padStart(2, '0');
    const handle = `${firstName}.${lastName}`
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z.]/g, '');
    return {
      userId: `${runId}-c${i}`,
      anonymousId: `${runId}-anon${i}`,
      persona: rng.weighted(PERSONA_MIX),
      email: `${handle}.${runId}.${i}@demo.example.com`,
      firstName,
      lastName,
      gender: rng.weighted([
        ['female', 0.48],
        ['male', 0.48],
        ['unspecified', 0.04],
      ] as const),
      birthday: `${year}-${month}-${day}`,
      country: place.country,
      region: place.region,
      city: place.city,
      locale: place.locale,
      timezone: place.timezone,
    };
  });
}
