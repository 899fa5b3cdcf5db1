/**
 * Periods of local days (YYYY-MM-DD, Europe/Berlin, as `localDay` gives them) for reports and
 * exports, and the stream-id window that holds a period's records.
 */
import { formatDate, parseDate } from '../dialplan/dates.js';

const DAY_MS = 86_400_000;

/** Every day from `from` to `to`, both included; both must be valid YYYY-MM-DD dates. */
export function daysBetween(from: string, to: string): string[] {
  const start = parseDate(from);
  const end = parseDate(to);
  if (!start || !end) return [];
  const days: string[] = [];
  for (let t = start.getTime(); t <= end.getTime(); t += DAY_MS) days.push(formatDate(new Date(t)));
  return days;
}

/**
 * Stream ids (ms timestamps of the XADD) that can hold records started on the days `from`…`to`.
 * A record is added after its call ended, so its id is not before its start; the window opens a
 * day early (time zone, clock skew between gateway and Redis) and stays open `lateDays` after the
 * period for long calls and records replayed from a writer's spool. The caller still filters by
 * the record's own start day.
 */
export function streamWindow(
  from: string,
  to: string,
  lateDays: number,
): { start: string; end: string } {
  const start = parseDate(from);
  const end = parseDate(to);
  if (!start || !end) throw new RangeError(`not a period: ${from} … ${to}`);
  return {
    start: String(Math.max(0, start.getTime() - DAY_MS)),
    end: String(end.getTime() + (1 + lateDays) * DAY_MS),
  };
}
