/**
 * The Redis record writer against a real redis-server: the fields of every outcome, privacy,
 * a 10-second outage, retention and the length cap.
 */
import { Redis } from 'ioredis';
import t from 'tap';
import { CALL_OUTCOMES } from '../../src/call/record.js';
import { fromFields } from '../../src/records/entry.js';
import { callRecord, DISTINCT_CALLER, writerBed } from '../helpers/records.js';
import { startRedis } from '../helpers/redis.js';
import { mediaTail } from '../helpers/stream-records.js';
import { tempDir } from '../helpers/temp-dir.js';

const OUTCOMES = CALL_OUTCOMES;
const entries = async (r: Redis) =>
  (await r.xrange('calltrack:{records}:calls', '-', '+')).map(([streamId, f]) => ({
    streamId,
    ...fromFields(f),
  }));
const until = async (check: () => Promise<boolean>, ms = 10_000) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
};

t.test('a record for every outcome lands with the documented fields', async (t) => {
  const redis = await startRedis(t);
  const bed = await writerBed(t, redis.url);
  for (const outcome of OUTCOMES) bed.writer.write(callRecord(outcome));
  await bed.writer.flush();
  const r = new Redis(redis.url);
  t.teardown(() => r.disconnect());
  const got = await entries(r);
  t.same(
    got.map((e) => e.outcome),
    OUTCOMES,
  );
  t.match(got[0], {
    node: 'gw-test',
    dialplanVersion: 'v1',
    trackingNumber: '+493025550101',
    customer: 'autohaus-berlin',
    source: 'mobile.de',
    destinationIndex: '0',
    sipStatus: '200',
    startedAt: '2026-11-22T10:00:00.000Z',
    answeredAt: '2026-11-22T10:00:05.000Z',
    endedAt: '2026-11-22T10:01:05.000Z',
    ringMs: '5000',
    talkMs: '60000',
    callerCountry: 'DE',
    callerKind: 'mobile',
    callerWithheld: '0',
    callerPseudonym: '',
    media: '',
    whisper: '',
    recording: '',
    voicemail: '',
    mediaError: '',
    attempts: '',
  });
  t.match(
    got.find((e) => e.outcome === 'closed'),
    {
      sipStatus: '480',
      afterHours: 'hours',
      closedAction: 'refuse',
      talkMs: '0',
    },
  );
  t.match(
    got.find((e) => e.outcome === 'rejected'),
    {
      outcome: 'rejected',
      rejectReason: 'unknown',
      sipStatus: '404',
      answeredAt: '',
      talkMs: '0',
    },
  );
  t.equal(new Set(got.map((e) => e.id)).size, OUTCOMES.length, 'each record carries its own id');
});

t.test('media outcomes land as flat fields, without the recording file name', async (t) => {
  const redis = await startRedis(t);
  const bed = await writerBed(t, redis.url);
  bed.writer.write(
    callRecord('answered', {
      media: { anchored: true, whisper: 'played', notice: 'played', recording: 'x.wav' },
    }),
  );
  bed.writer.write(
    callRecord('no-answer', { media: { anchored: true, notice: 'played', voicemail: 'left' } }),
  );
  bed.writer.write(callRecord('answered', { media: { anchored: false, error: 'anchor-failed' } }));
  bed.writer.write(
    callRecord('answered', {
      attempts: [
        { index: 0, member: 0, status: 487, cause: 'completed-elsewhere' },
        { index: 0, member: 1, status: 200, cause: 'answered' },
      ],
    }),
  );
  await bed.writer.flush();
  const r = new Redis(redis.url);
  t.teardown(() => r.disconnect());
  const raw = await r.xrange('calltrack:{records}:calls', '-', '+');
  t.notMatch(JSON.stringify(raw), 'x.wav', 'no file name in the stream');
  t.same(
    raw.map(([, f]) => f.slice(f.indexOf('media'), f.indexOf('media') + 10)),
    [
      mediaTail('anchored', 'played', 'recorded', '', ''),
      mediaTail('anchored', '', '', 'left', ''),
      mediaTail('unanchored', '', '', '', 'anchor-failed'),
      mediaTail('', '', '', '', ''),
    ],
  );
  t.same(
    raw.map(([, f]) => f.slice(f.indexOf('attempts'), f.indexOf('attempts') + 2)),
    [
      ['attempts', ''],
      ['attempts', ''],
      ['attempts', ''],
      ['attempts', '0.0:487:completed-elsewhere 0.1:200:answered'],
    ],
    'the attempts of a ring group, anonymised',
  );
});

