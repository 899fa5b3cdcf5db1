/**
 * Open intervals per weekday as a week of minutes: one byte per minute (10,080 of them) holds the
 * number of the interval open then, so "open now?" is one array read. An overnight interval
 * (fri 22:00–02:00) fills Friday to midnight and Saturday from midnight, as the Friday rule.
 */
import type { OpenIntervalDoc, Weekday } from '../dialplan/types.js';
import { MINUTES_PER_DAY } from './zone-clock.js';

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEK_MINUTES = 7 * MINUTES_PER_DAY;

/** `HH:MM` → minutes since midnight; `24:00` is the end of the day (1440). */
export function minuteOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Why an interval cannot be used (its `from` and `to` alone), or undefined. */
export function intervalProblem(open: OpenIntervalDoc): string | undefined {
  const from = minuteOf(open.from);
  const to = minuteOf(open.to);
  if (open.overnight) {
    return to < from
      ? undefined
      : `overnight interval ${open.from}-${open.to} must end the next day, before ${open.from}; without overnight it ends the same day`;
  }
  return from < to
    ? undefined
    : `'to' ${open.to} is not after 'from' ${open.from}; an interval past midnight needs overnight: true`;
}

/** `mon-fri 08:00-18:00`: how rules are named in plans and messages. */
export function ruleName(open: OpenIntervalDoc): string {
  const days = new Set(open.days);
  const runs: string[] = [];
  for (let i = 0; i < 7; i++) {
    if (!days.has(WEEKDAYS[i]!) || days.has(WEEKDAYS[i - 1]!)) continue;
    let j = i;
    while (j < 6 && days.has(WEEKDAYS[j + 1]!)) j++;
    runs.push(j === i ? WEEKDAYS[i]! : `${WEEKDAYS[i]}${j === i + 1 ? ',' : '-'}${WEEKDAYS[j]}`);
  }
  return `${runs.join(',')} ${open.from}-${open.to}`;
}

/**
 * Where in the week each interval is open, as [start, end) minute ranges of the week; an overnight
 * Sunday interval spills into Monday morning.
 */
export function weekRanges(open: OpenIntervalDoc): [number, number][] {
  const from = minuteOf(open.from);
  const to = minuteOf(open.to);
  const ranges: [number, number][] = [];
  for (const day of new Set(open.days)) {
    const start = WEEKDAYS.indexOf(day) * MINUTES_PER_DAY;
    if (!open.overnight) ranges.push([start + from, start + to]);
    else {
      ranges.push([start + from, start + MINUTES_PER_DAY]);
      const next = (start + MINUTES_PER_DAY) % WEEK_MINUTES;
      ranges.push([next, next + to]);
    }
  }
  return ranges;
}

/** The first minute two intervals share, as `sat 01:00`, or undefined. */
export function overlapOf(a: OpenIntervalDoc, b: OpenIntervalDoc): string | undefined {
  let first = Number.POSITIVE_INFINITY;
  for (const [as, ae] of weekRanges(a))
    for (const [bs, be] of weekRanges(b))
      if (as < be && bs < ae) first = Math.min(first, Math.max(as, bs));
  if (first === Number.POSITIVE_INFINITY) return undefined;
  const day = Math.floor(first / MINUTES_PER_DAY);
  const m = first - day * MINUTES_PER_DAY;
  return `${WEEKDAYS[day]} ${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** The week of minutes: 0 where closed, i + 1 where `intervals[i]` is open (valid intervals, at most 255). */
export function compileWeek(intervals: readonly OpenIntervalDoc[]): Uint8Array {
  const week = new Uint8Array(WEEK_MINUTES);
  intervals.forEach((open, i) => {
    for (const [start, end] of weekRanges(open)) week.fill(i + 1, start, end);
  });
  return week;
}
