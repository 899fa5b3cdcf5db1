/**
 * `--at` of `calltrack lookup`: an ISO time with an offset (`2026-06-04T08:00:00Z`) is that
 * instant; without one (`2026-06-04T10:00`) it is the wall-clock time in the number's zone.
 */
import { WEEKDAYS } from '../hours/week.js';
import { localTime, zoneClock } from '../hours/zone-clock.js';
import { CliError } from './io.js';

const ISO =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]{1,3})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$/i;

export type AtTime = { readonly ms: number } | { readonly wallMs: number };

export function parseAt(text: string): AtTime {
  const m = ISO.exec(text.trim());
  const bad = () =>
    new CliError(
      `--at '${text}' is not an ISO time: write 2026-06-04T10:00 (the number's local time) or 2026-06-04T08:00:00Z / 2026-06-04T10:00+02:00`,
    );
  if (!m) throw bad();
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as number[];
  const wallMs = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) + Number(m[7] ?? 0) * 1000;
  const wall = new Date(wallMs);
  // Date.UTC rolls 2026-02-30 or 25:00 over; a real time survives the round trip
  if (
    wall.getUTCDate() !== d ||
    wall.getUTCHours() !== h ||
    wall.getUTCMonth() !== mo! - 1 ||
    s! > 59
  )
    throw bad();
  const offset = m[8];
  if (!offset) return { wallMs };
  if (/^z$/i.test(offset)) return { ms: wallMs };
  const digits = offset.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return { ms: wallMs - (offset.startsWith('-') ? -minutes : minutes) * 60_000 };
}

/** The instant `at` names in `zone`. */
export function instantIn(at: AtTime, zone: string): number {
  return 'ms' in at ? at.ms : zoneClock(zone).instant(at.wallMs);
}

/** `2026-06-04 10:00 thu Europe/Berlin`: how an admin reads the instant. */
export function localText(ms: number, zone: string): string {
  const wall = zoneClock(zone).wall(ms);
  const iso = new Date(Math.floor(wall / 60_000) * 60_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} ${WEEKDAYS[localTime(wall).weekday]} ${zone}`;
}
