/**
 * A number's business hours, compiled: for an instant, open (and by which rule) or closed (and
 * why). Closed dates come first, then public holidays, then the weekly hours; a closed date or
 * holiday closes its whole local calendar day, the small hours of an overnight interval included.
 */
import type { BusinessHoursDoc, ClosedDateDoc, OpenIntervalDoc } from '../dialplan/types.js';
import type { ClosedWhy } from '../routing/plan.js';
import { type ClosedSpan, closedOn, compileClosedDates } from './closed-dates.js';
import { type HolidayCalendar, holidayCalendar } from './holidays.js';
import { compileWeek, ruleName } from './week.js';
import { DAY_MS, MINUTE_MS, MINUTES_PER_DAY, type ZoneClock, zoneClock } from './zone-clock.js';

/** `rule` indexes the schedule's `rules`; -1 when open around the clock (no `open` intervals). */
export type HoursStatus =
  | { readonly open: true; readonly rule: number }
  | { readonly open: false; readonly why: ClosedWhy };

/** The hours that apply to a number, its own merged over its customer's; timezone checked. */
export type EffectiveHours = {
  readonly timezone: string;
  readonly open?: readonly OpenIntervalDoc[];
  readonly holidays?: string;
  readonly closedDates: readonly ClosedDateDoc[];
};

/**
 * A number's own fields replace its customer's, except closed dates, which add up. Undefined when
 * nothing can close the number (no intervals, holidays or closed dates) or no timezone is known
 * (the dialplan rules refuse that).
 */
export function effectiveHours(
  own: BusinessHoursDoc | undefined,
  customer: BusinessHoursDoc | undefined,
): EffectiveHours | undefined {
  if (!own && !customer) return undefined;
  const timezone = own?.timezone ?? customer?.timezone;
  const open = own?.open ?? customer?.open;
  const holidays = own?.holidays ?? customer?.holidays;
  const closedDates = [...(customer?.closedDates ?? []), ...(own?.closedDates ?? [])];
  if (timezone === undefined || (!open && !holidays && closedDates.length === 0)) return undefined;
  return {
    timezone,
    ...(open && { open }),
    ...(holidays !== undefined && { holidays }),
    closedDates,
  };
}

const OPEN_ALWAYS: HoursStatus = Object.freeze({ open: true, rule: -1 });
const CLOSED_HOURS: HoursStatus = Object.freeze({
  open: false,
  why: Object.freeze({ kind: 'hours' }),
});

export class Schedule {
  /** Names of the open intervals (`mon-fri 08:00-18:00`), in the order written. */
  readonly rules: readonly string[];
  readonly clock: ZoneClock;
  readonly #week: Uint8Array | undefined;
  readonly #opens: readonly HoursStatus[];
  readonly #spans: readonly ClosedSpan[];
  readonly #holidays: HolidayCalendar | undefined;
  // the local day of the last call (calls arrive on the same day): where it starts and ends on
  // the wall clock, its first minute in the week, and what closes it (null: nothing)
  #dayStart = 0;
  #dayEnd = 0;
  #weekBase = 0;
  #dayClosed: HoursStatus | null = null;

  constructor(hours: EffectiveHours) {
    this.clock = zoneClock(hours.timezone);
    this.rules = (hours.open ?? []).map(ruleName);
    this.#week = hours.open ? compileWeek(hours.open) : undefined;
    this.#opens = this.rules.map((_, rule) => Object.freeze({ open: true, rule }));
    this.#spans = compileClosedDates(hours.closedDates);
    this.#holidays = hours.holidays === undefined ? undefined : holidayCalendar(hours.holidays);
  }

  status(ms: number): HoursStatus {
    const wall = this.clock.wall(ms);
    // only on a new day: float division and modulo cost more than the rest of a call together
    if (wall < this.#dayStart || wall >= this.#dayEnd) this.#newDay(Math.floor(wall / DAY_MS));
    if (this.#dayClosed) return this.#dayClosed;
    if (!this.#week) return OPEN_ALWAYS;
    const slot = this.#week[this.#weekBase + (((wall - this.#dayStart) / MINUTE_MS) | 0)]!;
    return slot === 0 ? CLOSED_HOURS : this.#opens[slot - 1]!;
  }

  #newDay(day: number): void {
    this.#dayStart = day * DAY_MS;
    this.#dayEnd = this.#dayStart + DAY_MS;
    // 1970-01-01 was a Thursday: Monday-based weekday = (day + 3) mod 7
    this.#weekBase = ((((day + 3) % 7) + 7) % 7) * MINUTES_PER_DAY;
    this.#dayClosed = this.#closedDay(day);
  }

  #closedDay(day: number): HoursStatus | null {
    const closed = closedOn(this.#spans, day);
    if (closed) return Object.freeze({ open: false, why: closed });
    const name = this.#holidays?.nameOn(day);
    if (name === undefined) return null;
    return Object.freeze({ open: false, why: Object.freeze({ kind: 'holiday', name }) });
  }
}
