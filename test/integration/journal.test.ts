/**
 * The call journal against a real redis-server: a call's entry goes with its record (fast path
 * and script); gateways racing to reap a lost node write each of its calls exactly once, with
 * talk time up to its last beat; a node restarting with the same id writes its old calls once,
 * after its spool; a late record of a reaped call is dropped; a node that beats again keeps its
 * calls; a heartbeat outage past the bound switches the writer to the tombstone check.
 */
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import type { JournalStart } from '../../src/call/record.js';
import { createLogger } from '../../src/observability/logger.js';
import { createAnonymiser } from '../../src/records/anonymise.js';
import { fromFields, type StreamRecord } from '../../src/records/entry.js';
import { RedisJournal } from '../../src/records/journal.js';
import { DiskJournal } from '../../src/records/journal-disk.js';
import type { JournalEntry } from '../../src/records/journal-entry.js';
import { createJournalMetrics } from '../../src/records/journal-metrics.js';
import { defineJournal, readJournal, reap } from '../../src/records/journal-redis.js';
import { JournalWindow } from '../../src/records/journal-window.js';
import { recordRedis } from '../../src/records/open-writer.js';
import {
  beatsKey,
  DEFAULT_RECORD_STREAM,
  journalKey,
  reapedKey,
} from '../../src/records/record-keys.js';
import { Spool } from '../../src/records/spool.js';
import { callRecord, writerBed } from '../helpers/records.js';
import { startRedis } from '../helpers/redis.js';
import { startAclRedis } from '../helpers/redis-acl.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const CALLS = DEFAULT_RECORD_STREAM;
const HEARTBEAT_MS = 100;
const LOST_MS = 400;

async function client(t: Test, url: string): Promise<Redis> {
  const r = new Redis(url);
  r.on('error', () => undefined);
  t.teardown(() => r.disconnect());
  return r;
}

async function journalOn(
  t: Test,
  url: string,
  node: string,
  over: {
    spoolDrained?: () => boolean;
    disk?: DiskJournal;
    window?: JournalWindow;
    flushMs?: number;
  } = {},
) {
  const redis = recordRedis(url);
  redis.on('error', () => undefined);
  await new Promise((resolve) => redis.once('ready', resolve));
  const registry = new Registry();
  const journal = new RedisJournal({
    redis,
    stream: CALLS,
    node,
    anonymise: createAnonymiser(undefined),
    traffic: false,
    heartbeatMs: HEARTBEAT_MS,
    lostMs: LOST_MS,
    spoolDrained: over.spoolDrained ?? (() => true),
    logger: createLogger('silent'),
    metrics: createJournalMetrics(registry),
    ...(over.disk && { disk: over.disk }),
    ...(over.window && { window: over.window }),
    ...(over.flushMs && { flushMs: over.flushMs }),
  });
  journal.start();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await journal.close();
    redis.disconnect();
  };
  t.teardown(close);
  const orphans = async () =>
    (await registry.getSingleMetric('calltrack_journal_orphans_recovered_total')?.get())?.values ??
    [];
  return { journal, close, orphans };
}

let n = 0;
function call(node: string, over: Partial<JournalStart> = {}): JournalStart {
  n++;
  return {
    recordId: `rec-${node}-${n}`,
    callId: `call-${n}@test`,
    nodeId: node,
    dialplanVersion: 'v1',
    startedAt: new Date(Date.now() - 10_000).toISOString(),
    callerWithheld: false,
    callerNumber: '+4917655501234',
    trackingNumber: '+493025550101',
    customerId: 'autohaus-berlin',
    source: 'mobile.de',
    ...over,
  };
}

const records = async (r: Redis): Promise<StreamRecord[]> =>
  (await r.xrange(CALLS, '-', '+')).map(([, f]) => fromFields(f));