t.test('the caller number is nowhere: stream, keys, log, metrics', async (t) => {
  const redis = await startRedis(t);
  const bed = await writerBed(t, redis.url, { secret: 's3cret' });
  for (let i = 0; i < 50; i++) bed.writer.write(callRecord(OUTCOMES[i % 6]!));
  bed.writer.write(callRecord('answered', { callerWithheld: true, callerNumber: undefined }));
  await bed.writer.flush();
  const r = new Redis(redis.url);
  t.teardown(() => r.disconnect());
  const digits = DISTINCT_CALLER.slice(3);
  const dump: string[] = [];
  for (const key of await r.keys('*')) {
    const type = await r.type(key);
    dump.push(
      key,
      type === 'stream'
        ? JSON.stringify(await r.xrange(key, '-', '+'))
        : type === 'hash'
          ? JSON.stringify(await r.hgetall(key))
          : String(await r.get(key)),
    );
  }
  t.notMatch(dump.join('\n'), digits, 'not in any Redis key or value');
  t.notMatch(bed.logs(), digits, 'not in the log');
  t.notMatch(await bed.metrics.metrics(), digits, 'not in the metrics');
  const got = await entries(r);
  const pseudonyms = new Set(
    got.filter((e) => e.callerWithheld === '0').map((e) => e.callerPseudonym),
  );
  t.equal(pseudonyms.size, 1, 'one caller, one day: one pseudonym (repeat callers can be counted)');
  t.match([...pseudonyms][0], /^[0-9a-f]{20}$/);
  t.match(got.at(-1), { callerWithheld: '1', callerCountry: 'unknown', callerPseudonym: '' });
});

t.test('pseudonyms change from one day to the next and need the secret', async (t) => {
  const { createAnonymiser } = await import('../../src/records/anonymise.js');
  const a = createAnonymiser('s3cret');
  const day1 = a(callRecord('answered', { startedAt: '2026-11-22T10:00:00.000Z' })).callerPseudonym;
  const day1late = a(
    callRecord('answered', { startedAt: '2026-11-22T22:59:00.000Z' }),
  ).callerPseudonym;
  const day2 = a(callRecord('answered', { startedAt: '2026-11-23T10:00:00.000Z' })).callerPseudonym;
  t.equal(day1, day1late, 'same local day');
  t.not(day1, day2, 'not linkable across days');
  t.not(
    createAnonymiser('other')(callRecord('answered', { startedAt: '2026-11-22T10:00:00.000Z' }))
      .callerPseudonym,
    day1,
    'depends on the secret',
  );
  t.equal(
    createAnonymiser(undefined)(callRecord('answered')).callerPseudonym,
    '',
    'off without a secret',
  );
});

t.test(
  'Redis down for 10 s while calls keep ending: every record arrives once, in order',
  async (t) => {
    const redis = await startRedis(t);
    const bed = await writerBed(t, redis.url);
    const ids: string[] = [];
    const writeSome = (n: number) => {
      for (let i = 0; i < n; i++) {
        const rec = callRecord(OUTCOMES[ids.length % 6]!);
        ids.push(rec.recordId);
        bed.writer.write(rec);
      }
    };
    writeSome(20);
    await bed.writer.flush();
    await redis.stop();
    const outageEnds = Date.now() + 10_500;
    while (Date.now() < outageEnds) {
      writeSome(5);
      await new Promise((r) => setTimeout(r, 250));
    }
    t.ok(
      bed.spool.pending > 0,
      `records went to the spool during the outage (${bed.spool.pending})`,
    );
    t.notOk(bed.writer.redisUp);
    await redis.start();
    writeSome(20);
    const r = new Redis(redis.url);
    t.teardown(() => r.disconnect());
    t.ok(
      await until(async () => (await r.xlen('calltrack:{records}:calls')) >= ids.length, 15_000),
      'everything arrived',
    );
    await new Promise((res) => setTimeout(res, 300));
    const got = (await entries(r)).map((e) => e.id);
    t.equal(got.length, ids.length, 'nothing twice');
    t.same(got, ids, 'in the order the calls ended');
    t.equal(bed.spool.pending, 0, 'the spool is empty again');
    const m = await bed.metrics.metrics();
    t.match(m, /calltrack_records_spooled_total [1-9]/);
    t.match(m, /calltrack_records_replayed_total [1-9]/);
    t.match(m, /calltrack_records_dropped_total 0/);
  },
);

