/**
 * Turns a called or calling number, in any shape a carrier or caller sends, into E.164.
 * It runs on every call, so the core (`normaliseValue`) scans char codes once and returns the
 * E.164 digits as one integer (at most 15 digits, exact in a double): no regex, no allocation,
 * and no metadata except on the rare `(0)` path. `normalise` gives the `+…` string for everything
 * off the call path.
 *
 * The business-card form `+49 (0)30 1234567` marks the national trunk prefix that is dropped when
 * dialled from abroad: it is read as `+49301234567`. Where such a 0 could mean something else it
 * is refused, not guessed (libphonenumber guesses: `+49 030…` → `+4930…`, `+49 30 (0)1…` →
 * `+493001…`): a 0 right after +49/+43 without brackets (no DE or AT number starts with 0 there),
 * a `(0)` anywhere but right after the country code, or a `(0)` with no country code before it.
 */
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';

export type NormaliseFailure = {
  readonly ok: false;
  /**
   * `malformed`: not a phone number at all; `incomplete`: digits, but too few for E.164;
   * `ambiguous`: a national trunk 0 written where it could be read two ways.
   */
  readonly reason: 'malformed' | 'incomplete' | 'ambiguous';
  readonly detail: string;
};

export type NormaliseOptions = {
  /** Country calling code (digits, no '+') applied to national numbers starting with a single 0. */
  readonly defaultCountryCode: string;
};

/** E.164 allows at most 15 digits; fewer than 7 cannot be a country code plus a subscriber. */
const MIN_DIGITS = 7;
const MAX_DIGITS = 15;

const fail = (reason: NormaliseFailure['reason'], detail: string): NormaliseFailure =>
  Object.freeze({ ok: false, reason, detail });

/** Failures by negated code, as `normaliseValue` returns them. */
export const FAILURES: readonly NormaliseFailure[] = Object.freeze([
  fail('malformed', 'unknown'),
  fail('malformed', 'no number given'),
  fail('malformed', 'contains characters that are not digits or separators'),
  fail('malformed', `more than ${MAX_DIGITS} digits`),
  fail('incomplete', `fewer than ${MIN_DIGITS} digits with the country code`),
  fail('incomplete', 'no country code after the international prefix'),
  fail(
    'ambiguous',
    "a 0 right after the country code +49 or +43 is a national trunk prefix where none belongs: drop it ('+4930…') or bracket it ('+49 (0)30…')",
  ),
  fail('ambiguous', "'(0)' may stand only right after the country code, as in '+49 (0)30 …'"),
  fail(
    'ambiguous',
    "'(0)' without a country code before it: write '+49 (0)30 …' or the national '030 …'",
  ),
]);
const EMPTY = -1;
const NOT_A_NUMBER = -2;
const TOO_LONG = -3;
const TOO_SHORT = -4;
const NO_COUNTRY = -5;
const TRUNK_ZERO = -6;
const ZERO_GROUP_MISPLACED = -7;
const ZERO_GROUP_NO_COUNTRY = -8;

const PLUS = 43;
const ZERO = 48;
const NINE = 57;
const OPEN = 40;
const CLOSE = 41;

/** Country calling codes (49, 43, 1, 358 …), for the `(0)` that may follow one. */
const COUNTRY_CALLING_CODES: ReadonlySet<number> = new Set(
  getCountries().map((c) => Number(getCountryCallingCode(c))),
);

/** Country codes whose numbers never start with 0: a 0 right after them is a misplaced trunk prefix. */
function noLeadingZero(value: number): boolean {
  return value === 49 || value === 43;
}

/** `(0)` at `i`: the national trunk prefix in brackets. */
function zeroGroupAt(raw: string, i: number, end: number): boolean {
  return (
    i + 2 < end &&
    raw.charCodeAt(i) === OPEN &&
    raw.charCodeAt(i + 1) === ZERO &&
    raw.charCodeAt(i + 2) === CLOSE
  );
}

