/**
 * Traffic records (billing) through the record writer against a real redis-server: written only
 * when on, one per call beside its anonymised record under the same id, the withheld caller
 * empty, both kept through an outage by the spool and written exactly once, an older spool
 * without traffic parts still replayed, and entries past their retention trimmed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import type { CallRecord } from '../../src/call/record.js';
import { createAnonymiser } from '../../src/records/anonymise.js';
import { fromFields } from '../../src/records/entry.js';
import { appendBatch, defineAppend } from '../../src/records/redis-append.js';
import { fromTrafficFields, trafficOf } from '../../src/records/traffic-entry.js';
import { callRecord, DISTINCT_CALLER, writerBed } from '../helpers/records.js';
import { startRedis } from '../helpers/redis.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const CALLS = 'calltrack:{records}:calls';
const TRAFFIC = 'calltrack:{records}:traffic';
const DAY = 86_400_000;
const traffic = (over: { retentionDays?: number } = {}) => ({
  traffic: { stream: TRAFFIC, retentionDays: over.retentionDays ?? 90 },
});

async function client(t: Test, url: string): Promise<Redis> {
  const r = new Redis(url);
  r.on('error', () => undefined);
  t.teardown(() => r.disconnect());
  return r;
}
const callIds = async (r: Redis) =>
  (await r.xrange(CALLS, '-', '+')).map(([, f]) => fromFields(f).id);
const trafficEntries = async (r: Redis) =>
  (await r.xrange(TRAFFIC, '-', '+')).map(([, f]) => fromTrafficFields(f));
const until = async (check: () => Promise<boolean>, ms = 15_000) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
};

t.test('traffic records off: no traffic stream at all', async (t) => {
  const redis = await startRedis(t);
  const bed = await writerBed(t, redis.url);
  for (let i = 0; i < 5; i++) bed.writer.write(callRecord('answered'));
  await bed.writer.flush();
  const r = await client(t, redis.url);
  t.equal(await r.xlen(CALLS), 5, 'the call records are written');
  t.equal(await r.exists(TRAFFIC), 0, 'no traffic stream key');
  t.match(await bed.metrics.metrics(), /^calltrack_traffic_records_written_total 0$/m);
});

t.test('traffic records on: one per call, the same id, caller unless withheld', async (t) => {
  const redis = await startRedis(t);
  const bed = await writerBed(t, redis.url, traffic());
  const calls: CallRecord[] = [
    callRecord('answered', { destination: '+493089001234', talkMs: 60_001 }),
    callRecord('answered', {
      destination: 'sip:reception@pbx.example',
      callerWithheld: true,
      callerNumber: DISTINCT_CALLER,
    }),
    callRecord('busy'),
  ];
  for (const c of calls) bed.writer.write(c);
  await bed.writer.flush();
  const r = await client(t, redis.url);
  const got = await trafficEntries(r);
  t.equal(got.length, 3, 'exactly one traffic entry per call');
  t.same(
    await callIds(r),
    calls.map((c) => c.recordId),
    'the call stream: each call once',
  );
  t.same(
    got.map((e) => e.id),
    calls.map((c) => c.recordId),
    'the traffic entries carry the ids of the call entries',
  );
  t.same(got[0], {
    id: calls[0]!.recordId,
    trackingNumber: '+493025550101',
    customer: 'autohaus-berlin',
    caller: DISTINCT_CALLER,
    destination: '+493089001234',
    startedAt: '2026-11-22T10:00:00.000Z',
    answeredAt: '2026-11-22T10:00:05.000Z',
    endedAt: '2026-11-22T10:01:05.000Z',
    billableSeconds: '61',
    outcome: 'answered',
    node: 'gw-test',
  });
  t.equal(got[1]?.caller, '', 'a withheld caller: no number, whatever came (CLIR wins)');
  t.equal(got[1]?.destination, 'sip:reception@pbx.example');
  t.match(got[2], { outcome: 'busy', destination: '', billableSeconds: '0', answeredAt: '' });
  const calls_ = JSON.stringify(await r.xrange(CALLS, '-', '+'));
  t.notMatch(calls_, DISTINCT_CALLER.slice(3), 'the caller number is not in the call stream');
  t.notMatch(calls_, '89001234', 'nor the destination reached');
  t.notMatch(bed.logs(), DISTINCT_CALLER.slice(3), 'nor in the log');
  t.match(await bed.metrics.metrics(), /^calltrack_traffic_records_written_total 3$/m);
});

t.test(
  'Redis down: calls and their traffic records go to the spool, are replayed exactly once',
  async (t) => {
    const redis = await startRedis(t);
    const spoolDir = tempDir('calltrack-traffic-spool-');
    const bed = await writerBed(t, redis.url, { ...traffic(), spoolDir, spoolAfterMs: 50 });
    const ids: string[] = [];
    const writeSome = (n: number) => {
      for (let i = 0; i < n; i++) {
        const rec = callRecord(i % 2 ? 'answered' : 'no-answer', {
          destination: '+493089001234',
        });
        ids.push(rec.recordId);
        bed.writer.write(rec);
      }
    };
    writeSome(10);
    await bed.writer.flush();
    await redis.stop();
    writeSome(30);
    t.ok(await until(async () => bed.spool.pending >= 30), 'the outage went to the spool');
    const spooled = readFileSync(bed.spool.path, 'utf8');
    t.match(spooled, DISTINCT_CALLER, 'the spool holds the traffic records too');
    await redis.start();
    writeSome(10);
    const r = await client(t, redis.url);
    t.ok(
      await until(async () => bed.spool.pending === 0 && (await r.xlen(TRAFFIC)) >= ids.length),
      'everything arrived',
    );
    await bed.writer.flush();
    await new Promise((res) => setTimeout(res, 300));
    const calls = await callIds(r);
    const got = (await trafficEntries(r)).map((e) => e.id);
    t.equal(calls.length, ids.length, `call entries: exactly ${ids.length}`);
    t.equal(got.length, ids.length, `traffic entries: exactly ${ids.length}`);
    t.same(calls, ids, 'calls in order, once each');
    t.same(got, ids, 'traffic records in order, once each');
    const m = await bed.metrics.metrics();
    t.match(m, /^calltrack_records_replayed_total [1-9]/m);
    t.match(m, new RegExp(`^calltrack_traffic_records_written_total ${ids.length}$`, 'm'));
  },
);

t.test('a batch retried after a lost reply adds neither entry twice', async (t) => {
  const redis = await startRedis(t);
  const r = defineAppend(await client(t, redis.url));
  const anonymise = createAnonymiser(undefined);
  const raw = [1, 2, 3].map(() => callRecord('answered', { destination: '+493089001234' }));
  const batch = raw.map((rec, i) => ({
    seq: 100 + i,
    record: anonymise(rec),
    traffic: trafficOf(rec),
  }));
  const target = { stream: CALLS, node: 'n1', retentionDays: 400, trafficStream: TRAFFIC };
  // the first attempt went through, its reply was lost: the writer sends the batch again
  t.equal(await appendBatch(r, target, batch), 3, 'the first attempt');
  t.equal(await appendBatch(r, target, batch), 0, 'the retry adds nothing');
  t.equal(await appendBatch(r, target, batch.slice(1)), 0, 'nor does part of it');
  const more = { ...batch[0]!, seq: 103 };
  t.equal(await appendBatch(r, target, [...batch, more]), 1, 'only what is new is added');
  t.equal(await r.xlen(CALLS), 4);
  t.equal(await r.xlen(TRAFFIC), 4);
});

t.test('a traffic entry that cannot be written leaves neither entry of its call', async (t) => {
  const redis = await startRedis(t);
  const r = defineAppend(await client(t, redis.url));
  await r.set('calltrack:wrong', 'not a stream');
  const anonymise = createAnonymiser(undefined);
  const raw = [1, 2].map(() => callRecord('answered'));
  const batch = raw.map((rec, i) => ({
    seq: 10 + i,
    record: anonymise(rec),
    traffic: trafficOf(rec),
  }));
  const target = { stream: CALLS, node: 'n1', retentionDays: 400 };
  t.equal(await appendBatch(r, { ...target, trafficStream: TRAFFIC }, batch.slice(0, 1)), 1);
  await t.rejects(
    appendBatch(r, { ...target, trafficStream: 'calltrack:wrong' }, batch.slice(1)),
    /WRONGTYPE/,
  );
  t.same(await callIds(r), [raw[0]!.recordId], 'the failed call left no call entry behind');
  t.equal(
    await r.hget('calltrack:{records}:calls:writer-seq', 'n1'),
    '10',
    'and is not marked written',
  );
  t.equal(await appendBatch(r, { ...target, trafficStream: TRAFFIC }, batch), 1, 'retried: once');
  t.same(
    await callIds(r),
    raw.map((x) => x.recordId),
  );
  t.equal(await r.xlen(TRAFFIC), 2);
});

t.test('a spool written before traffic records existed still replays', async (t) => {
  const redis = await startRedis(t);
  const spoolDir = tempDir('calltrack-old-spool-');
  const anonymise = createAnonymiser(undefined);
  const old = [0, 1, 2].map((i) => callRecord('answered', { recordId: `old-${i}` }));
  const start = (Date.now() - 60_000) * 1000;
  // the previous version's line: sequence, anonymised record, the time it was queued
  writeFileSync(
    join(spoolDir, 'gw-test.spool'),
    old
      .map((rec, i) => `${JSON.stringify({ seq: start + i, record: anonymise(rec), at: 1 })}\n`)
      .join(''),
  );
  const bed = await writerBed(t, redis.url, { ...traffic(), spoolDir });
  t.equal(bed.spool.pending, 3, 'the old spool is read');
  const fresh = callRecord('answered');
  bed.writer.write(fresh);
  const r = await client(t, redis.url);
  t.ok(await until(async () => (await r.xlen(CALLS)) >= 4 && bed.spool.pending === 0), 'replayed');
  await bed.writer.flush();
  t.same(await callIds(r), ['old-0', 'old-1', 'old-2', fresh.recordId], 'all, in order, once');
  t.same(
    (await trafficEntries(r)).map((e) => e.id),
    [fresh.recordId],
    'old entries carry no traffic part; the new call has its own',
  );
});

t.test(
  'retention: a traffic entry past its days is gone after a trim, a fresh one stays',
  async (t) => {
    const redis = await startRedis(t);
    const r = await client(t, redis.url);
    const now = Date.now();
    await r.xadd(TRAFFIC, `${now - 91 * DAY}-0`, 'id', 'past-91-days');
    await r.xadd(TRAFFIC, `${now - 89 * DAY}-0`, 'id', 'within-89-days');
    const bed = await writerBed(t, redis.url, {
      ...traffic({ retentionDays: 90 }),
      maxLength: 100,
      trimEveryMs: 0,
      batchSize: 50,
    });
    for (let i = 0; i < 300; i++) bed.writer.write(callRecord('answered'));
    await bed.writer.flush();
    const ids = (await trafficEntries(r)).map((e) => e.id);
    t.notOk(ids.includes('past-91-days'), 'the entry older than 90 days is gone');
    t.ok(ids.includes('within-89-days'), 'the entry of 89 days stays');
    t.equal(ids.length, 301, 'every fresh one stays: traffic data is never cut by count');
    t.ok((await r.xlen(CALLS)) < 300, 'while the call stream is capped by RECORD_STREAM_MAXLEN');
  },
);

t.test('retention holds without calls: an idle writer trims what is past its days', async (t) => {
  const redis = await startRedis(t);
  const r = await client(t, redis.url);
  const now = Date.now();
  await r.xadd(TRAFFIC, `${now - 91 * DAY}-0`, 'id', 'past-91-days');
  await r.xadd(TRAFFIC, `${now - 89 * DAY}-0`, 'id', 'within-89-days');
  await writerBed(t, redis.url, { ...traffic({ retentionDays: 90 }), trimEveryMs: 0 });
  await waitFor(async () => (await r.xlen(TRAFFIC)) === 1, 5000).catch(() => undefined);
  t.same(
    (await trafficEntries(r)).map((e) => e.id),
    ['within-89-days'],
    'no call was written, yet the entry older than 90 days is gone',
  );
});