t.test("a call's entry is noted, updated on answer, and goes with its record", async (t) => {
  const redis = await startRedis(t);
  const r = await client(t, redis.url);
  const { journal } = await journalOn(t, redis.url, 'gw-test');
  const bed = await writerBed(t, redis.url);
  const start = call('gw-test');
  journal.begin(start);
  const key = journalKey(CALLS, 'gw-test');
  await waitFor(() => r.hexists(key, start.recordId).then((x) => x === 1), 5000, 'the entry');
  const raw = JSON.parse((await r.hget(key, start.recordId)) ?? '{}');
  t.match(raw.record, { callerCountry: 'DE', callerKind: 'mobile', customer: 'autohaus-berlin' });
  t.notOk(JSON.stringify(raw).includes('+4917655501234'), 'no caller number without traffic');
  journal.answered(start.recordId, Date.now(), 0);
  await waitFor(
    async () => JSON.parse((await r.hget(key, start.recordId)) ?? '{}').answeredAt,
    5000,
    'the answer time',
  );
  journal.end(start.recordId);
  bed.writer.write(callRecord('answered', { recordId: start.recordId }));
  await bed.writer.flush();
  t.equal(await r.hexists(key, start.recordId), 0, 'entry gone with the record');
  t.equal((await records(r)).filter((e) => e.id === start.recordId).length, 1);
  await bed.close();
});

t.test('two gateways reaping a lost node write each call exactly once', async (t) => {
  const redis = await startRedis(t);
  const r = await client(t, redis.url);
  const dead = await journalOn(t, redis.url, 'gw-dead');
  const calls = Array.from({ length: 450 }, () => call('gw-dead'));
  const answeredAt = Date.now() - 5000;
  calls.forEach((c, i) => {
    dead.journal.begin(c);
    if (i % 2 === 0) dead.journal.answered(c.recordId, answeredAt, 0);
  });
  const key = journalKey(CALLS, 'gw-dead');
  await waitFor(async () => (await r.hlen(key)) === 450, 5000, 'every entry in Redis');
  await waitFor(
    async () => (await r.hget(key, calls[0]!.recordId))?.includes('answeredAt'),
    5000,
    'answers noted',
  );
  await dead.close();
  const lastBeat = Number(await r.hget(beatsKey(CALLS), 'gw-dead'));
  const b = await journalOn(t, redis.url, 'gw-b');
  const c = await journalOn(t, redis.url, 'gw-c');
  await waitFor(async () => (await r.hlen(key)) === 0, 5000, 'the lost node reaped');
  await new Promise((resolve) => setTimeout(resolve, 5 * HEARTBEAT_MS));
  const got = await records(r);
  t.equal(got.length, 450, 'one record per call');
  t.equal(new Set(got.map((e) => e.id)).size, 450, 'no call twice');
  t.ok(got.every((e) => e.endedBy === 'node-lost' && e.node === 'gw-dead'));
  const answered = got.filter((e) => e.answeredAt);
  t.equal(answered.length, 225);
  t.ok(
    answered.every(
      (e) =>
        e.talkMs === String(lastBeat - answeredAt) &&
        e.endedAt === new Date(lastBeat).toISOString(),
    ),
    'talk time from the answer to the last beat',
  );
  t.ok(got.filter((e) => !e.answeredAt).every((e) => e.talkMs === '0' && e.outcome === 'failed'));
  t.equal(await r.hexists(beatsKey(CALLS), 'gw-dead'), 0, "the lost node's beat is gone");
  const counted = [...(await b.orphans()), ...(await c.orphans())].reduce((s, v) => s + v.value, 0);
  t.equal(counted, 450, 'the two reapers counted 450 between them');
});

t.test('the reap script itself, run twice at once, writes each call once', async (t) => {
  const redis = await startRedis(t);
  const r = await client(t, redis.url);
  const dead = await journalOn(t, redis.url, 'gw-race');
  for (let i = 0; i < 300; i++) dead.journal.begin(call('gw-race'));
  await waitFor(async () => (await r.hlen(journalKey(CALLS, 'gw-race'))) === 300, 5000, 'entries');
  await dead.close();
  const beat = (await r.hget(beatsKey(CALLS), 'gw-race')) ?? '';
  const { entries } = await readJournal(r, CALLS, 'gw-race');
  const list: JournalEntry[] = [...entries.values()];
  const [one, two] = [await client(t, redis.url), await client(t, redis.url)].map(defineJournal);
  // in chunks, one from each end, so the two interleave and meet in the middle
  const chunks = Array.from({ length: 6 }, (_, i) => list.slice(i * 50, i * 50 + 50));
  const run = async (redis: typeof one, order: JournalEntry[][]) => {
    const written: number[] = [];
    for (const chunk of order)
      written.push(await reap(redis!, { stream: CALLS }, 'gw-race', beat, chunk, Number(beat)));
    return written;
  };
  const results = await Promise.all([run(one, chunks), run(two, chunks.slice().reverse())]);
  const total = results.flat().reduce((s, x) => s + Math.max(0, x), 0);
  // -1: the other had emptied the journal and removed the lost node's beat
  t.equal(total, 300, `written ${JSON.stringify(results)}`);
  t.equal((await records(r)).length, 300);
  t.equal(await r.hlen(reapedKey(CALLS, 'gw-race')), 300, 'a tombstone per call');
  t.ok((await r.pttl(reapedKey(CALLS, 'gw-race'))) > 0, 'tombstones expire');
});

