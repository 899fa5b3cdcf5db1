/**
 * `new Date(ms).toISOString()`, with the date and time up to the second made once per second:
 * a call's times (start, answer, end, its log line) were five `toISOString` calls at ~0.5 µs
 * each (issue 16, CPU per call). Four seconds are kept, by the second's last two bits: a call's
 * start and end, and the log line's now, are seldom more than that apart from their neighbours.
 * Out of the four-digit years (and not a number) it is `toISOString` itself, which throws.
 */
const LAST_4_DIGIT_YEAR_MS = 253_402_300_800_000;

const seconds = new Float64Array(4).fill(Number.NaN);
const prefixes = ['', '', '', ''];

export function isoString(ms: number): string {
  if (!(ms >= 0 && ms < LAST_4_DIGIT_YEAR_MS)) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  const slot = second & 3;
  if (seconds[slot] !== second) {
    seconds[slot] = second;
    prefixes[slot] = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const milli = ms - second * 1000;
  // a fraction of a millisecond: toISOString drops it
  const whole = Math.floor(milli);
  return `${prefixes[slot]}${whole < 10 ? '00' : whole < 100 ? '0' : ''}${whole}Z`;
}
