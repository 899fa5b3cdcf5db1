/**
 * Reading traffic data (issue 15 item 4) against a real redis-server: the admin API's billing
 * export, a customer's own call history with the caller shown per TRAFFIC_CALLER_DISPLAY, the
 * lawful request (refused without a reason: nothing read, nothing audited), and the CLI's
 * `traffic export` and `traffic lawful-request`. Every read leaves exactly one audit entry: who,
 * which range, why and how many records. Every API answer is checked against the OpenAPI
 * document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { openAdminStores } from '../../src/admin/open-stores.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { readTraffic } from '../../src/records/traffic-read.js';
import type { CallerDisplay } from '../../src/records/traffic-rows.js';
import { type AdminBed, auditEntries, adminBed as bed, TOKENS } from '../helpers/admin-bed.js';
import { cli } from '../helpers/cli-io.js';
import { startRedis } from '../helpers/redis.js';
import { client } from '../helpers/stream-records.js';
import { tempDir } from '../helpers/temp-dir.js';
import { addTraffic as addRecords, trafficRecord } from '../helpers/traffic-records.js';

const STREAM = 'calltrack:{records}:traffic';
const BERLIN = '+493025550101';
const GRAZ = '+4331655501';

/** Berlin: two calls in November (one withheld), one in December; Graz: one in November. */
const RECORDS = [
  trafficRecord('t-1', {
    startedAt: '2026-11-01T09:00:00.000Z',
    endedAt: '2026-11-01T09:02:00.000Z',
  }),
  trafficRecord('t-2', {
    trackingNumber: GRAZ,
    customer: 'autohaus-graz',
    caller: '+436641234567',
    startedAt: '2026-11-02T09:00:00.000Z',
    endedAt: '2026-11-02T09:01:00.000Z',
  }),
  trafficRecord('t-3', {
    caller: '',
    answeredAt: '',
    destination: '',
    billableSeconds: '0',
    outcome: 'no-answer',
    startedAt: '2026-11-30T22:30:00.000Z', // the 30th in Berlin, still November
    endedAt: '2026-11-30T22:31:00.000Z',
  }),
  trafficRecord('t-4', {
    startedAt: '2026-12-03T09:00:00.000Z',
    endedAt: '2026-12-03T09:05:00.000Z',
  }),
];

const addTraffic = (redis: Redis) => addRecords(redis, STREAM, RECORDS);

const CSV_HEAD =
  'id,start,answer,end,tracking_number,customer,caller,destination,billable_seconds,outcome';
const CSV_BERLIN_NOV = [
  CSV_HEAD,
  't-1,2026-11-01T09:00:00.000Z,2026-11-03T10:00:05.000Z,2026-11-01T09:02:00.000Z,+493025550101,autohaus-berlin,+4917612345678,+493012345,60,answered',
  't-3,2026-11-30T22:30:00.000Z,,2026-11-30T22:31:00.000Z,+493025550101,autohaus-berlin,,,0,no-answer',
  '',
].join('\r\n');

async function trafficBed(t: Test, callerDisplay: CallerDisplay = 'masked') {
  const b = await bed(t, true, { callerDisplay });
  await addTraffic(client(t, b.server!.url));
  return b;
}

/** The audit entries of `action` written since `before` entries were there. */
const newEntries = async (b: AdminBed, before: number) => (await auditEntries(b)).slice(before);

t.test(
  'billing: a customer and a period as CSV or JSON, the caller in full, audited',
  async (t) => {
    const b = await trafficBed(t);
    const q = 'customer=autohaus-berlin&from=2026-11-01&to=2026-11-30';
    const csv = await b.api.get(`/v1/traffic?${q}&format=csv`, TOKENS.billing);
    t.equal(csv.status, 200);
    t.match(csv.headers['content-type'], /^text\/csv/);
    t.match(
      csv.headers['content-disposition'],
      'attachment; filename="traffic-autohaus-berlin-2026-11-01-2026-11-30.csv"',
    );
    t.equal(csv.raw.toString(), CSV_BERLIN_NOV, 'exact, the withheld caller empty');
    let entries = await auditEntries(b);
    t.equal(entries.length, 1, 'one entry for the read');
    t.match(entries[0], {
      actor: 'accounts',
      role: 'billing',
      action: 'traffic.export',
      target: 'autohaus-berlin',
      detail: {
        from: '2026-11-01',
        to: '2026-11-30',
        format: 'csv',
        reason: 'billing',
        records: 2,
      },
    });
    t.notMatch(JSON.stringify(entries), /4917612345678/, 'no caller number in the trail');

    const json = await b.api.get(`/v1/traffic?${q}&reason=dispute%20ticket%2042`, TOKENS.admin);
    t.equal(json.status, 200);
    t.same(
      json.body.map((r: { id: string; caller: string | null }) => [r.id, r.caller]),
      [
        ['t-1', '+4917612345678'],
        ['t-3', null],
      ],
    );
    entries = await newEntries(b, 1);
    t.equal(entries.length, 1, 'one more entry: the admin read');
    t.match(entries[0], {
      actor: 'ops-admin',
      role: 'admin',
      action: 'traffic.export',
      detail: { reason: 'dispute ticket 42', records: 2, format: 'json' },
    });
  },
);