t.test('a node that beats again keeps its calls', async (t) => {
  const redis = await startRedis(t);
  const r = await client(t, redis.url);
  const live = await journalOn(t, redis.url, 'gw-live');
  live.journal.begin(call('gw-live'));
  await waitFor(async () => (await r.hlen(journalKey(CALLS, 'gw-live'))) === 1, 5000, 'entry');
  const { entries } = await readJournal(r, CALLS, 'gw-live');
  const stale = String(Number(await r.hget(beatsKey(CALLS), 'gw-live')) - 1);
  const reaper = defineJournal(await client(t, redis.url));
  t.equal(await reap(reaper, { stream: CALLS }, 'gw-live', stale, [...entries.values()], 0), -1);
  t.equal((await records(r)).length, 0, 'nothing written');
  t.equal(await r.hlen(journalKey(CALLS, 'gw-live')), 1, 'the entry stays');
});

t.test('a reaped call whose own record comes late is written once', async (t) => {
  const redis = await startRedis(t);
  const r = await client(t, redis.url);
  const away = await journalOn(t, redis.url, 'gw-test');
  const start = call('gw-test');
  away.journal.begin(start);
  await waitFor(async () => (await r.hlen(journalKey(CALLS, 'gw-test'))) === 1, 5000, 'entry');
  await away.close();
  await journalOn(t, redis.url, 'gw-b');
  await waitFor(async () => (await records(r)).length === 1, 5000, 'the node-lost record');
  // the gateway was only cut off: its own record of the call arrives after all
  const bed = await writerBed(t, redis.url);
  bed.writer.write(callRecord('answered', { recordId: start.recordId }));
  await bed.writer.flush();
  const got = await records(r);
  t.equal(got.length, 1, 'still one record');
  t.equal(got[0]?.endedBy, 'node-lost');
  t.equal(await r.hlen(reapedKey(CALLS, 'gw-test')), 0, 'its tombstone is used up');
});

t.test('a node restarting with its id writes its old calls once, after its spool', async (t) => {
  const redis = await startRedis(t);
  const r = await client(t, redis.url);
  const spoolDir = tempDir('calltrack-journal-spool-');
  const before = await journalOn(t, redis.url, 'gw-test');
  const ongoing = call('gw-test');
  const ended = call('gw-test');
  before.journal.begin(ongoing);
  before.journal.begin(ended);
  before.journal.answered(ongoing.recordId, Date.now() - 3000, 0);
  const key = journalKey(CALLS, 'gw-test');
  await waitFor(
    async () => (await r.hget(key, ongoing.recordId))?.includes('answeredAt'),
    5000,
    'entries',
  );
  await before.close();
  const lastBeat = Number(await r.hget(beatsKey(CALLS), 'gw-test'));
  // the ended call's record reached the spool but not Redis when the gateway died
  const spool = new Spool(spoolDir, 'gw-test', 1 << 20);
  await spool.open();
  const anonymise = createAnonymiser(undefined);
  await spool.append([
    {
      seq: Date.now() * 1000,
      record: anonymise(callRecord('answered', { recordId: ended.recordId })),
    },
  ]);
  await spool.close();
  // the same node id, started again: a new writer replays the spool, a new journal recovers
  const bed = await writerBed(t, redis.url, { spoolDir });
  const after = await journalOn(t, redis.url, 'gw-test', {
    spoolDrained: () => bed.writer.spooled === 0 && bed.writer.redisUp,
  });
  await waitFor(async () => (await r.hlen(key)) === 0, 5000, 'old entries resolved');
  await new Promise((resolve) => setTimeout(resolve, 5 * HEARTBEAT_MS));
  const got = await records(r);
  t.equal(got.length, 2, 'one record per call');
  t.match(
    got.find((e) => e.id === ended.recordId),
    { endedBy: '', outcome: 'answered' },
  );
  t.match(
    got.find((e) => e.id === ongoing.recordId),
    {
      endedBy: 'node-lost',
      endedAt: new Date(lastBeat).toISOString(),
    },
  );
  t.same(
    (await after.orphans()).map((v) => [v.labels.of, v.value]),
    [['self', 1]],
  );
});

