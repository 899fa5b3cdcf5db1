/**
 * `calltrack report` and `calltrack export` against a real redis-server: the table, CSV and JSON
 * of a report built by the analytics consumer; the export's CSV quoting, UTF-8, JSON, filtering by
 * customer and local start day, paging and progress; and the answers to bad input and to a Redis
 * that is not there.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { createLogger } from '../../src/observability/logger.js';
import { AnalyticsConsumer } from '../../src/records/analytics.js';
import type { StreamRecord } from '../../src/records/entry.js';
import { cli } from '../helpers/cli-io.js';
import { freeTcpPort } from '../helpers/ports.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';
import { addRecords, client, streamRecord } from '../helpers/stream-records.js';
import { waitFor } from '../helpers/wait.js';

const STREAM = 'calltrack:{records}:calls';
const BOERSE = 'Auto "Börse", Berlin';
const MUELLER = 'Autohaus Müller, Filiale "Nord"';

const call = (time: string, over: Partial<StreamRecord> = {}) =>
  streamRecord({ startedAt: time, answeredAt: time, endedAt: time, ...over });

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-export-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Adds the records and lets the analytics consumer count them. */
async function counted(t: Test, server: RedisServer, records: StreamRecord[]): Promise<void> {
  await addRecords(client(t, server.url), STREAM, records);
  const c = new AnalyticsConsumer({
    redis: client(t, server.url),
    stream: STREAM,
    consumer: 'test',
    logger: createLogger('silent'),
    blockMs: 50,
  });
  const running = c.run();
  await waitFor(() => c.counters.counted === records.length);
  c.stop();
  await running;
}

t.test('report: calls per source with share and talk time, as table, CSV and JSON', async (t) => {
  const server = await startRedis(t);
  await counted(t, server, [
    call('2026-11-01T08:00:00.000Z', { talkMs: '60000' }),
    call('2026-11-15T08:00:00.000Z', { talkMs: '120000' }),
    call('2026-11-30T08:00:00.000Z', { talkMs: '3000' }),
    call('2026-11-02T08:00:00.000Z', { outcome: 'busy', talkMs: '0', answeredAt: '' }),
    call('2026-11-03T08:00:00.000Z', { source: BOERSE, talkMs: '30000' }),
    call('2026-11-04T08:00:00.000Z', { source: 'Website', outcome: 'no-answer', talkMs: '0' }),
    // a dead trunk: counted apart from the calls the dealer missed
    call('2026-11-05T08:00:00.000Z', { source: 'Website', outcome: 'unreachable', talkMs: '0' }),
    // closed: refused on a Sunday night, and a holiday call the answering service took
    call('2026-11-08T02:00:00.000Z', {
      outcome: 'closed',
      talkMs: '0',
      answeredAt: '',
      afterHours: 'hours',
      closedAction: 'refuse',
    }),
    call('2026-11-06T08:00:00.000Z', {
      source: 'Website',
      talkMs: '10000',
      afterHours: 'holiday',
      closedAction: 'destinations',
    }),
    // outside the period (local days), or another customer's
    call('2026-10-31T22:30:00.000Z', { talkMs: '1000' }),
    call('2026-11-30T23:30:00.000Z', { talkMs: '1000' }),
    call('2026-11-10T08:00:00.000Z', { customer: 'kfz-gruber', source: 'willhaben.at' }),
  ]);
  const env = { REDIS_URL: server.url };
  const period = ['--customer', 'autohaus-mueller', '--from', '2026-11-01', '--to', '2026-11-30'];

  const table = await cli(['report', ...period], undefined, env);
  t.equal(table.code, 0, table.err.join('\n'));
  t.same(table.out, [
    'Calls of autohaus-mueller by source, 2026-11-01 to 2026-11-30 (local days, Europe/Berlin)',
    '',
    'source                calls    share  answered  busy  no-answer  unreachable  cancelled  failed  rejected  closed  after hours  talk time',
    'mobile.de                 5   55.6 %         3     1          0            0          0       0         0       1            1    0:03:03',
    'Website                   3   33.3 %         1     0          1            1          0       0         0       0            1    0:00:10',
    'Auto "Börse", Berlin      1   11.1 %         1     0          0            0          0       0         0       0            0    0:00:30',
    'total                     9  100.0 %         5     1          1            1          0       0         0       1            2    0:03:43',
  ]);

  const csv = await cli(['report', ...period, '--format', 'csv'], undefined, env);
  t.equal(csv.code, 0);
  t.same(csv.out, [
    'source,calls,share,answered,busy,no-answer,unreachable,cancelled,failed,rejected,closed,after_hours,talk_ms\r',
    'mobile.de,5,0.5556,3,1,0,0,0,0,0,1,1,183000\r',
    'Website,3,0.3333,1,0,1,1,0,0,0,0,1,10000\r',
    '"Auto ""Börse"", Berlin",1,0.1111,1,0,0,0,0,0,0,0,0,30000\r',
  ]);

  const json = await cli(['report', ...period, '--format', 'json'], undefined, env);
  t.equal(json.code, 0);
  const report = JSON.parse(json.out.join('\n'));
  t.match(report, {
    customer: 'autohaus-mueller',
    from: '2026-11-01',
    to: '2026-11-30',
    calls: 9,
    talkMs: 223000,
    afterHours: 2,
    outcomes: {
      answered: 5,
      busy: 1,
      'no-answer': 1,
      unreachable: 1,
      cancelled: 0,
      failed: 0,
      rejected: 0,
      closed: 1,
    },
  });
  t.same(
    report.sources.map((s: { source: string; calls: number; share: number; talkMs: number }) => [
      s.source,
      s.calls,
      s.share,
      s.talkMs,
    ]),
    [
      ['mobile.de', 5, 0.5556, 183000],
      ['Website', 3, 0.3333, 10000],
      [BOERSE, 1, 0.1111, 30000],
    ],
  );

  const oneDay = await cli(
    ['report', '--customer', 'autohaus-mueller', '--from', '2026-12-01', '--to', '2026-12-01'],
    undefined,
    env,
  );
  t.equal(oneDay.code, 0);
  t.match(oneDay.out.join('\n'), /0:00:01/, 'the call at 00:30 local time on 1 December');
  const none = await cli(
    ['report', ...period.slice(0, 2), '--from', '2025-01-01', '--to', '2025-01-31'],
    undefined,
    env,
  );
  t.match(none.out.join('\n'), /no calls in this period/);
});

