/**
 * The call journal's crash window file: what a life noted and Redis may lack comes back to the
 * next life (the last value of an id, a torn line skipped); records that settled never come back;
 * entries Redis has are dropped when the file is rewritten; the file is owner-only. Records of
 * rejected calls (no entry covers them) come back whole, in sequence order, until they settle.
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import t from 'tap';
import { JournalWindow } from '../../src/records/journal-window.js';
import type { Spooled } from '../../src/records/spool.js';
import { tempDir } from '../helpers/temp-dir.js';

const old = (dir: string, node = 'gw-a') => {
  let got: [string, string][] = [];
  new JournalWindow(dir, node).takeOld((entries) => {
    got = [...entries];
  });
  return got;
};

/** A new window in a dir of its own, its (empty) past taken. */
const fresh = (compactBytes?: number) => {
  const dir = tempDir('calltrack-window-');
  const w = new JournalWindow(dir, 'gw-a', compactBytes);
  w.takeOld(() => undefined);
  return { dir, w };
};

t.test('a killed life leaves its unsettled entries to the next', async (t) => {
  const dir = tempDir('calltrack-window-');
  const w = new JournalWindow(dir, 'gw-a');
  w.takeOld(() => t.fail('a new file has nothing old'));
  t.equal(statSync(w.path).mode & 0o777, 0o600, 'owner-only');
  w.note('rec-1', '{"life":"l1"}');
  w.note('rec-2', '{"life":"l1"}');
  w.note('rec-1', '{"life":"l1","answeredAt":"x"}');
  w.note('rec-3', '{"life":"l1"}');
  w.done(['rec-3']);
  // killed in the middle of a write
  appendFileSync(w.path, '{"id":"rec-4","v":"{\\"li');
  t.same(
    old(dir),
    [
      ['rec-1', '{"life":"l1","answeredAt":"x"}'],
      ['rec-2', '{"life":"l1"}'],
    ],
    'the last value of each id; the settled and the torn one left out',
  );
  t.same(old(dir), [], 'taken once: the file forgets them once they are kept elsewhere');
});