t.test('a batch sent twice is written once (sequence marks per node)', async (t) => {
  const redis = await startRedis(t);
  const { appendBatch, defineAppend } = await import('../../src/records/redis-append.js');
  const { createAnonymiser } = await import('../../src/records/anonymise.js');
  const r = defineAppend(new Redis(redis.url));
  t.teardown(() => r.disconnect());
  const anonymise = createAnonymiser(undefined);
  const batch = [1, 2, 3].map((seq) => ({ seq, record: anonymise(callRecord('busy')) }));
  const target = { stream: 'calltrack:{records}:calls', node: 'n1', retentionDays: 400 };
  t.equal(await appendBatch(r, target, batch), 3);
  t.equal(await appendBatch(r, target, batch), 0, 'a replay adds nothing');
  t.equal(
    await appendBatch(r, { ...target, node: 'n2' }, batch.slice(0, 1)),
    1,
    'another node has its own marks',
  );
  t.equal(await r.xlen('calltrack:{records}:calls'), 4);
});

t.test(
  'the packed fields reach the stream byte for byte as plain arguments would (quotes, backslashes, NUL, umlauts, emoji; a lone surrogate as U+FFFD)',
  async (t) => {
    const redis = await startRedis(t);
    const { appendBatch, defineAppend } = await import('../../src/records/redis-append.js');
    const { createAnonymiser } = await import('../../src/records/anonymise.js');
    const { toFields } = await import('../../src/records/entry.js');
    const r = defineAppend(new Redis(redis.url));
    t.teardown(() => r.disconnect());
    const anonymise = createAnonymiser(undefined);
    const sources = [
      'Kanal "A" \\ut \\ud800 [1,2]',
      'nul\u0000byte',
      'Gebrauchtwagen Öl Straße 🚗',
      'lone \ud800 high',
      '{"not":"json"}',
    ];
    const batch = sources.map((source, i) => ({
      seq: i + 1,
      record: anonymise(callRecord('answered', { source })),
    }));
    const target = { stream: 'calltrack:{records}:calls', node: 'n1', retentionDays: 400 };
    t.equal(await appendBatch(r, target, batch), sources.length);
    const raw = await r.xrangeBuffer('calltrack:{records}:calls', '-', '+');
    t.same(
      raw.map(([, f]) => f.map((b) => b.toString('utf8'))),
      batch.map((b) => toFields(b.record).map((f) => f.toWellFormed())),
      'every field as ioredis would have sent it as an argument of its own',
    );
    t.equal(
      raw[3]?.[1][raw[3][1].findIndex((b) => b.toString() === 'source') + 1]?.toString('hex'),
      Buffer.from('lone \ufffd high').toString('hex'),
      'the lone surrogate is U+FFFD on the wire, not refused',
    );
  },
);

t.test(
  'every queued record is reported, again with its new sequence when renumbered',
  async (t) => {
    const redis = await startRedis(t);
    const r = new Redis(redis.url);
    t.teardown(() => r.disconnect());
    // this host's clock is behind the node's mark: the writer renumbers above it before sending
    const mark = Date.now() * 1000 + 1e12;
    await r.hset('calltrack:{records}:calls:writer-seq', 'gw-test', String(mark));
    const queued: [string, number][] = [];
    const bed = await writerBed(t, redis.url, {
      onQueued: (q) => queued.push([q.record.id, q.seq]),
    });
    const record = callRecord('rejected');
    bed.writer.write(record);
    await bed.writer.flush();
    t.equal(queued.length, 2, 'at the write, and again renumbered');
    t.ok(queued.every(([id]) => id === record.recordId));
    t.ok(queued[0]![1] <= mark && queued[1]![1] === mark + 1, 'the second above the mark');
    t.equal(await r.xlen('calltrack:{records}:calls'), 1);
  },
);