/** The export fixture: what it must contain, what it must leave out. */
async function exportFixture(t: Test, server: RedisServer) {
  const redis = client(t, server.url);
  const inside = [
    // 23:30 UTC on 31 October is 00:30 on 1 November in Berlin
    call('2026-10-31T23:30:00.000Z', {
      id: 'in-1',
      talkMs: '61000',
      media: 'anchored',
      whisper: 'played',
      recording: 'recorded',
      mediaError: 'bridge-failed',
    }),
    call('2026-11-01T09:15:00.000Z', {
      id: 'in-2',
      source: MUELLER,
      outcome: 'busy',
      answeredAt: '',
      talkMs: '0',
      sipStatus: '486',
      destinationIndex: '',
      callerWithheld: '1',
      callerCountry: 'unknown',
      callerKind: 'unknown',
      media: 'anchored',
      voicemail: 'left',
    }),
  ];
  const late = call('2026-11-02T20:00:00.000Z', {
    id: 'in-3-late',
    talkMs: '5000',
    endedBy: 'caller',
    transfer: 'completed',
    // a holiday: the answering service took it
    afterHours: 'holiday',
    closedAction: 'destinations',
  });
  await addRecords(redis, STREAM, [
    call('2026-10-31T22:30:00.000Z', { id: 'out-before' }), // 23:30 on 31 October, local
    ...inside,
    call('2026-11-01T10:00:00.000Z', { id: 'other', customer: 'kfz-gruber' }),
    inside[1]!, // replayed duplicate
    call('2026-11-03T00:30:00.000Z', { id: 'out-after' }), // 01:30 on 3 November, local
  ]);
  // replayed from a spool three days after the call: a later stream id, still its start day
  await addRecords(redis, STREAM, [late], () => Date.parse('2026-11-05T12:00:00Z'));
  return { env: { REDIS_URL: server.url }, ids: ['in-1', 'in-2', 'in-3-late'] };
}