/** Visual separators allowed by RFC 3966 and what people type: - . space ( ) / tab */
function isSeparator(c: number): boolean {
  return c === 45 || c === 46 || c === 32 || c === 40 || c === 41 || c === 47 || c === 9;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** Lower-case ASCII compare without allocating: `sip`, `sips`, `tel` schemes. */
function schemeAt(raw: string, from: number, colon: number): 'sip' | 'tel' | undefined {
  const len = colon - from;
  if (len !== 3 && len !== 4) return undefined;
  const a = raw.charCodeAt(from) | 0x20;
  const b = raw.charCodeAt(from + 1) | 0x20;
  const c = raw.charCodeAt(from + 2) | 0x20;
  if (len === 3 && a === 116 && b === 101 && c === 108) return 'tel';
  if (a !== 115 || b !== 105 || c !== 112) return undefined;
  return len === 3 || (raw.charCodeAt(from + 3) | 0x20) === 115 ? 'sip' : undefined;
}

/** Where the number starts and ends inside `<sip:…>`, `sip:user@host;…`, `tel:…` or a bare string. */
let spanStart = 0;
let spanEnd = 0;
function findSpan(raw: string): void {
  const first = raw.charCodeAt(0);
  spanStart = 0;
  spanEnd = raw.length;
  // the common shapes (+49…, 0049…, 030…) carry no brackets or scheme: skip the searches
  if (first === PLUS || isDigit(first)) return;
  const lt = raw.indexOf('<');
  if (lt !== -1) {
    spanStart = lt + 1;
    const gt = raw.indexOf('>', spanStart);
    if (gt !== -1) spanEnd = gt;
  }
  while (spanStart < spanEnd && raw.charCodeAt(spanStart) === 32) spanStart++;
  const colon = raw.indexOf(':', spanStart);
  if (colon === -1 || colon >= spanEnd) return;
  const scheme = schemeAt(raw, spanStart, colon);
  if (!scheme) return;
  spanStart = colon + 1;
  const at = scheme === 'sip' ? raw.indexOf('@', spanStart) : -1;
  if (at !== -1 && at < spanEnd) spanEnd = at;
}

/**
 * The E.164 digits of `raw` as an integer (`+4930123456` → 4930123456), or a negative failure code
 * (see FAILURES). Accepts `+…`, `00…`, national `0…` (the default country code), bare digits
 * (E.164 without the plus, as many SIP trunks send them), `tel:` URIs with visual separators
 * and `sip:`/`sips:` user parts with `;user=phone` and other parameters. One pass: the state
 * says whether the leading zeros (trunk or international prefix) have been read yet.
 */
export function normaliseValue(
  raw: string,
  countryCode: number,
  countryCodeDigits: number,
): number {
  if (raw.length === 0) return EMPTY;
  findSpan(raw);
  const end = spanEnd;
  let i = spanStart;
  // leading brackets are separators (`(+49) 30…`), a leading `(0)` is not: the loop refuses it
  while (i < end && isSeparator(raw.charCodeAt(i)) && !zeroGroupAt(raw, i, end)) i++;
  const plus = i < end && raw.charCodeAt(i) === PLUS;
  if (plus) i++;
  // 0: no digit yet; 1: read a single 0 (national or international prefix); 2: in the number
  let state = plus ? 2 : 0;
  // the digits so far begin with the country code (+, 00, or bare E.164), not a national 0
  let international = plus;
  let zeroGroup = false;
  let value = 0;
  let count = 0;
  for (; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (!isDigit(c)) {
      if (c === OPEN && zeroGroupAt(raw, i, end)) {
        if (!international || state !== 2) return ZERO_GROUP_NO_COUNTRY;
        if (zeroGroup || !COUNTRY_CALLING_CODES.has(value)) return ZERO_GROUP_MISPLACED;
        zeroGroup = true;
        i += 2;
        continue;
      }
      if (isSeparator(c)) continue;
      // URI parameters (;user=phone, ;phone-context=…) and URI headers end the number
      if (c === 59 || c === 63) break;
      return NOT_A_NUMBER;
    }
    if (state === 2) {
      if (c === ZERO) {
        if (count === 0) return NO_COUNTRY;
        if (count === 2 && international && noLeadingZero(value)) return TRUNK_ZERO;
      }
      if (++count > MAX_DIGITS) return TOO_LONG;
      value = value * 10 + (c - ZERO);
    } else if (state === 0) {
      if (c === ZERO) state = 1;
      else {
        state = 2;
        international = true;
        value = c - ZERO;
        count = 1;
      }
    } else {
      state = 2;
      // "00": the international prefix; the next digit starts the country code
      if (c === ZERO) international = true;
      else {
        value = countryCode * 10 + (c - ZERO);
        count = countryCodeDigits + 1;
      }
    }
  }
  if (state === 0) return plus ? NO_COUNTRY : EMPTY;
  if (count === 0) return state === 1 ? TOO_SHORT : NO_COUNTRY;
  return count < MIN_DIGITS ? TOO_SHORT : value;
}

/** `+4930123456`, or why the input is not a number. */
export function normalise(raw: string, options: NormaliseOptions): string | NormaliseFailure {
  const cc = options.defaultCountryCode;
  const value = normaliseValue(raw, Number(cc), cc.length);
  return value > 0 ? `+${value}` : (FAILURES[-value] ?? FAILURES[0]!);
}

/**
 * What to tell a person who wrote a number where E.164 is required: its E.164 spelling when it
 * carries its country code (`+49 (0)30 1234567` → `+49301234567`), or why it cannot be read when
 * it is ambiguous; nothing otherwise (a national number needs a country the text does not give).
 */
export function spellingAdvice(text: string): string | undefined {
  const n = normalise(text, { defaultCountryCode: '49' });
  if (typeof n !== 'string')
    return n.reason === 'ambiguous' ? `'${text}' is ambiguous: ${n.detail}` : undefined;
  return /^[\s(]*(\+|00)/.test(text) && n !== text ? `write '${text}' as '${n}'` : undefined;
}

/** The integer form of an E.164 string that is already known to be valid. */
export function e164Value(e164: string): number {
  return Number(e164.slice(1));
}