t.test(
  'a written record waits for the next write to be marked done; a drop is marked at once',
  async (t) => {
    const { dir, w } = fresh();
    w.note('rec-1', '{"a":1}');
    w.note('rec-2', '{"a":2}');
    w.sending([['rec-1', 7]]);
    w.done(['rec-1'], true);
    const text = readFileSync(w.path, 'utf8');
    t.notOk(text.includes('"done"'), 'no write of its own');
    t.ok(text.endsWith('{"sent":[["rec-1",7]]}\n'), 'its sent line is the last');
    // killed now: rec-1 comes back with its sequence, which the reaper finds within the mark
    const killed = new Map(old(dir));
    t.same(JSON.parse(killed.get('rec-1') ?? '{}'), { a: 1, seq: 7 });

    const { dir: dir2, w: w2 } = fresh();
    w2.note('rec-1', '{"a":1}');
    w2.note('rec-2', '{"a":2}');
    w2.done(['rec-1'], true);
    w2.note('rec-3', '{"a":3}');
    t.match(
      readFileSync(w2.path, 'utf8'),
      /\{"done":\["rec-1"\]\}\n\{"id":"rec-3"/,
      'written with the next line, before it',
    );
    t.same(
      old(dir2).map(([id]) => id),
      ['rec-2', 'rec-3'],
    );

    const { dir: dir3, w: w3 } = fresh();
    w3.note('rec-1', '{"a":1}');
    w3.note('rec-2', '{"a":2}');
    w3.done(['rec-1']);
    t.ok(readFileSync(w3.path, 'utf8').endsWith('{"done":["rec-1"]}\n'), 'a drop: written at once');
    t.same(
      old(dir3).map(([id]) => id),
      ['rec-2'],
      'a dropped record never comes back, though no mark covers it',
    );

    const { dir: dir4, w: w4 } = fresh();
    w4.note('rec-1', '{"a":1}');
    w4.note('rec-2', '{"a":2}');
    w4.done(['rec-1'], true);
    w4.close();
    t.same(
      old(dir4).map(([id]) => id),
      ['rec-2'],
      'a close writes what waits',
    );
  },
);

t.test(
  'an entry is written as the JSON it is, and a window of an earlier build is read',
  async (t) => {
    const { dir, w } = fresh();
    w.note('rec-1', '{"life":"l1","record":{"id":"rec-1"}}');
    t.equal(
      readFileSync(w.path, 'utf8'),
      '{"id":"rec-1","e":{"life":"l1","record":{"id":"rec-1"}}}\n',
      'not escaped into a string a second time',
    );
    // what earlier builds wrote: the value as a JSON string
    appendFileSync(w.path, `${JSON.stringify({ id: 'rec-2', v: '{"life":"l0"}' })}\n`);
    // a torn line of either form is skipped
    appendFileSync(w.path, '{"id":"rec-3","e":{"li');
    t.same(old(dir), [
      ['rec-1', '{"life":"l1","record":{"id":"rec-1"}}'],
      ['rec-2', '{"life":"l0"}'],
    ]);
  },
);

t.test('entries Redis has leave the file when it is rewritten, newer ones stay', async (t) => {
  const { dir, w } = fresh(400);
  const v1 = w.note('rec-1', '{"a":1}');
  const v2 = w.note('rec-2', '{"a":2}');
  w.note('rec-2', '{"a":2,"answered":1}');
  // the flush that took rec-1 and the first rec-2 reached Redis; rec-2 changed since
  w.inRedis([
    ['rec-1', v1],
    ['rec-2', v2],
  ]);
  for (let i = 0; i < 8; i++) w.done([`other-${i}-padding-padding-padding-padding-padding`]);
  const text = readFileSync(w.path, 'utf8');
  t.notOk(text.includes('rec-1'), 'rec-1 is in Redis: rewritten away');
  t.ok(text.length < 400, 'the file was rewritten');
  t.same(old(dir), [['rec-2', '{"a":2,"answered":1}']], 'the newer rec-2 stays');
});

t.test(
  'with nothing left to keep the file is emptied at once (no caller number stays)',
  async (t) => {
    const { dir, w } = fresh();
    const v = w.note('rec-1', '{"traffic":{"caller":"+4917655501234"}}');
    w.note('rec-2', '{"a":2}');
    w.inRedis([['rec-1', v]]);
    t.ok(
      readFileSync(w.path, 'utf8').includes('+4917655501234'),
      'kept for a moment with rec-2 open',
    );
    w.done(['rec-2']);
    t.equal(readFileSync(w.path, 'utf8'), '', 'emptied');
    w.note('rec-3', '{"a":3}');
    t.same(old(dir), [['rec-3', '{"a":3}']], 'and written on from the start');
  },
);

const rejected = (id: string, seq: number): Spooled =>
  ({ seq, record: { id, outcome: 'rejected' } }) as unknown as Spooled;

/** The records a next life takes, as `[id, seq]`. */
const oldRecords = async (dir: string) => {
  const got: [string, number][] = [];
  const w = new JournalWindow(dir, 'gw-a');
  await w.takeOldRecords(async (records) => {
    for (const r of records) got.push([r.record.id, r.seq]);
  });
  w.takeOld(() => undefined);
  return got;
};

t.test('records of rejected calls come back until they settle, the last seq of each', async (t) => {
  const { dir, w } = fresh();
  w.record(rejected('rej-2', 20));
  w.record(rejected('rej-1', 10));
  w.record(rejected('rej-3', 30));
  // renumbered above the node's mark: the later line wins
  w.record({ ...rejected('rej-1', 40), at: 123, tried: true } as Spooled);
  w.done(['rej-3']);
  const v = w.note('call-1', '{"a":1}');
  w.inRedis([['call-1', v]]);
  t.notOk(readFileSync(w.path, 'utf8').includes('"at"'), 'only what the spool keeps');
  t.same(
    await oldRecords(dir),
    [
      ['rej-2', 20],
      ['rej-1', 40],
    ],
    'in sequence order; the settled one left out; an entry in Redis does not settle a record',
  );
  t.same(await oldRecords(dir), [], 'taken once');
});

t.test('a record keeps the file from being emptied, and survives a rewrite', async (t) => {
  const { dir, w } = fresh(300);
  w.record(rejected('rej-1', 10));
  const v = w.note('call-1', '{"a":1}');
  w.inRedis([['call-1', v]]);
  t.ok(readFileSync(w.path, 'utf8').includes('rej-1'), 'not emptied while rej-1 waits');
  for (let i = 0; i < 8; i++) w.done([`other-${i}-padding-padding-padding-padding-padding`]);
  t.ok(readFileSync(w.path, 'utf8').length < 300, 'rewritten');
  t.same(await oldRecords(dir), [['rej-1', 10]], 'rej-1 is in the rewritten file');
});

t.test('old records not yet taken stay in the file through a rewrite', async (t) => {
  const { dir, w } = fresh();
  w.record(rejected('rej-1', 10));
  // the next life's spool fails: takeOld rewrites, and the record must still be there
  const next = new JournalWindow(dir, 'gw-a');
  await t.rejects(
    next.takeOldRecords(async () => {
      throw new Error('disk full');
    }),
    /disk full/,
  );
  next.takeOld(() => undefined);
  t.same(await oldRecords(dir), [['rej-1', 10]], 'kept for the life after');
});
