/**
 * bench/faults' verdict on one fault: records lost, duplicated or extra are problems; in the
 * spool-full case losses are allowed only when the gateway's drop counter and its log both
 * account for every one of them.
 */
import t from 'tap';
import { probeCalls } from '../../bench/faults-calls.js';
import { type FaultCounts, judge, type KeyedCall, matchCalls } from '../../bench/faults-count.js';
import type { TraceRecord } from '../../test/standin/index.js';

const clean: FaultCounts = {
  placed: 1000,
  failed: 3,
  handed: 990,
  stillUp: 0,
  entries: 990,
  distinct: 990,
};

t.test('every call handed has its one record: no problem', async (t) => {
  t.strictSame(judge(clean), { lost: 0, duplicates: 0, extra: 0, problems: [] });
});

t.test('a missing record is lost, and a problem outside spool-full', async (t) => {
  const v = judge({ ...clean, entries: 985, distinct: 985 });
  t.equal(v.lost, 5);
  t.strictSame(v.problems, ['5 records lost (990 calls, 985 records)']);
});

t.test('calls the gateway still holds are counted lost, and named', async (t) => {
  const v = judge({ ...clean, entries: 985, distinct: 985, stillUp: 2 });
  t.equal(v.lost, 5);
  t.strictSame(v.problems, [
    '5 records lost (990 calls, 985 records); 2 calls still up at the gateway',
  ]);
});

t.test(
  'gateway-kill: INVITEs the killed gateway never read are not owed, any other miss is',
  async (t) => {
    t.strictSame(judge({ ...clean, unread: 3, entries: 987, distinct: 987 }).problems, []);
    const v = judge({ ...clean, unread: 3, entries: 986, distinct: 986 });
    t.equal(v.lost, 1, 'one beyond the unread ones');
    t.match(v.problems, [/1 records lost/]);
    t.equal(judge({ ...clean, unread: 3 }).extra, 0, 'an unread one read after all is no extra');
  },
);

t.test('a record id written twice is a duplicate, not a lost or extra record', async (t) => {
  const v = judge({ ...clean, entries: 992 });
  t.equal(v.duplicates, 2);
  t.equal(v.lost, 0);
  t.strictSame(v.problems, ['2 records written twice']);
});

t.test('more distinct records than calls handed are extra', async (t) => {
  const v = judge({ ...clean, entries: 991, distinct: 991 });
  t.equal(v.extra, 1);
  t.match(v.problems, [/1 extra/]);
});

t.test('no call handed at all measures nothing', async (t) => {
  t.match(judge({ ...clean, handed: 0, entries: 0, distinct: 0 }).problems, [/no call/]);
});

t.test('spool-full: losses the counter and the log both account for are fine', async (t) => {
  const v = judge({ ...clean, distinct: 700, entries: 700, dropped: { metric: 290, logged: 290 } });
  t.equal(v.lost, 290);
  t.strictSame(v.problems, []);
});

t.test('spool-full: the counter disagreeing with the losses is a problem', async (t) => {
  const v = judge({ ...clean, distinct: 700, entries: 700, dropped: { metric: 280, logged: 280 } });
  t.strictSame(v.problems, ['290 records lost but calltrack_records_dropped_total says 280']);
});

t.test('spool-full: calls still up are named, not taken for drops', async (t) => {
  const v = judge({
    ...clean,
    distinct: 690,
    entries: 690,
    stillUp: 10,
    dropped: { metric: 290, logged: 290 },
  });
  t.equal(v.lost, 300);
  t.strictSame(v.problems, ['10 calls still up at the gateway']);
});

t.test('spool-full: drops the log does not show are a problem', async (t) => {
  const v = judge({ ...clean, distinct: 700, entries: 700, dropped: { metric: 290, logged: 200 } });
  t.strictSame(v.problems, ['290 records dropped by the metric but 200 in the log']);
});

t.test('spool-full: a spool that never filled measured nothing', async (t) => {
  const v = judge({ ...clean, dropped: { metric: 0, logged: 0 } });
  t.match(v.problems, [/never filled/]);
});

