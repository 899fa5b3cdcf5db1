/** Local wall-clock time per zone, cached per UTC minute, right on both DST switch days. */
import t from 'tap';
import { isKnownZone, localTime, ZoneClock } from '../../src/hours/zone-clock.js';

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

t.test('wall time around the switches, the cached minute included', async (t) => {
  const berlin = new ZoneClock('Europe/Berlin');
  const cases: [string, string][] = [
    ['2026-03-29T00:59:59.999Z', '2026-03-29T01:59'],
    ['2026-03-29T01:00:00.000Z', '2026-03-29T03:00'],
    ['2026-10-25T00:59:59.999Z', '2026-10-25T02:59'],
    ['2026-10-25T01:00:00.000Z', '2026-10-25T02:00'],
    ['2026-10-25T01:00:30.000Z', '2026-10-25T02:00'], // same minute: from the cache
    ['2026-07-01T12:00:00.000Z', '2026-07-01T14:00'],
  ];
  for (const [at, wall] of cases) t.equal(iso(berlin.wall(Date.parse(at))), wall, at);
  t.equal(
    iso(new ZoneClock('America/St_Johns').wall(Date.parse('2026-01-10T12:00:00Z'))),
    '2026-01-10T08:30',
    'half-hour offsets',
  );
});

t.test('local weekday (Monday 0) and minute of the day', async (t) => {
  t.same(localTime(Date.parse('2026-11-16T08:30:00Z')), {
    day: Date.parse('2026-11-16T00:00:00Z') / 86_400_000,
    weekday: 0,
    minute: 510,
  });
  t.equal(localTime(Date.parse('2026-11-22T23:59:00Z')).weekday, 6);
});

t.test(
  'the instant of a wall time: first of a repeated hour, a skipped one moves on',
  async (t) => {
    const vienna = new ZoneClock('Europe/Vienna');
    const instant = (wall: string) =>
      new Date(vienna.instant(Date.parse(`${wall}:00Z`))).toISOString();
    t.equal(instant('2026-10-25T02:30'), '2026-10-25T00:30:00.000Z', 'CEST, the first 02:30');
    t.equal(
      instant('2026-03-29T02:30'),
      '2026-03-29T01:30:00.000Z',
      '02:30 does not exist: 03:30 CEST',
    );
    t.equal(instant('2026-06-04T10:00'), '2026-06-04T08:00:00.000Z');
  },
);

t.test('known zones', async (t) => {
  t.ok(isKnownZone('Europe/Vienna'));
  t.notOk(isKnownZone('Europe/Berln'));
  t.notOk(isKnownZone('CET+1'));
});
