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
};

export type DestinationDoc = { to: string; ringTimeout: number };

export type NumberOptions = {
  displayPrefix?: string;
  whisper?: { file?: string; tone?: string };
  recording?: { enabled: boolean; retentionDays: number; noticeFile?: string };
  voicemail?: { email: string; maxSeconds?: number; greetingFile?: string };
  businessHours?: { timezone: string; open: { days: Weekday[]; from: string; to: string }[] };
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
  destinations?: DestinationDoc[];
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