t.test('unread: only calls without a record that the killed gateway never acted on', async (t) => {
  const killed = 7;
  const call = (key: string, acted: boolean, conn = killed): KeyedCall => ({ key, conn, acted });
  const unread = (calls: KeyedCall[], records: string[], conn = killed) =>
    matchCalls(calls, records, conn).unread;
  t.equal(unread([call('a', false)], []), 1, 'silent, no record: unread');
  t.equal(unread([call('a', true)], []), 0, 'acted on, no record: lost, not excused');
  t.equal(unread([call('a', false, 3)], []), 0, 'on another connection: lost');
  t.equal(unread([call('a', false)], [], -1), 0, 'no gateway killed: nothing is unread');
  t.equal(unread([call('a', false)], ['a']), 0, 'silent but with its record');
  t.equal(
    unread([call('a', false), call('a', false), call('a', true)], ['a']),
    2,
    'two missing of three, both silent',
  );
  t.equal(
    unread([call('a', false), call('a', true), call('a', true)], ['a']),
    1,
    'two missing, one silent: one excused, the other stays lost',
  );
  t.equal(unread([call('a', false)], ['b']), 1, "another call's record is not its");
});

t.test('surplus: records beyond the calls of their key, a call written twice', async (t) => {
  const calls: KeyedCall[] = [
    { key: 'a', conn: 1, acted: true },
    { key: 'b', conn: 1, acted: true },
  ];
  t.strictSame(matchCalls(calls, ['a', 'b'], -1), { unread: 0, surplus: 0 });
  t.strictSame(matchCalls(calls, ['a', 'a', 'b'], -1), { unread: 0, surplus: 1 });
  t.strictSame(matchCalls(calls, ['a', 'c'], -1), { unread: 0, surplus: 1 }, 'no call of c');
  const v = judge({ ...clean, surplus: 1 });
  t.strictSame(v.problems, [
    '1 records match no call handed by caller and number: a call written twice under two ids',
  ]);
});

t.test('the call probe: handed INVITEs, and whether their connection acted on them', async (t) => {
  const probe = probeCalls();
  const frame = (dir: 'in' | 'out', conn: number, meta: string, sip: string): TraceRecord => ({
    ts: '',
    kind: 'frame',
    dir,
    conn,
    payload: `m1|${meta}\r\n${sip}`,
  });
  const invite = (id: string, caller: string) =>
    `INVITE sip:+493025550101@gw SIP/2.0\r\nCall-ID: ${id}\r\nFrom: <sip:${caller}@c>;tag=1\r\n\r\n`;
  for (const r of [
    frame('out', 1, 'sip|network|1|udp|', invite('answered', '+49176001')),
    frame('out', 1, 'sip|network|1|udp|', invite('forwarded', '+49176002')),
    frame('out', 1, 'sip|network|1|udp|', invite('silent', '+49176003')),
    frame('out', 1, 'sip|network|1|udp|', invite('answered', '+49176001')),
    frame('in', 1, 'sip|txn1|', 'SIP/2.0 180 Ringing\r\nCall-ID: answered\r\n\r\n'),
    frame(
      'in',
      1,
      'sip||',
      'INVITE sip:dealer@d SIP/2.0\r\nFrom: <sip:+49176002@gw>;tag=2\r\nCall-ID: b-leg\r\n\r\n',
    ),
    frame('in', 2, 'sip|txn9|', 'SIP/2.0 180 Ringing\r\nCall-ID: silent\r\n\r\n'),
  ])
    probe.observe(r);
  t.equal(probe.handed(), 3, 'a retransmitted INVITE counts once');
  t.equal(probe.lastConn(), 1);
  t.strictSame(
    probe.calls().map((c) => [c.callId, c.caller, c.called, c.acted]),
    [
      ['answered', '+49176001', '+493025550101', true],
      ['forwarded', '+49176002', '+493025550101', true],
      ['silent', '+49176003', '+493025550101', false],
    ],
    "a frame from another connection does not count as this one's act",
  );
});
