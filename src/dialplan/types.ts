/** The dialplan documents as written in YAML (schema version 1), after schema validation. */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export type CustomerDoc = {
  id: string;
  name: string;
  seat: { country: 'DE' | 'AT'; areaCode: string; city?: string };
  registration?: string;
  /**
   * How the dealer leg names the tracking number (the dealer's PBX may route on it, and a call
   * that comes back carrying it is a loop): `history-info` (RFC 7044, the default), `diversion`
   * (RFC 5806) or `none`.
   */
  trackingHeader?: 'none' | 'history-info' | 'diversion';
  /** Hours of every number of the customer; a number's own `options.businessHours` overrides them field by field. */
  businessHours?: BusinessHoursDoc;
  /** What a caller gets while closed, for every number of the customer without its own `options.closed`. */
  closed?: ClosedActionDoc;
};

export type DestinationDoc = { to: string; ringTimeout: number };
/** Simultaneous ring: every member rings at once for `ringTimeout` seconds; the first answer wins. */
export type DestinationGroupDoc = { ringAll: string[]; ringTimeout: number };
export type DestinationEntryDoc = DestinationDoc | DestinationGroupDoc;

/**
 * One open interval on each of `days`, `from` included, `to` excluded (`24:00` ends the day);
 * `overnight` lets `to` fall on the next day (fri 22:00–02:00 is the Friday rule).
 */
export type OpenIntervalDoc = { days: Weekday[]; from: string; to: string; overnight?: boolean };

/** A day (`2026-12-24`) or a span of days (both ends included) the customer or number is closed. */
export type ClosedDateDoc =
  | { date: string; name?: string }
  | { from: string; to: string; name?: string };

/**
 * When a number is open, in its IANA `timezone`. On a customer `timezone` is required (its numbers
 * take it); on a number each field given replaces the customer's, except `closedDates`, which add
 * to the customer's. No `open` (after merging) is open around the clock: then only holidays and
 * closed dates close. A holiday or closed date closes its whole local day.
 */
export type BusinessHoursDoc = {
  timezone?: string;
  open?: OpenIntervalDoc[];
  /** Public holidays of this region close the number: `DE`, `DE-BY`, `AT`, `AT-9` (Wien). */
  holidays?: string;
  closedDates?: ClosedDateDoc[];
};

/**
 * What a caller gets while the number is closed: `refuse` (480 with a Reason, the default),
 * `announcement` (a prompt in early media, then the same 480), `voicemail` (the number's
 * `options.voicemail`), `destinations` (an answering service, in order, groups allowed).
 */
export type ClosedActionDoc =
  | { action: 'refuse' }
  | { action: 'announcement'; file?: string; tone?: string }
  | { action: 'voicemail' }
  | { action: 'destinations'; destinations: DestinationEntryDoc[] };

export type NumberOptions = {
  displayPrefix?: string;
  whisper?: { file?: string; tone?: string };
  recording?: { enabled: boolean; retentionDays: number; noticeFile?: string };
  voicemail?: { email: string; maxSeconds?: number; greetingFile?: string };
  businessHours?: BusinessHoursDoc;
  closed?: ClosedActionDoc;
  /** Blind transfers (REFER) by the dealer: allowed unless `enabled: false`; DE/AT targets only unless `international`. */
  transfer?: { enabled?: boolean; international?: boolean };
  /** Calls in progress to this number on one gateway node; one more gets 486. */
  maxConcurrentCalls?: number;
};

export type NumberDoc = {
  number: string;
  customer: string;
  source: string;
  status: 'active' | 'deactivated';
  activatedAt?: string;
  deactivatedAt?: string;
  replaces?: string;
  replacedBy?: string;
  destinations?: DestinationEntryDoc[];
  options?: NumberOptions;
};

export type DialplanDoc = {
  version: 1;
  customers?: CustomerDoc[];
  numbers?: NumberDoc[];
};

/** A path into a document, as ajv and the domain rules name places: ['numbers', 3, 'number']. */
export type DocPath = readonly (string | number)[];

/** A place in a file, before its line and column are known. */
export type Place = { file: string; path: DocPath };

/**
 * A problem found before positions are known; `key` points at the map key instead of the value.
 * `{related}` in the message is replaced by the `file:line` of `related`.
 */
export type Issue = Place & { message: string; key?: boolean; related?: Place };
