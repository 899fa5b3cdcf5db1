/** Local days as dealers count them (Europe/Berlin), the same for ISO times and epoch ms. */
import t from 'tap';
import { localDay } from '../../src/records/day.js';

t.test('the local day, not the UTC day, from an ISO time or epoch milliseconds', async (t) => {
  const cases: [string, string][] = [
    ['2026-11-21T23:30:00.000Z', '2026-11-22'], // winter: UTC+1
    ['2026-11-21T22:59:59.999Z', '2026-11-21'],
    ['2026-07-14T22:00:00.000Z', '2026-07-15'], // summer: UTC+2
    ['2026-07-14T21:59:00.000Z', '2026-07-14'],
    ['2026-03-29T00:30:00.000Z', '2026-03-29'], // the night the clocks go forward
  ];
  for (const [iso, day] of cases) {
    t.equal(localDay(iso), day, iso);
    t.equal(localDay(Date.parse(iso)), day, `${iso} as a number`);
  }
});

t.test('times within one cached hour keep their own day', async (t) => {
  const base = Date.parse('2026-11-21T23:00:00.000Z');
  t.equal(localDay(base), '2026-11-22');
  t.equal(localDay(base + 59 * 60_000), '2026-11-22');
  t.equal(localDay(base - 1), '2026-11-21', 'the millisecond before is the hour before');
});
