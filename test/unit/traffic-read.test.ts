/**
 * Reading traffic data, the pure parts: how much of the caller a reader sees (none, masked,
 * full; a withheld caller never), the exported rows and text, the stream-id window a
 * selection reads and which records it keeps, and the checks on a lawful request and on the
 * billing query (a request refused by them reads nothing).
 */
import t from 'tap';
import { parseTrafficQuery } from '../../src/admin/download-query.js';
import { parseLawfulRequest } from '../../src/admin/lawful-request.js';
import { Problem } from '../../src/admin/problem.js';
import type { TrafficRecord } from '../../src/records/traffic-entry.js';
import { trafficMatches, trafficWindow } from '../../src/records/traffic-read.js';
import {
  maskCaller,
  shownCaller,
  trafficRow,
  trafficText,
} from '../../src/records/traffic-rows.js';
import { trafficRecord } from '../helpers/traffic-records.js';

const DAY = 86_400_000;

const record = (over: Partial<TrafficRecord> = {}) => trafficRecord('r1', over);

t.test('masked: the last three digits hidden, whatever the separators', async (t) => {
  t.equal(maskCaller('+4917612345678'), '+4917612345xxx');
  t.equal(maskCaller('+43 316 555 01'), '+43 316 55x xx');
  t.equal(maskCaller('12'), 'xx', 'a short number: every digit');
});

t.test('the caller as each setting shows it; a withheld caller never', async (t) => {
  t.equal(shownCaller('+4917612345678', 'none'), null);
  t.equal(shownCaller('+4917612345678', 'masked'), '+4917612345xxx');
  t.equal(shownCaller('+4917612345678', 'full'), '+4917612345678');
  for (const d of ['none', 'masked', 'full'] as const) t.equal(shownCaller('', d), null, d);
});

t.test('a row: absent values null, billable seconds a number, no node', async (t) => {
  t.same(trafficRow(record({ answeredAt: '', destination: '', billableSeconds: '0' }), 'full'), {
    id: 'r1',
    start: '2026-11-03T10:00:00.000Z',
    answer: null,
    end: '2026-11-03T10:01:05.000Z',
    tracking_number: '+493025550101',
    customer: 'autohaus-berlin',
    caller: '+4917612345678',
    destination: null,
    billable_seconds: 0,
    outcome: 'answered',
  });
});

t.test('CSV and JSON text, exactly', async (t) => {
  const rs = [record(), record({ id: 'r2', caller: '' })];
  t.equal(
    await trafficText(rs, 'csv', 'masked'),
    'id,start,answer,end,tracking_number,customer,caller,destination,billable_seconds,outcome\r\n' +
      'r1,2026-11-03T10:00:00.000Z,2026-11-03T10:00:05.000Z,2026-11-03T10:01:05.000Z,+493025550101,autohaus-berlin,+4917612345xxx,+493012345,60,answered\r\n' +
      'r2,2026-11-03T10:00:00.000Z,2026-11-03T10:00:05.000Z,2026-11-03T10:01:05.000Z,+493025550101,autohaus-berlin,,+493012345,60,answered\r\n',
  );
  const json = JSON.parse(await trafficText(rs, 'json', 'none'));
  t.same(
    json.map((r: { id: string; caller: unknown }) => [r.id, r.caller]),
    [
      ['r1', null],
      ['r2', null],
    ],
  );
  t.equal(await trafficText([], 'json', 'full'), '[\n]\n');
});

t.test('the window opens a day early and stays open 7 days past the end', async (t) => {
  const from = Date.parse('2026-11-01T00:00:00Z');
  const to = Date.parse('2026-11-01T12:00:00Z');
  t.same(trafficWindow({ kind: 'number', number: '+493025550101', fromMs: from, toMs: to }), {
    start: String(from - DAY),
    end: String(to + 7 * DAY),
  });
  const days = trafficWindow({
    kind: 'customer',
    customer: 'x',
    from: '2026-11-01',
    to: '2026-11-30',
  });
  t.ok(Number(days.start) < Date.parse('2026-11-01T00:00:00Z'));
  t.ok(Number(days.end) >= Date.parse('2026-12-07T00:00:00Z'));
});

