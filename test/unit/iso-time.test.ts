/**
 * The cached ISO time gives what `toISOString` gives, for every millisecond across second, day and
 * year boundaries, for times whose seconds share a cache slot, and for what it does not cache.
 */
import t from 'tap';
import { isoString } from '../../src/util/iso-time.js';

const iso = (ms: number) => new Date(ms).toISOString();

t.test('every millisecond across a year boundary, forwards and back', async (t) => {
  const start = Date.UTC(2026, 11, 31, 23, 59, 57, 990);
  let wrong = 0;
  for (let ms = start; ms < start + 4100; ms++) if (isoString(ms) !== iso(ms)) wrong++;
  for (let ms = start + 4100; ms > start; ms -= 7) if (isoString(ms) !== iso(ms)) wrong++;
  t.equal(wrong, 0);
});

t.test('seconds that share a slot (four apart) each get their own date and time', async (t) => {
  const a = Date.UTC(2026, 0, 1, 0, 0, 0, 5);
  for (const ms of [a, a + 4000, a, a + 8000, a + 4000 + 86_400_000, a])
    t.equal(isoString(ms), iso(ms));
});

t.test('fractions of a millisecond are dropped, as toISOString drops them', async (t) => {
  for (const ms of [1_733_000_000_000.4, 1_733_000_000_009.999, 1_733_000_000_099.5, 0.5])
    t.equal(isoString(ms), iso(ms));
});

t.test('times it does not cache are toISOString itself, errors included', async (t) => {
  for (const ms of [0, -1, -62_198_755_200_000, 253_402_300_799_999, 253_402_300_800_000, 8.64e15])
    t.equal(isoString(ms), iso(ms), String(ms));
  t.throws(() => isoString(Number.NaN), RangeError);
  t.throws(() => isoString(Number.POSITIVE_INFINITY), RangeError);
});