t.test('traffic is for billing and admin tokens: the others 403, nothing audited', async (t) => {
  const b = await trafficBed(t);
  const q = '/v1/traffic?customer=autohaus-berlin&from=2026-11-01&to=2026-11-30';
  for (const token of [TOKENS.viewer, TOKENS.editor, TOKENS.berlin]) {
    const r = await b.api.get(q, token);
    t.equal(r.status, 403);
    t.match(r.body.detail, /admin or billing tokens only/);
  }
  for (const path of [
    '/v1/customers',
    '/v1/audit',
    '/v1/customers/autohaus-berlin/calls?from=2026-11-01&to=2026-11-30',
  ]) {
    const r = await b.api.get(path, TOKENS.billing);
    t.equal(r.status, 403, `billing on ${path}`);
    t.equal(r.body.detail, 'a billing token reads traffic data only');
  }
  t.equal((await b.api.get('/v1/openapi.json', TOKENS.billing)).status, 200);
  const bad = await b.api.get(
    '/v1/traffic?customer=autohaus-berlin&from=2026-11-01',
    TOKENS.billing,
  );
  t.equal(bad.status, 400);
  t.same(await auditEntries(b), [], 'refusals read nothing and audit nothing');
});

t.test(
  "a customer's own calls, the caller as each setting shows it, never another's",
  async (t) => {
    const shown = { none: null, masked: '+4917612345xxx', full: '+4917612345678' } as const;
    for (const display of ['none', 'masked', 'full'] as const) {
      const b = await trafficBed(t, display);
      const r = await b.api.get(
        '/v1/customers/autohaus-berlin/traffic?from=2026-11-01&to=2026-11-30',
        TOKENS.berlin,
      );
      t.equal(r.status, 200, display);
      t.same(
        r.body.map((x: { id: string; caller: string | null }) => [x.id, x.caller]),
        [
          ['t-1', shown[display]],
          ['t-3', null],
        ],
        `${display}: the withheld caller stays null`,
      );
      if (display !== 'full') t.notMatch(r.raw.toString(), /4917612345678/, display);
      const csv = await b.api.get(
        '/v1/customers/autohaus-berlin/traffic?from=2026-11-01&to=2026-11-30&format=csv',
        TOKENS.berlin,
      );
      t.equal(csv.raw.toString().split('\r\n')[1]!.split(',')[6], shown[display] ?? '', display);
      const other = await b.api.get(
        '/v1/customers/autohaus-graz/traffic?from=2026-11-01&to=2026-11-30',
        TOKENS.berlin,
      );
      t.equal(other.status, 404, "another customer's calls");
      t.equal(other.body.detail, "no customer 'autohaus-graz'");
      t.notMatch(other.raw.toString(), /436641234567/);
      const viewer = await b.api.get(
        '/v1/customers/autohaus-berlin/traffic?from=2026-11-01&to=2026-11-30',
        TOKENS.viewer,
      );
      t.equal(viewer.status, 403);
      const entries = await auditEntries(b);
      t.equal(entries.length, 2, 'the two reads, not the refused ones');
      t.match(entries[0], {
        actor: 'dealer-berlin',
        role: 'customer:autohaus-berlin',
        action: 'traffic.history',
        target: 'autohaus-berlin',
        detail: {
          from: '2026-11-01',
          to: '2026-11-30',
          reason: "the customer's own calls",
          records: 2,
        },
      });
    }
  },
);

/** XRANGE calls the server has answered, from its command statistics. */
async function xranges(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return Number(/cmdstat_xrange:calls=([0-9]+)/.exec(info)?.[1] ?? 0);
}