const EXPORT = [
  'export',
  '--customer',
  'autohaus-mueller',
  '--from',
  '2026-11-01',
  '--to',
  '2026-11-02',
];

t.test('export CSV: header, RFC 4180 quoting, UTF-8, ISO times, the period only', async (t) => {
  const server = await startRedis(t);
  const { env } = await exportFixture(t, server);
  const r = await cli([...EXPORT, '--format', 'csv'], undefined, env);
  t.equal(r.code, 0, r.err.join('\n'));
  t.same(r.err, [], 'no progress when stderr is not a terminal');
  t.same(r.out, [
    'id,start,answer,end,tracking_number,source,outcome,reject_reason,sip_status,destination_index,ring_ms,talk_ms,caller_country,caller_kind,caller_withheld,whisper,recording,voicemail,transfer,after_hours,closed_action\r',
    'in-1,2026-10-31T23:30:00.000Z,2026-10-31T23:30:00.000Z,2026-10-31T23:30:00.000Z,+493025550101,mobile.de,answered,,200,0,3000,61000,DE,mobile,false,played,recorded,,,,\r',
    'in-2,2026-11-01T09:15:00.000Z,,2026-11-01T09:15:00.000Z,+493025550101,"Autohaus Müller, Filiale ""Nord""",busy,,486,,3000,0,unknown,unknown,true,,,left,,,\r',
    'in-3-late,2026-11-02T20:00:00.000Z,2026-11-02T20:00:00.000Z,2026-11-02T20:00:00.000Z,+493025550101,mobile.de,answered,,200,0,3000,5000,DE,mobile,false,,,,completed,holiday,destinations\r',
  ]);

  const dir = tempDir(t);
  const file = join(dir, 'calls.csv');
  const f = await cli([...EXPORT, '--format', 'csv', '--out', file], undefined, env);
  t.equal(f.code, 0, f.err.join('\n'));
  t.same(readdirSync(dir), ['calls.csv'], 'no temp file left');
  t.same(f.out, [], 'nothing on stdout with --out');
  const bytes = readFileSync(file);
  t.equal(bytes.toString('utf8'), `${r.out.join('\n')}\n`, 'the file holds the same CSV');
  t.ok(bytes.includes(Buffer.from([0x4d, 0xc3, 0xbc, 0x6c])), '"Mül" in UTF-8 bytes');
  t.not(bytes[0], 0xef, 'no byte-order mark');
});

t.test('export JSON: one array, typed values, the period only', async (t) => {
  const server = await startRedis(t);
  const { env, ids } = await exportFixture(t, server);
  const r = await cli([...EXPORT, '--format', 'json'], undefined, env);
  t.equal(r.code, 0, r.err.join('\n'));
  t.equal(r.out[0], '[');
  const rows = JSON.parse(r.out.join('\n'));
  t.same(
    rows.map((x: { id: string }) => x.id),
    ids,
  );
  t.same(rows[1], {
    id: 'in-2',
    start: '2026-11-01T09:15:00.000Z',
    answer: null,
    end: '2026-11-01T09:15:00.000Z',
    tracking_number: '+493025550101',
    source: MUELLER,
    outcome: 'busy',
    reject_reason: null,
    sip_status: 486,
    destination_index: null,
    ring_ms: 3000,
    talk_ms: 0,
    caller_country: 'unknown',
    caller_kind: 'unknown',
    caller_withheld: true,
    whisper: null,
    recording: null,
    voicemail: 'left',
    transfer: null,
    after_hours: null,
    closed_action: null,
  });
  const media = (row: Record<string, unknown>) => [row.whisper, row.recording, row.voicemail];
  t.same(media(rows[0]), ['played', 'recorded', null]);
  t.same(media(rows[2]), [null, null, null], 'a call without media');
  t.notOk('media_error' in rows[0], 'media error codes stay internal');
  t.equal(rows[2].transfer, 'completed', "the dealer's transfer");
  t.same(
    [rows[2].after_hours, rows[2].closed_action],
    ['holiday', 'destinations'],
    'closed: why, what',
  );
  t.notOk('ended_by' in rows[2], 'what ended a call stays internal');
  const empty = await cli(
    [...EXPORT.slice(0, 3), '--from', '2025-01-01', '--to', '2025-01-02', '--format', 'json'],
    undefined,
    env,
  );
  t.same(JSON.parse(empty.out.join('\n')), []);
});