t.test('Redis away: the call goes to the disk journal; a restart writes it once', async (t) => {
  const redis = await startRedis(t);
  const r = await client(t, redis.url);
  const dir = tempDir('calltrack-journal-disk-');
  const before = await journalOn(t, redis.url, 'gw-disk', {
    disk: new DiskJournal(dir, 'gw-disk'),
  });
  await new Promise((resolve) => setTimeout(resolve, 2 * HEARTBEAT_MS));
  await redis.stop();
  const held = call('gw-disk', { startedAt: new Date().toISOString() });
  before.journal.begin(held);
  const answeredAt = Date.now();
  before.journal.answered(held.recordId, answeredAt, 0);
  const disk = new DiskJournal(dir, 'gw-disk');
  await waitFor(() => disk.read().get(held.recordId)?.includes('answeredAt'), 5000, 'on disk');
  t.equal(before.journal.holdsRecords(), true, 'records wait while the file holds entries');
  await new Promise((resolve) => setTimeout(resolve, 5 * HEARTBEAT_MS));
  await before.close();
  await redis.start();
  const after = new DiskJournal(dir, 'gw-disk');
  t.ok((after.lastBeat ?? 0) > answeredAt, 'heartbeats went to disk meanwhile');
  const again = await journalOn(t, redis.url, 'gw-disk', { disk: after });
  await waitFor(async () => (await records(r)).length === 1, 5000, 'the call written');
  await new Promise((resolve) => setTimeout(resolve, 5 * HEARTBEAT_MS));
  const got = await records(r);
  t.equal(got.length, 1, 'once');
  t.match(got[0], {
    id: held.recordId,
    endedBy: 'node-lost',
    outcome: 'answered',
    endedAt: new Date(after.lastBeat ?? 0).toISOString(),
  });
  t.ok(Number(got[0]?.talkMs) > 0, `talk time ${got[0]?.talkMs} ms to the last beat on disk`);
  t.equal(after.read().size, 0, 'the file is emptied');
  t.equal(again.journal.holdsRecords(), false);
  t.equal(await r.hlen(journalKey(CALLS, 'gw-disk')), 0);
});

/**
 * A gateway `gw-test` with its disk and crash window files, started (one beat) and flushing
 * nothing for a minute: every entry is only in memory and in the window file when it dies.
 * `files()` opens the same files again for the life after it.
 */
async function windowBed(t: Test) {
  const redis = await startRedis(t);
  const r = await client(t, redis.url);
  const dir = tempDir('calltrack-journal-window-');
  const files = () => ({
    disk: new DiskJournal(dir, 'gw-test'),
    window: new JournalWindow(dir, 'gw-test'),
  });
  const dying = await journalOn(t, redis.url, 'gw-test', { ...files(), flushMs: 60_000 });
  // the second beat: the first one pushes what was noted before it, after writing the beat, so
  // an entry noted between the two writes would reach Redis (it raced so once in CI)
  const beatOf = async () => (await r.hget(beatsKey(CALLS), 'gw-test')) ?? undefined;
  const first = await waitFor(beatOf, 5000, 'a beat');
  await waitFor(async () => ((await beatOf()) !== first ? true : undefined), 5000, 'a second beat');
  return { redis, r, files, dying };
}

