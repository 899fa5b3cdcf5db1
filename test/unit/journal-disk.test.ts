/**
 * The call journal's disk file: appended entries read back (the last line of an id wins), a torn
 * last line from a crash skipped, heartbeats found by a later life, `pending` while the file
 * holds anything and cleared by `clear`, and the file owner-only (it may hold callers' numbers).
 */
import { appendFileSync, statSync } from 'node:fs';
import t from 'tap';
import { DiskJournal } from '../../src/records/journal-disk.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('entries and beats survive into the next life; clear empties the file', async (t) => {
  const dir = tempDir('calltrack-journal-unit-');
  const disk = new DiskJournal(dir, 'gw-a');
  t.equal(disk.pending, false, 'a new file holds nothing');
  t.equal(disk.lastBeat, undefined);
  t.equal(statSync(disk.path).mode & 0o777, 0o600, 'owner-only');
  await disk.append([
    ['rec-1', '{"life":"l1"}'],
    ['rec-2', '{"life":"l1"}'],
  ]);
  await disk.beat(1000);
  await disk.append([['rec-1', '{"life":"l1","answeredAt":"x"}']]);
  await disk.beat(2000);
  // a crash in the middle of an append
  appendFileSync(disk.path, '{"id":"rec-3","v":"{\\"li');
  t.equal(disk.pending, true);
  const next = new DiskJournal(dir, 'gw-a');
  t.equal(next.pending, true, 'the next life sees what is left');
  t.equal(next.lastBeat, 2000, 'the last beat');
  t.same(
    [...next.read()],
    [
      ['rec-1', '{"life":"l1","answeredAt":"x"}'],
      ['rec-2', '{"life":"l1"}'],
    ],
    'the last line of each id; the torn one skipped',
  );
  await next.clear();
  t.equal(next.pending, false);
  t.same([...next.read()], []);
  t.equal(new DiskJournal(dir, 'gw-a').lastBeat, undefined, 'an empty file: no beat');
});

t.test('an append queued behind a clear leaves the file pending', async (t) => {
  const disk = new DiskJournal(tempDir('calltrack-journal-unit-'), 'gw-b');
  await disk.append([['rec-1', '{}']]);
  const cleared = disk.clear();
  const appended = disk.append([['rec-2', '{}']]);
  await Promise.all([cleared, appended]);
  t.equal(disk.pending, true, 'rec-2 came after the clear');
  t.same([...disk.read().keys()], ['rec-2']);
});