t.test('export pages through a long history, with progress on a terminal', async (t) => {
  const server = await startRedis(t);
  const records: StreamRecord[] = [];
  const base = Date.parse('2026-11-10T00:00:00Z');
  for (let i = 0; i < 2800; i++) {
    const time = new Date(base + i * 10_000).toISOString();
    records.push(
      call(time, { id: `p-${i}`, customer: i % 10 === 9 ? 'kfz-gruber' : 'autohaus-mueller' }),
    );
  }
  await addRecords(client(t, server.url), STREAM, records);
  const out: string[] = [];
  const drawn: string[] = [];
  let clock = 0;
  const io: CliIO = {
    out: (l) => out.push(...l.split('\n')),
    err: (l) => out.push(`stderr: ${l}`),
    now: () => new Date('2026-11-22T10:00:00Z'),
    env: { REDIS_URL: server.url },
    // a terminal, and a clock that moves a quarter second each time it is read: every update is drawn
    progress: { stream: { isTTY: true, write: (s) => drawn.push(s) }, clock: () => (clock += 250) },
  };
  const argv = [
    'export',
    '--customer',
    'autohaus-mueller',
    '--from',
    '2026-11-10',
    '--to',
    '2026-11-10',
    '--format',
    'csv',
  ];
  t.equal(await runCli(argv, io), 0, out.join('\n'));
  const rows = out.filter((l) => l.startsWith('p-'));
  t.equal(rows.length, 2520, 'every record of the customer, over three pages of 1000 entries');
  t.equal(new Set(rows.map((l) => l.split(',')[0])).size, 2520);
  t.notOk(
    out.some((l) => l.includes('exporting')),
    'progress never goes to stdout',
  );
  t.ok(
    drawn.every((l) => l.startsWith('\r\x1b[2K')),
    'each line redrawn in place',
  );
  const lines = drawn.map((l) => l.replace('\r\x1b[2K', ''));
  t.same(lines, [
    'exporting: 1,000 entries · 0 records exported · 84% · 4,000 entries/s · ETA 0.0s',
    'exporting: 1,000 entries · 900 records exported · 84% · 2,000 entries/s · ETA 0.1s',
    'exporting: 2,000 entries · 900 records exported · 93% · 2,667 entries/s · ETA 0.1s',
    'exporting: 2,000 entries · 1,800 records exported · 93% · 2,000 entries/s · ETA 0.1s',
    'exporting: 2,800 entries · 1,800 records exported · 100% · 2,240 entries/s',
    'exporting: 2,800 entries · 2,520 records exported · 100% · 1,867 entries/s',
    'exporting done: 2,800 entries · 2,520 records exported · 100% · 1,600 entries/s · in 1.8s\n',
  ]);
  const shares = lines.slice(0, -1).map((l) => Number(/ (\d+)% /.exec(l)?.[1]));
  t.same(
    shares,
    [...shares].sort((a, b) => a - b),
    'the time position within the period only grows',
  );
  t.ok(shares[0]! > 0 && shares[0]! < 100, 'by time: the first page is part of the way');
});

