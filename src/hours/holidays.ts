/**
 * Public holidays of a region (`DE`, `DE-BY`, `AT`, `AT-9`) by local day, from date-holidays:
 * maintained, with the German and Austrian states, offline (rules ship in the package). Only
 * holidays of type `public` close: `observance` (Muttertag), `bank` and `optional` days do not.
 */
import type HolidaysClass from 'date-holidays';
import { lazyRequire } from '../util/lazy-require.js';
import { DAY_MS } from './zone-clock.js';

/** ~9 MB of live heap (every country's rules, moment-timezone): loaded once a region is named. */
const Holidays = lazyRequire<typeof HolidaysClass>(import.meta.url, 'date-holidays');

export const HOLIDAY_COUNTRIES = ['DE', 'AT'] as const;

/** The states date-holidays knows for a country, e.g. BY → Bayern. */
export function statesOf(country: string): Record<string, string> {
  return (new (Holidays())().getStates(country) as Record<string, string> | undefined) ?? {};
}

/** Why `region` cannot be used, or undefined when it can. */
export function regionProblem(region: string): string | undefined {
  const [country, state, ...rest] = region.split('-');
  if (!(HOLIDAY_COUNTRIES as readonly string[]).includes(country ?? '') || rest.length > 0)
    return `holidays '${region}' is not a region: write DE or AT, or a state as DE-BY or AT-9`;
  if (state === undefined || state in statesOf(country!)) return undefined;
  return `holidays '${region}': ${country} has no state '${state}' (states: ${Object.keys(statesOf(country!)).join(', ')})`;
}

export class HolidayCalendar {
  readonly #holidays: HolidaysClass;
  readonly #names = new Map<number, string>();
  readonly #years = new Set<number>();

  constructor(readonly region: string) {
    const [country, state] = region.split('-');
    const Calendar = Holidays();
    this.#holidays = state
      ? new Calendar(country!, state, { languages: ['de'] })
      : new Calendar(country!, { languages: ['de'] });
  }

  /** The public holiday on a local day (days since 1970-01-01), or undefined. */
  nameOn(day: number): string | undefined {
    const year = new Date(day * DAY_MS).getUTCFullYear();
    if (!this.#years.has(year)) this.#load(year);
    return this.#names.get(day);
  }

  #load(year: number): void {
    this.#years.add(year);
    for (const h of this.#holidays.getHolidays(year)) {
      if (h.type !== 'public') continue;
      // `date` is the local date the holiday falls on ('2026-06-04 00:00:00')
      const day = Date.parse(`${h.date.slice(0, 10)}T00:00:00Z`) / DAY_MS;
      const name = this.#names.get(day);
      this.#names.set(day, name ? `${name}, ${h.name}` : h.name);
    }
  }
}

const calendars = new Map<string, HolidayCalendar>();

/** One calendar per region, shared by every schedule that names it. */
export function holidayCalendar(region: string): HolidayCalendar {
  let calendar = calendars.get(region);
  if (!calendar) {
    calendar = new HolidayCalendar(region);
    calendars.set(region, calendar);
  }
  return calendar;
}
