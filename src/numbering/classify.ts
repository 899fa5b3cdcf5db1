/**
 * Classifies an E.164 number with libphonenumber's numbering metadata: country, kind and, for
 * geographic numbers, the area code (Ortsnetzkennzahl / Vorwahl). Metadata parsing costs several
 * microseconds, so results are memoised by the leading digits and the length, which is all the
 * metadata's patterns distinguish in the DE and AT plans beyond the subscriber digits.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type Country = 'DE' | 'AT' | 'other';
export type NumberKind = 'geographic' | 'mobile' | 'toll-free' | 'other' | 'invalid';

export type Classification = {
  readonly country: Country;
  readonly kind: NumberKind;
  /** National area code without the trunk prefix 0 (`30`, `89`, `1`, `316`); geographic only. */
  readonly areaCode?: string;
  /** ISO region as libphonenumber reports it (`DE`, `AT`, `CH`, …), for messages. */
  readonly region?: string;
};

export const COUNTRY_CODES = Object.freeze({ DE: '49', AT: '43' } as const);

/** DE 032 numbers are nationwide ("Nationale Teilnehmerrufnummern"), not an area code. */
const NON_GEOGRAPHIC_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  DE: ['32'],
};

const KEY_DIGITS = 9;
const CACHE_LIMIT = 200_000;
const cache = new Map<string, Classification>();

const INVALID: Classification = Object.freeze({ country: 'other', kind: 'invalid' });

export function countryOf(e164: string): Country {
  if (e164.startsWith('+49')) return 'DE';
  if (e164.startsWith('+43')) return 'AT';
  return 'other';
}

export function classify(e164: string): Classification {
  const key = `${e164.slice(0, KEY_DIGITS)}/${e164.length}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const result = classifyUncached(e164);
  // a burst of unrelated numbers must not grow the memo without bound
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, result);
  return result;
}

function classifyUncached(e164: string): Classification {
  const parsed = parsePhoneNumberFromString(e164);
  const country = countryOf(e164);
  if (!parsed?.isValid()) {
    return country === 'other' ? INVALID : Object.freeze({ country, kind: 'invalid' });
  }
  const region = parsed.country;
  const type = parsed.getType();
  if (type === 'MOBILE') return Object.freeze({ country, kind: 'mobile', region });
  if (type === 'TOLL_FREE') return Object.freeze({ country, kind: 'toll-free', region });
  if (type === 'FIXED_LINE' || type === 'FIXED_LINE_OR_MOBILE') {
    const areaCode = areaCodeOf(parsed.formatInternational(), country);
    if (areaCode) return Object.freeze({ country, kind: 'geographic', areaCode, region });
  }
  return Object.freeze({ country, kind: 'other', region });
}

/**
 * The metadata's formatting rules group the area code on its own (`+49 33631 12345`), which is
 * how libphonenumber itself derives area-code lengths; we read the first group after the code.
 */
function areaCodeOf(international: string, country: Country): string | undefined {
  const groups = international.split(' ');
  const area = groups[1];
  if (!area || groups.length < 3) return undefined;
  if (country !== 'other' && NON_GEOGRAPHIC_PREFIXES[country]?.includes(area)) return undefined;
  return area;
}

/**
 * Whether `areaCode` is a geographic area code of `country`, checked by classifying sample
 * numbers in it: the metadata has no list of area codes, only patterns for whole numbers.
 */
export function isAreaCode(country: 'DE' | 'AT', areaCode: string): boolean {
  const cc = COUNTRY_CODES[country];
  for (const subscriber of ['1234567', '123456', '12345', '2345678', '234567']) {
    const c = classify(`+${cc}${areaCode}${subscriber}`);
    if (c.kind === 'geographic' && c.areaCode === areaCode) return true;
  }
  return false;
}