t.test('a lawful request: refused without a reason (nothing read, nothing audited)', async (t) => {
  const b = await trafficBed(t);
  const redis = client(t, b.server!.url);
  const body = { number: BERLIN, from: '2026-11-01', to: '2026-11-30T23:59:59Z' };
  const post = (token: string, json: unknown) =>
    b.api.request('/v1/traffic/lawful-requests', { method: 'POST', token, body: json });
  const before = await xranges(redis);
  for (const json of [body, { ...body, reason: 'because' }]) {
    const r = await post(TOKENS.admin, json);
    t.equal(r.status, 422);
    t.same(
      r.body.errors.map((e: { pointer: string }) => e.pointer),
      ['/reason'],
    );
  }
  t.equal((await post(TOKENS.billing, { ...body, reason: 'StA Berlin 1 Js 2/26' })).status, 403);
  t.equal((await post(TOKENS.viewer, { ...body, reason: 'StA Berlin 1 Js 2/26' })).status, 403);
  t.equal(await xranges(redis), before, 'not one XRANGE');
  t.same(await auditEntries(b), [], 'no audit entry');

  const ok = await post(TOKENS.admin, { ...body, reason: 'StA Berlin 1 Js 2/26' });
  t.equal(ok.status, 200);
  t.same(ok.body.number, BERLIN);
  t.same(ok.body.from, '2026-11-01T00:00:00.000Z');
  t.same(
    ok.body.records.map((r: { id: string; caller: string | null }) => [r.id, r.caller]),
    [
      ['t-1', '+4917612345678'],
      ['t-3', null],
    ],
  );
  const entries = await auditEntries(b);
  t.equal(entries.length, 1);
  t.match(entries[0], {
    actor: 'ops-admin',
    role: 'admin',
    action: 'traffic.lawful-request',
    target: BERLIN,
    detail: {
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-30T23:59:59.000Z',
      reason: 'StA Berlin 1 Js 2/26',
      records: 2,
    },
  });
});

t.test('traffic records off: every traffic route says so', async (t) => {
  const b = await bed(t);
  const r = await b.api.get(
    '/v1/traffic?customer=autohaus-berlin&from=2026-11-01&to=2026-11-30',
    TOKENS.billing,
  );
  t.equal(r.status, 404);
  t.match(r.body.detail, /TRAFFIC_RECORDS is off/);
});

t.test('calltrack traffic export: exact CSV and JSON, to a file, audited', async (t) => {
  const server = await startRedis(t);
  const redis = client(t, server.url);
  await addTraffic(redis);
  const env = { REDIS_URL: server.url };
  const period = ['--customer', 'autohaus-berlin', '--from', '2026-11-01', '--to', '2026-11-30'];
  const csv = await cli(
    ['traffic', 'export', ...period, '--format', 'csv', '--operator', 'anna'],
    undefined,
    env,
  );
  t.equal(csv.code, 0, csv.err.join('\n'));
  t.equal(`${csv.out.join('\n')}\n`, CSV_BERLIN_NOV);
  const file = join(tempDir('calltrack-traffic-'), 'berlin.json');
  const json = await cli(
    [
      'traffic',
      'export',
      ...period,
      '--format',
      'json',
      '--out',
      file,
      '--reason',
      'invoice 11/2026',
    ],
    undefined,
    env,
  );
  t.equal(json.code, 0, json.err.join('\n'));
  t.same(JSON.parse(readFileSync(file, 'utf8')), [
    {
      id: 't-1',
      start: '2026-11-01T09:00:00.000Z',
      answer: '2026-11-03T10:00:05.000Z',
      end: '2026-11-01T09:02:00.000Z',
      tracking_number: BERLIN,
      customer: 'autohaus-berlin',
      caller: '+4917612345678',
      destination: '+493012345',
      billable_seconds: 60,
      outcome: 'answered',
    },
    {
      id: 't-3',
      start: '2026-11-30T22:30:00.000Z',
      answer: null,
      end: '2026-11-30T22:31:00.000Z',
      tracking_number: BERLIN,
      customer: 'autohaus-berlin',
      caller: null,
      destination: null,
      billable_seconds: 0,
      outcome: 'no-answer',
    },
  ]);
  const audit = await redis.xrange('calltrack:audit', '-', '+');
  t.equal(audit.length, 2, 'one entry per export');
  const fields = audit.map(([, f]) =>
    Object.fromEntries(f.flatMap((v, i) => (i % 2 ? [] : [[v, f[i + 1]]]))),
  );
  t.match(fields[0], {
    actor: 'anna',
    role: 'cli',
    action: 'traffic.export',
    target: 'autohaus-berlin',
  });
  t.same(JSON.parse(fields[0]!.detail!), {
    from: '2026-11-01',
    to: '2026-11-30',
    format: 'csv',
    reason: 'billing',
    records: 2,
  });
  t.match(JSON.parse(fields[1]!.detail!), {
    reason: 'invoice 11/2026',
    records: 2,
    format: 'json',
  });
  t.ok(fields[1]!.actor, 'the OS user without --operator');
});