t.test('bad input: exit 2 and what is wrong', async (t) => {
  const env = { REDIS_URL: 'redis://127.0.0.1:1' };
  const cases: [string[], RegExp][] = [
    [['report', '--from', '2026-11-01', '--to', '2026-11-30'], /missing --customer/],
    [['report', '--customer', 'c', '--to', '2026-11-30'], /missing --from/],
    [['report', '--customer', 'c', '--from', '2026-11-01'], /missing --to/],
    [
      ['report', '--customer', 'c', '--from', '2026-02-30', '--to', '2026-03-01'],
      /--from '2026-02-30' is not a date \(YYYY-MM-DD\)/,
    ],
    [
      ['report', '--customer', 'c', '--from', '2026-11-01', '--to', '30.11.2026'],
      /--to '30\.11\.2026' is not a date/,
    ],
    [
      ['report', '--customer', 'c', '--from', '2026-12-01', '--to', '2026-11-30'],
      /--from 2026-12-01 is after --to 2026-11-30/,
    ],
    [
      [
        'report',
        '--customer',
        'c',
        '--from',
        '2026-11-01',
        '--to',
        '2026-11-30',
        '--format',
        'xml',
      ],
      /--format 'xml' is not one of table, csv, json/,
    ],
    [
      ['report', 'c', '--customer', 'c', '--from', '2026-11-01', '--to', '2026-11-30'],
      /unexpected 'c'/,
    ],
    [
      ['export', '--customer', 'c', '--from', '2026-11-01', '--to', '2026-11-30'],
      /missing --format \(csv or json\)/,
    ],
    [
      [
        'export',
        '--customer',
        'c',
        '--from',
        '2026-11-01',
        '--to',
        '2026-11-30',
        '--format',
        'table',
      ],
      /--format 'table' is not one of csv, json/,
    ],
    [
      ['export', '--from', '2026-11-01', '--to', '2026-11-30', '--format', 'csv'],
      /missing --customer/,
    ],
    [['analytics', 'frobnicate'], /calltrack analytics last-calls/],
    [['report', '--customer', 'c', '--form', '2026-11-01'], /Unknown option '--form'/],
  ];
  for (const [argv, message] of cases) {
    const r = await cli(argv, undefined, env);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.err.join('\n'), message, argv.join(' '));
    t.same(
      r.out.filter((l) => l !== '' && !l.startsWith('usage')),
      [],
      'nothing on stdout',
    );
  }
});

t.test('Redis not there: exit 1 at once, with a clear message and no password', async (t) => {
  const port = await freeTcpPort();
  const env = { REDIS_URL: `redis://:s3cret@127.0.0.1:${port}` };
  const period = ['--customer', 'c', '--from', '2026-11-01', '--to', '2026-11-30'];
  for (const argv of [
    ['report', ...period],
    ['export', ...period, '--format', 'csv'],
    ['analytics', 'last-calls'],
  ]) {
    const started = Date.now();
    const r = await cli(argv, undefined, env);
    t.equal(r.code, 1, argv.join(' '));
    t.match(
      r.err.join('\n'),
      new RegExp(`cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`),
    );
    t.notMatch(r.err.join('\n'), /s3cret/);
    t.ok(Date.now() - started < 10_000, 'gives up, no reconnect loop');
  }
});

t.test('a peer that accepts and never answers: exit 1 after the timeout, no hang', async (t) => {
  const silent = createServer(() => undefined).listen(0, '127.0.0.1');
  await new Promise((resolve) => silent.once('listening', resolve));
  t.teardown(() => silent.close());
  const { port } = silent.address() as { port: number };
  const started = Date.now();
  const r = await cli(
    ['report', '--customer', 'c', '--from', '2026-11-01', '--to', '2026-11-30'],
    undefined,
    { REDIS_URL: `redis://127.0.0.1:${port}` },
  );
  t.equal(r.code, 1);
  t.match(
    r.err.join('\n'),
    /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: no answer within 3 s/,
  );
  t.ok(Date.now() - started < 8000, 'one connect timeout, no retries');
});

t.test('export --out where it cannot write: exit 1, nothing left behind', async (t) => {
  const server = await startRedis(t);
  const dir = tempDir(t);
  const r = await cli(
    [...EXPORT, '--format', 'csv', '--out', join(dir, 'missing', 'calls.csv')],
    undefined,
    { REDIS_URL: server.url },
  );
  t.equal(r.code, 1);
  t.match(r.err.join('\n'), /cannot write .*calls\.csv: ENOENT/);
  t.same(readdirSync(dir), []);
});
