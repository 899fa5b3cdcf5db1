/**
 * Where analytics keep their state in Redis, all under `calltrack:{analytics}:`:
 *
 * - `calltrack:{analytics}:seen:<record id>`: "1", set when a record's effect is stored, expiring
 *   after `SEEN_TTL_SECONDS`; a second copy of the record within that time adds nothing.
 * - `calltrack:{analytics}:calls:<customer>:<YYYY-MM-DD>`: hash per customer and local day
 *   (Europe/Berlin); field `<outcome>:<source>` counts calls, field `talk_ms:<source>` sums talk
 *   time in milliseconds, field `after_hours:<source>` counts the calls that came while the number
 *   was closed (whatever was done with them). Outcomes hold no colon, so the source is everything after the first one.
 * - `calltrack:{analytics}:last-call`: hash tracking number (E.164) → start of its latest call, in
 *   epoch milliseconds.
 *
 * The consumer group on the record stream is `analytics`.
 */
import { CALL_OUTCOMES, type CallOutcome } from '../call/record.js';
export const ANALYTICS_PREFIX = 'calltrack:{analytics}:';
export const ANALYTICS_GROUP = 'analytics';
export const LAST_CALL_KEY = `${ANALYTICS_PREFIX}last-call`;

/** Long enough for any replayed copy of a record (spool replay, re-read pending entries) to find its first copy's mark. */
export const SEEN_TTL_SECONDS = 7 * 86_400;

/** The outcomes counted, in report order: those of the call records. */
export const OUTCOMES = CALL_OUTCOMES;
export type Outcome = CallOutcome;

export const TALK_FIELD = 'talk_ms';
export const AFTER_HOURS_FIELD = 'after_hours';

export function seenKey(recordId: string): string {
  return `${ANALYTICS_PREFIX}seen:${recordId}`;
}

export function callsKey(customer: string, day: string): string {
  return `${ANALYTICS_PREFIX}calls:${customer}:${day}`;
}

/** A counts-hash field → what it counts and for which source. */
export function parseCountField(field: string): { what: string; source: string } | undefined {
  const colon = field.indexOf(':');
  if (colon < 0) return undefined;
  return { what: field.slice(0, colon), source: field.slice(colon + 1) };
}