t.test('calltrack traffic lawful-request: the reason required; bad dates exit 2', async (t) => {
  const server = await startRedis(t);
  const redis = client(t, server.url);
  await addTraffic(redis);
  const env = { REDIS_URL: server.url };
  const window = ['--number', GRAZ, '--from', '2026-11-01', '--to', '2026-11-30T23:59:59+01:00'];
  const none = await cli(['traffic', 'lawful-request', ...window], undefined, env);
  t.equal(none.code, 2);
  t.match(none.err.join('\n'), /a lawful request needs --reason .*nothing was read/);
  const ok = await cli(
    [
      'traffic',
      'lawful-request',
      ...window,
      '--reason',
      'LG Graz 12 Cg 3/26',
      '--operator',
      'anna',
    ],
    undefined,
    env,
  );
  t.equal(ok.code, 0, ok.err.join('\n'));
  t.same(
    JSON.parse(ok.out.join('\n')).map((r: { id: string; caller: string }) => [r.id, r.caller]),
    [['t-2', '+436641234567']],
  );
  const audit = await redis.xrange('calltrack:audit', '-', '+');
  t.equal(audit.length, 1, 'the refused request audited nothing');
  t.match(audit[0]![1].join(' '), /traffic\.lawful-request \S* ?target \+4331655501/);
  t.match(audit[0]![1].join(' '), /LG Graz 12 Cg 3\/26/);
  for (const [argv, message] of [
    [
      [
        'traffic',
        'export',
        '--customer',
        'a',
        '--from',
        '2026-13-01',
        '--to',
        '2026-11-30',
        '--format',
        'csv',
      ],
      /--from '2026-13-01' is not a date/,
    ],
    [
      [
        'traffic',
        'export',
        '--customer',
        'a',
        '--from',
        '2026-11-30',
        '--to',
        '2026-11-01',
        '--format',
        'csv',
      ],
      /is after --to/,
    ],
    [
      [
        'traffic',
        'lawful-request',
        '--number',
        GRAZ,
        '--from',
        'yesterday',
        '--to',
        '2026-11-30',
        '--reason',
        'LG Graz 12 Cg 3/26',
      ],
      /--from 'yesterday' is not a date/,
    ],
    [
      [
        'traffic',
        'lawful-request',
        '--number',
        '0316 55501',
        '--from',
        '2026-11-01',
        '--to',
        '2026-11-30',
        '--reason',
        'LG Graz 12 Cg 3/26',
      ],
      /not E\.164/,
    ],
    [['traffic', 'purge'], /unknown traffic action 'purge'/],
  ] as const) {
    const r = await cli([...argv], undefined, env);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.err.join('\n'), message);
  }
  t.equal((await redis.xrange('calltrack:audit', '-', '+')).length, 1, 'nothing more audited');
});

/** The stores' connections queue nothing while connecting: wait until one is up. */
const ready = (redis: { status: string; once(e: string, f: () => void): unknown }) =>
  redis.status === 'ready' ? undefined : new Promise<void>((r) => redis.once('ready', r));

t.test('the admin API reads traffic on BILLING_REDIS_URL, not on REDIS_URL', async (t) => {
  const gateway = await startRedis(t);
  const billing = await startRedis(t);
  // the record only where the billing connection can see it
  await addTraffic(client(t, billing.url));
  const env = {
    RECORD_SINK: 'redis',
    REDIS_URL: gateway.url,
    TRAFFIC_RECORDS: 'on',
    BILLING_REDIS_URL: billing.url,
    TRAFFIC_CALLER_DISPLAY: 'none',
  };
  const stores = openAdminStores(loadConfig(env), createLogger('silent'));
  t.teardown(() => stores.close());
  t.ok(stores.traffic, 'TRAFFIC_RECORDS=on: traffic readable');
  const { redis, stream, callerDisplay } = stores.traffic!;
  t.equal(stream, STREAM);
  t.equal(callerDisplay, 'none');
  const selection = {
    kind: 'customer',
    customer: 'autohaus-berlin',
    from: '2026-11-01',
    to: '2026-11-30',
  } as const;
  await ready(redis);
  t.same(
    (await readTraffic(redis, stream, selection)).map((r) => r.id),
    ['t-1', 't-3'],
  );
  const off = openAdminStores(
    loadConfig({ ...env, TRAFFIC_RECORDS: 'off' }),
    createLogger('silent'),
  );
  t.teardown(() => off.close());
  t.equal(off.traffic, undefined, 'TRAFFIC_RECORDS=off: none');
  const same = openAdminStores(
    loadConfig({ ...env, BILLING_REDIS_URL: '' }),
    createLogger('silent'),
  );
  t.teardown(() => same.close());
  await ready(same.traffic!.redis);
  t.same(await readTraffic(same.traffic!.redis, STREAM, selection), [], 'empty: REDIS_URL');
});
