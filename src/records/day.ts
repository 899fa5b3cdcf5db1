/**
 * Calendar days as dealers count them: in German/Austrian local time (Europe/Berlin and
 * Europe/Vienna share their offsets), so a call at 00:30 local time counts for that day.
 */
const FORMAT = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Local day by UTC hour: `2026-11-22T10` for ISO times, hours since the epoch for numbers. */
const byHour = new Map<string | number, string>();
const HOUR_MS = 3_600_000;

/** `2026-11-22` for an ISO time or epoch milliseconds. */
export function localDay(time: string | number): string {
  // the offsets are whole hours, so the UTC hour decides the local day: cache by it
  const hour = typeof time === 'number' ? Math.floor(time / HOUR_MS) : time.slice(0, 13);
  let day = byHour.get(hour);
  if (day === undefined) {
    day = FORMAT.format(new Date(time));
    if (byHour.size > 10_000) byHour.clear();
    byHour.set(hour, day);
  }
  return day;
}
