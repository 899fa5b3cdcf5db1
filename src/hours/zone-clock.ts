/**
 * Local wall-clock time in an IANA zone, for an instant. Intl is slow (microseconds per call), so
 * the zone's UTC offset is kept for the last UTC minute asked: calls arrive at "now", and every
 * offset change of a modern zone (DST included) falls on a minute boundary.
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
export const MINUTES_PER_DAY = 1440;

/** A local instant taken apart: days since 1970-01-01 (local), weekday (0 = Monday), minute of the day. */
export type LocalTime = { day: number; weekday: number; minute: number };

/** True when Intl knows `zone` (names are matched as Intl matches them, case-insensitively). */
export function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export class ZoneClock {
  readonly #format: Intl.DateTimeFormat;
  // the UTC minute asked last, [start, start + 1 min), and the zone's offset then
  #from = 0;
  #until = 0;
  #offset = 0;

  /** Throws a RangeError for an unknown zone: dialplans are validated before a clock is made. */
  constructor(readonly zone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  }

  /** The local wall-clock time of `ms` as epoch milliseconds of a UTC clock showing it. */
  wall(ms: number): number {
    if (ms < this.#from || ms >= this.#until) {
      this.#from = Math.floor(ms / MINUTE_MS) * MINUTE_MS;
      this.#until = this.#from + MINUTE_MS;
      this.#offset = this.#offsetAt(this.#from);
    }
    return ms + this.#offset;
  }

  /**
   * The instant a wall-clock time names: in autumn's repeated hour the first of the two, in the
   * hour skipped in spring the offset before the change (02:30 → 03:30 summer time).
   */
  instant(wallMs: number): number {
    const before = wallMs - this.#offsetAt(wallMs - DAY_MS);
    const after = wallMs - this.#offsetAt(wallMs + DAY_MS);
    for (const c of before <= after ? [before, after] : [after, before])
      if (c + this.#offsetAt(c) === wallMs) return c;
    return before;
  }

  #offsetAt(ms: number): number {
    let y = 0;
    let mo = 0;
    let d = 0;
    let h = 0;
    let mi = 0;
    for (const p of this.#format.formatToParts(ms)) {
      if (p.type === 'year') y = Number(p.value);
      else if (p.type === 'month') mo = Number(p.value);
      else if (p.type === 'day') d = Number(p.value);
      else if (p.type === 'hour') h = Number(p.value);
      else if (p.type === 'minute') mi = Number(p.value);
    }
    const seconds = ms - Math.floor(ms / MINUTE_MS) * MINUTE_MS;
    return Date.UTC(y, mo - 1, d, h, mi) + seconds - ms;
  }
}

export function localTime(wallMs: number): LocalTime {
  const day = Math.floor(wallMs / DAY_MS);
  return {
    day,
    // 1970-01-01 was a Thursday
    weekday: (((day + 3) % 7) + 7) % 7,
    minute: Math.floor((wallMs - day * DAY_MS) / MINUTE_MS),
  };
}

const clocks = new Map<string, ZoneClock>();

/** One clock per zone, so numbers of a zone share its offset cache. */
export function zoneClock(zone: string): ZoneClock {
  let clock = clocks.get(zone);
  if (!clock) {
    clock = new ZoneClock(zone);
    clocks.set(zone, clock);
  }
  return clock;
}
