/**
 * bench/faults' verdict on one fault: records lost, duplicated or extra are problems; in the
 * spool-full case losses are allowed only when the gateway's drop counter and its log both
 * account for every one of them.
 */
import t from 'tap';
import { type FaultCounts, judge } from '../../bench/faults-count.js';

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
  'gateway-kill: INVITEs handed after the SIGKILL are not owed, any other miss is',
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