t.test('retention by age and the length cap', async (t) => {
  const redis = await startRedis(t);
  const r = new Redis(redis.url);
  t.teardown(() => r.disconnect());
  for (let i = 1; i <= 300; i++)
    await r.xadd('calltrack:{records}:calls', `${1000 + i}-0`, 'id', `old-${i}`);
  const bed = await writerBed(t, redis.url, {
    retentionDays: 30,
    maxLength: 1000,
    trimEveryMs: 0,
    batchSize: 100,
  });
  for (let i = 0; i < 1500; i++) bed.writer.write(callRecord('answered'));
  await bed.writer.flush();
  const all = await entries(r);
  t.equal(
    all.filter((e) => e.id.startsWith('old-')).length,
    0,
    'entries older than the retention are gone',
  );
  t.ok(
    all.length <= 1100 && all.length >= 1000,
    `the stream is capped near its length limit (${all.length})`,
  );
  t.match(all.at(-1)?.id, /^rec-/, 'the newest records are kept');
});

t.test(
  'records spooled before a SIGKILL are replayed on restart, none lost, none twice',
  async (t) => {
    const { spawn } = await import('node:child_process');
    const redis = await startRedis(t);
    await redis.stop();
    const spoolDir = tempDir('calltrack-crash-');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/writer-child.ts', redis.url, spoolDir, '200'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const spooled = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += String(c);
        if (out.includes('spooled')) resolve(out.trim());
      });
    });
    t.equal(spooled, 'spooled 200');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await redis.start();
    const bed = await writerBed(t, redis.url, { spoolDir });
    t.equal(bed.spool.pending, 200, 'the spool survived the kill');
    const r = new Redis(redis.url);
    t.teardown(() => r.disconnect());
    t.ok(
      await until(
        async () => bed.spool.pending === 0 && (await r.xlen('calltrack:{records}:calls')) >= 200,
      ),
      'replayed',
    );
    // a second writer over the same spool file would replay nothing twice either
    const got = (await entries(r)).map((e) => e.id);
    t.same(
      got,
      Array.from({ length: 200 }, (_, i) => `crash-${i}`),
      'all 200, in order, once each',
    );
  },
);

t.test(
  'records of calls ending close together share one round trip; a lone one still lands',
  async (t) => {
    const redis = await startRedis(t);
    const bed = await writerBed(t, redis.url, { lingerMs: 200 });
    const r = new Redis(redis.url);
    t.teardown(() => r.disconnect());
    const sends = async () =>
      Number(
        /^calltrack_record_write_seconds_count (\d+)$/m.exec(await bed.metrics.metrics())?.[1] ??
          -1,
      );
    bed.writer.write(callRecord('answered'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 9; i++) bed.writer.write(callRecord('answered'));
    t.ok(
      await until(async () => (await r.xlen('calltrack:{records}:calls')) === 10),
      'all ten written',
    );
    // the entries are visible in Redis a moment before the writer has its reply and counts the send
    t.ok(
      await until(async () => (await sends()) === 1),
      'in one round trip: the later nine came within the first one’s linger',
    );
    const started = Date.now();
    bed.writer.write(callRecord('busy'));
    t.ok(
      await until(async () => (await r.xlen('calltrack:{records}:calls')) === 11),
      'a lone record lands',
    );
    t.ok(Date.now() - started < 2000, 'within its linger, not at the next write or a flush');
    t.ok(await until(async () => (await sends()) === 2), 'the lone record was a send of its own');
    // the ten and the lone one through the script, one command a batch with one argument a
    // record; EVAL loaded it, EVALSHA ran it again
    t.same(await commandCalls(r, ['multi', 'exec', 'eval', 'evalsha']), {
      multi: 0,
      exec: 0,
      eval: 1,
      evalsha: 1,
    });
    // a burst: the script again, a batch at a time, never MULTI/EXEC
    for (let i = 0; i < 300; i++) bed.writer.write(callRecord('answered'));
    await bed.writer.flush();
    t.equal(await r.xlen('calltrack:{records}:calls'), 311, 'all written');
    const after = await commandCalls(r, ['multi', 'exec', 'eval', 'evalsha']);
    t.same(
      { multi: after.multi, exec: after.exec, eval: after.eval },
      { multi: 0, exec: 0, eval: 1 },
    );
    t.ok((after.evalsha ?? 0) >= 2, `the burst went through the script (${after.evalsha} runs)`);
  },
);

/**
 * How often Redis ran each command (INFO commandstats), 0 for one it never ran. EVALSHA of a
 * script Redis does not know yet is refused with NOSCRIPT and not counted; ioredis then sends EVAL.
 */
async function commandCalls(r: Redis, names: string[]): Promise<Record<string, number>> {
  const info = await r.info('commandstats');
  return Object.fromEntries(
    names.map((n) => [
      n,
      Number(new RegExp(`^cmdstat_${n}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0),
    ]),
  );
}