t.test('a kill before the entries reached Redis: the window file brings them back', async (t) => {
  const { redis, r, files, dying } = await windowBed(t);
  const calls = Array.from({ length: 6 }, () => call('gw-test'));
  for (const c of calls) dying.journal.begin(c);
  const answeredAt = Date.now() - 2000;
  dying.journal.answered(calls[0]!.recordId, answeredAt, 0);
  // two calls ended and their records reached Redis before the kill
  const bed = await writerBed(t, redis.url, {
    onSettled: (ids, written) => dying.journal.settled(ids, written),
  });
  for (const c of calls.slice(4))
    bed.writer.write(callRecord('answered', { recordId: c.recordId }));
  await bed.writer.flush();
  await bed.close();
  await dying.close();
  t.equal(await r.hlen(journalKey(CALLS, 'gw-test')), 0, 'nothing of them reached Redis');
  await journalOn(t, redis.url, 'gw-test', files());
  await waitFor(async () => (await records(r)).length === 6, 5000, 'the four left written');
  await new Promise((resolve) => setTimeout(resolve, 5 * HEARTBEAT_MS));
  const got = await records(r);
  t.equal(got.length, 6, 'each call once: four node-lost, the two that ended with their own');
  t.same(
    got
      .filter((e) => e.endedBy === 'node-lost')
      .map((e) => e.id)
      .sort(),
    calls
      .slice(0, 4)
      .map((c) => c.recordId)
      .sort(),
  );
  t.ok(got.find((e) => e.id === calls[0]!.recordId)?.answeredAt, 'the answer time kept');
});

t.test('a record Redis took in the moment before the kill is not written again', async (t) => {
  const { redis, r, files, dying } = await windowBed(t);
  const [sent, unsent] = [call('gw-test'), call('gw-test')];
  dying.journal.begin(sent);
  dying.journal.begin(unsent);
  // the writer sends the record and Redis takes it; the kill comes before the window hears back
  const bed = await writerBed(t, redis.url, { onSending: (recs) => dying.journal.sending(recs) });
  bed.writer.write(callRecord('answered', { recordId: sent.recordId }));
  await bed.writer.flush();
  await bed.close();
  await dying.close();
  await journalOn(t, redis.url, 'gw-test', files());
  await waitFor(async () => (await records(r)).length === 2, 5000, 'the unsent call written');
  await new Promise((resolve) => setTimeout(resolve, 5 * HEARTBEAT_MS));
  const got = await records(r);
  t.equal(got.length, 2, 'one record each');
  t.not(got.find((e) => e.id === sent.recordId)?.endedBy, 'node-lost', 'the sent one as it was');
  t.equal(got.find((e) => e.id === unsent.recordId)?.endedBy, 'node-lost');
  t.equal(await r.hlen(journalKey(CALLS, 'gw-test')), 0, 'no entry left');
});

t.test(
  "the gateway's Redis user runs the journal: entries, beats, reaping, the append",
  async (t) => {
    const redis = await startAclRedis(t);
    const admin = await client(t, redis.urlOf('admin'));
    const gateway = redis.urlOf('gateway');
    const lost = await journalOn(t, gateway, 'gw-test');
    const orphan = call('gw-test');
    const ends = call('gw-test');
    lost.journal.begin(orphan);
    lost.journal.begin(ends);
    await waitFor(
      async () => (await admin.hlen(journalKey(CALLS, 'gw-test'))) === 2,
      5000,
      'entries',
    );
    const bed = await writerBed(t, gateway);
    lost.journal.end(ends.recordId);
    bed.writer.write(callRecord('answered', { recordId: ends.recordId }));
    await bed.writer.flush();
    await lost.close();
    const reaper = await journalOn(t, gateway, 'gw-b');
    await waitFor(async () => (await records(admin)).length === 2, 5000, 'both records');
    t.same(
      (await records(admin)).map((e) => [e.id, e.endedBy]),
      [
        [ends.recordId, ''],
        [orphan.recordId, 'node-lost'],
      ],
    );
    t.same(
      (await reaper.orphans()).map((v) => v.value),
      [1],
    );
  },
);

t.test('records the journal holds back wait, and spill to the spool on close', async (t) => {
  const redis = await startRedis(t);
  const r = await client(t, redis.url);
  let hold = true;
  const bed = await writerBed(t, redis.url, { holdRecords: () => hold });
  bed.writer.write(callRecord('answered'));
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.equal(await r.xlen(CALLS), 0, 'nothing reaches Redis ahead of its entry');
  hold = false;
  await waitFor(async () => (await r.xlen(CALLS)) === 1, 5000, 'sent once the hold ends');
  hold = true;
  bed.writer.write(callRecord('answered'));
  await bed.close();
  t.equal(bed.spool.pending, 1, 'a close while held spools it (a drain never waits on Redis)');
  t.equal(await r.xlen(CALLS), 1);
});
