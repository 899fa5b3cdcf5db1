/**
 * Instants as the admin API and the CLI take them: RFC 3339 with a zone, or a bare date that
 * stands for a whole UTC day (its first millisecond as a start, its last as an end).
 */
import { parseDate } from '../dialplan/dates.js';

const INSTANT =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$/;
const DAY_MS = 86_400_000;

/** Milliseconds of an instant; a bare date is its first (`from`) or last (`to`) millisecond. */
export function parseInstant(text: string, end: boolean): number | undefined {
  if (!INSTANT.test(text) || !parseDate(text.slice(0, 10))) return undefined;
  if (text.length === 10) return parseDate(text)!.getTime() + (end ? DAY_MS - 1 : 0);
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export const INSTANT_HINT = 'is not a date (YYYY-MM-DD) or an RFC 3339 time';
