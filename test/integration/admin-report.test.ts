/**
 * GET /v1/customers/:id/report over real HTTP against a real redis-server: the analytics counts
 * per source for every role, a customer token reaching for another customer's report (404, as
 * for one that does not exist), bad periods, and a Redis that is down. Every answer is checked
 * against the OpenAPI document.
 */
import t from 'tap';
import { AFTER_HOURS_FIELD, callsKey, TALK_FIELD } from '../../src/records/analytics-keys.js';
import { adminBed as bed, TOKENS } from '../helpers/admin-bed.js';

const COUNTS = {
  [callsKey('autohaus-berlin', '2026-11-01')]: {
    'answered:mobile.de': '3',
    'busy:mobile.de': '1',
    [`${TALK_FIELD}:mobile.de`]: '90000',
    'answered:autoscout24': '1',
    [`${AFTER_HOURS_FIELD}:autoscout24`]: '1',
  },
  [callsKey('autohaus-berlin', '2026-11-02')]: { 'answered:mobile.de': '2' },
  // outside the period asked for below
  [callsKey('autohaus-berlin', '2026-12-01')]: { 'answered:mobile.de': '50' },
  [callsKey('autohaus-graz', '2026-11-01')]: { 'answered:willhaben.at': '7' },
};
const PERIOD = 'from=2026-11-01&to=2026-11-30';

t.test('a report per source: own customer for a customer token, any for staff', async (t) => {
  const b = await bed(t);
  for (const [key, fields] of Object.entries(COUNTS)) await b.redis!.hset(key, fields);
  for (const token of [TOKENS.admin, TOKENS.editor, TOKENS.viewer, TOKENS.berlin]) {
    const r = await b.api.get(`/v1/customers/autohaus-berlin/report?${PERIOD}`, token);
    t.equal(r.status, 200);
    t.match(r.body, {
      customer: 'autohaus-berlin',
      from: '2026-11-01',
      to: '2026-11-30',
      calls: 7,
      talkMs: 90000,
      afterHours: 1,
      outcomes: { answered: 6, busy: 1 },
    });
    t.same(
      r.body.sources.map((s: { source: string; calls: number }) => [s.source, s.calls]),
      [
        ['mobile.de', 6],
        ['autoscout24', 1],
      ],
      'sources by calls, the December day left out',
    );
  }
  const other = await b.api.get(`/v1/customers/autohaus-graz/report?${PERIOD}`, TOKENS.berlin);
  t.equal(other.status, 404, "another customer's report is not there for a customer token");
  t.equal(other.body.detail, "no customer 'autohaus-graz'");
  t.equal(
    (await b.api.get(`/v1/customers/autohaus-graz/report?${PERIOD}`, TOKENS.viewer)).body.calls,
    7,
  );
});

t.test('bad periods and ids are 400 and read nothing; Redis away is 503', async (t) => {
  const b = await bed(t);
  for (const [query, detail] of [
    ['from=2026-11-01', /'to' is required/],
    ['from=2026-11-31&to=2026-12-01', /'from'/],
    ['from=2026-12-01&to=2026-11-01', /after/],
    ['from=2020-01-01&to=2026-11-01', /at most 400/],
    [`${PERIOD}&format=csv`, /unknown query parameter 'format'/],
  ] as const) {
    const r = await b.api.get(`/v1/customers/autohaus-berlin/report?${query}`, TOKENS.admin);
    t.equal(r.status, 400, query);
    t.match(r.body.detail, detail);
  }
  const traversal = await b.api.get(`/v1/customers/..%2Fx/report?${PERIOD}`, TOKENS.admin);
  t.equal(traversal.status, 400);
  await b.server!.stop();
  const down = await b.api.get(`/v1/customers/autohaus-berlin/report?${PERIOD}`, TOKENS.admin);
  t.equal(down.status, 503);
  t.match(down.body.detail, /not answering/);
});

t.test('without Redis there are no reports, said as such', async (t) => {
  const b = await bed(t, false);
  const r = await b.api.get(`/v1/customers/autohaus-berlin/report?${PERIOD}`, TOKENS.admin);
  t.equal(r.status, 503);
  t.match(r.body.detail, /writes no records to Redis/);
});