t.test('a record is chosen by its own start, customer or number', async (t) => {
  const byCustomer = {
    kind: 'customer',
    customer: 'autohaus-berlin',
    from: '2026-11-03',
    to: '2026-11-03',
  } as const;
  t.ok(trafficMatches(byCustomer, record()));
  t.notOk(trafficMatches(byCustomer, record({ customer: 'autohaus-graz' })));
  // 23:30 UTC on the 3rd is the 4th in Berlin
  t.notOk(trafficMatches(byCustomer, record({ startedAt: '2026-11-03T23:30:00.000Z' })));
  const byNumber = {
    kind: 'number',
    number: '+493025550101',
    fromMs: Date.parse('2026-11-03T09:00:00Z'),
    toMs: Date.parse('2026-11-03T10:00:00Z'),
  } as const;
  t.ok(trafficMatches(byNumber, record()), 'the end is included');
  t.ok(trafficMatches(byNumber, record({ customer: 'other' })), 'any customer');
  t.notOk(trafficMatches(byNumber, record({ trackingNumber: '+4331655501' })));
  t.notOk(trafficMatches(byNumber, record({ startedAt: '2026-11-03T10:00:00.001Z' })));
});

const problemOf = (f: () => unknown): Problem => {
  try {
    f();
  } catch (err) {
    if (err instanceof Problem) return err;
    throw err;
  }
  throw new Error('no problem');
};

t.test('a lawful request needs a reason: 422 naming every field', async (t) => {
  const ok = { number: '+493025550101', from: '2026-11-01', to: '2026-11-02T12:00:00+01:00' };
  t.same(parseLawfulRequest({ ...ok, reason: '  StA Berlin 123 Js 456/26 ' }), {
    number: '+493025550101',
    fromMs: Date.parse('2026-11-01T00:00:00Z'),
    toMs: Date.parse('2026-11-02T11:00:00Z'),
    reason: 'StA Berlin 123 Js 456/26',
  });
  const missing = problemOf(() => parseLawfulRequest(ok));
  t.equal(missing.status, 422);
  t.same(missing.extra.errors, [{ pointer: '/reason', message: 'is required' }]);
  const short = problemOf(() => parseLawfulRequest({ ...ok, reason: 'because  ' }));
  t.match(short.extra.errors, [{ pointer: '/reason', message: /at least|10 to 500/ }]);
  const all = problemOf(() =>
    parseLawfulRequest({ number: '030 1234', from: 'yesterday', to: 5, extra: 1 }),
  );
  t.same(
    (all.extra.errors as { pointer: string }[]).map((e) => e.pointer),
    ['/extra', '/number', '/from', '/to', '/reason'],
  );
  const reversed = problemOf(() =>
    parseLawfulRequest({ ...ok, from: '2026-11-03', to: '2026-11-02', reason: 'case 2026/0001' }),
  );
  t.same(reversed.extra.errors, [{ pointer: '/to', message: "is before 'from'" }]);
  t.equal(problemOf(() => parseLawfulRequest(undefined)).status, 422);
});

t.test('the billing query: customer required, reason optional, the history checks', async (t) => {
  t.same(parseTrafficQuery({ customer: 'autohaus-berlin', from: '2026-11-01', to: '2026-11-30' }), {
    customer: 'autohaus-berlin',
    from: '2026-11-01',
    to: '2026-11-30',
    format: 'json',
  });
  t.match(
    parseTrafficQuery({ customer: 'a', from: '2026-11-01', to: '2026-11-01', reason: 'dispute 7' }),
    { reason: 'dispute 7' },
  );
  for (const [q, detail] of [
    [{ from: '2026-11-01', to: '2026-11-30' }, /'customer' is required/],
    [{ customer: '../x', from: '2026-11-01', to: '2026-11-30' }, /not a customer id/],
    [{ customer: 'a', from: '2026-11-01' }, /'to' is required/],
    [{ customer: 'a', from: '2026-12-01', to: '2026-11-01' }, /after/],
    [{ customer: 'a', from: '2026-11-01', to: '2026-11-02', format: 'xml' }, /csv or json/],
    [{ customer: 'a', from: '2026-11-01', to: '2026-11-02', reason: 'a\nb' }, /printable/],
  ] as const) {
    const p = problemOf(() => parseTrafficQuery(q));
    t.equal(p.status, 400);
    t.match(p.detail, detail);
  }
});
