/**
 * The audit trail and the downloads of the admin API over real HTTP against a real redis-server:
 * the stream sink (retention, paging, the log, no caller data), GET /v1/audit for every role,
 * call history and recordings for every role — a customer token reaching for another customer's
 * recording gets the 404 of one that does not exist — path and query injection, and what happens
 * while Redis is down or absent. Every answer is checked against the OpenAPI document.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { createAdminServer } from '../../src/admin/api.js';
import { logOnlyAudit } from '../../src/admin/audit.js';
import { AuditRefused } from '../../src/admin/audit-entry.js';
import { RedisAudit } from '../../src/admin/audit-redis.js';
import { sha256Hex, TokenSet } from '../../src/admin/tokens.js';
import { loadDialplans } from '../../src/dialplan/load.js';
import { buildTable } from '../../src/dialplan/table.js';
import { createLogger } from '../../src/observability/logger.js';
import { adminClient, rawRequest } from '../helpers/admin-client.js';
import { ACTIVE, CUSTOMERS, numberEntry, numbersFile } from '../helpers/dialplan-texts.js';
import { startRedis } from '../helpers/redis.js';
import { addRecords, client, streamRecord } from '../helpers/stream-records.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKENS = {
  admin: 'tok-admin-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  editor: 'tok-editor-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  viewer: 'tok-viewer-ccccccccccccccccccccccccccccccccccc',
  berlin: 'tok-berlin-ddddddddddddddddddddddddddddddddddd',
};
const tokens = new TokenSet([
  { name: 'ops-admin', role: 'admin', sha256: sha256Hex(TOKENS.admin) },
  { name: 'ops-editor', role: 'editor', sha256: sha256Hex(TOKENS.editor) },
  { name: 'ops-viewer', role: 'viewer', sha256: sha256Hex(TOKENS.viewer) },
  { name: 'dealer-berlin', role: 'customer:autohaus-berlin', sha256: sha256Hex(TOKENS.berlin) },
]);

const NOW = new Date('2026-11-22T10:00:00Z');
function table() {
  const numbers = numbersFile('numbers.yaml', [
    numberEntry('+493025550101', ACTIVE),
    numberEntry(
      '+4331655501',
      ['status: active', 'destinations: [{ to: "+4331699001234", ringTimeout: 20 }]'],
      'autohaus-graz',
    ),
  ]);
  const r = loadDialplans([CUSTOMERS, numbers], { now: NOW });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return buildTable(r.set.decisions, r.set.summary, r.set.index, 'DE', NOW);
}

// recordings: Berlin's, Graz's (noted in the sidecar), Graz's by an old sidecar (found through
// the table), and one without a sidecar
const REC = {
  berlin: '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0001',
  graz: '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0002',
  grazOld: '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0003',
  orphan: '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0004',
  none: '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0009',
};
const WAV = Buffer.concat([
  Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'),
  Buffer.alloc(4000, 7),
]);

function recordings(): string {
  const dir = tempDir('calltrack-admin-rec-');
  const sidecar = (id: string, trackingNumber: string, customer?: string) =>
    writeFileSync(
      join(dir, `${id}.json`),
      JSON.stringify({
        recordId: id,
        trackingNumber,
        ...(customer && { customer }),
        retentionDays: 30,
        startedAt: NOW.toISOString(),
      }),
    );
  for (const id of Object.values(REC).slice(0, 4)) writeFileSync(join(dir, `${id}.wav`), WAV);
  sidecar(REC.berlin, '+493025550101', 'autohaus-berlin');
  sidecar(REC.graz, '+4331655501', 'autohaus-graz');
  sidecar(REC.grazOld, '+4331655501');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'secret.txt'), 'not a recording');
  return dir;
}

type Bed = Awaited<ReturnType<typeof bed>>;

async function bed(t: Test, withRedis = true) {
  let logs = '';
  const logger = createLogger('info', {
    write: (s: string) => {
      logs += s;
    },
  });
  const server = withRedis ? await startRedis(t) : undefined;
  const redis = server
    ? new Redis(server.url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 1000,
        retryStrategy: () => 200,
      })
    : undefined;
  redis?.on('error', () => undefined);
  t.teardown(() => redis?.disconnect());
  if (redis) await new Promise((r) => redis.once('ready', r));
  const audit =
    redis &&
    new RedisAudit({
      redis,
      stream: 'calltrack:audit',
      retentionDays: 30,
      log: logger,
      now: Date.now,
    });
  const dir = recordings();
  const app = createAdminServer({
    table: () => table(),
    tokens: () => tokens,
    logger,
    audit: audit ?? logOnlyAudit(logger),
    ...(audit && { auditReader: audit }),
    downloads: {
      recordingsDir: dir,
      ...(redis && { history: { redis, stream: 'calltrack:calls' } }),
    },
    now: () => performance.now(),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const port = (app.server.address() as { port: number }).port;
  return { api: adminClient({ port }), port, server, redis, audit, logs: () => logs, dir };
}

const auditEntries = async (b: Bed) =>
  (await b.api.get('/v1/audit?limit=1000', TOKENS.admin)).body.entries as Record<string, unknown>[];

t.test('the stream sink: every entry in Redis and in the log, trimmed by age', async (t) => {
  const b = await bed(t);
  const redis = b.redis!;
  // one entry per stream node: MINID ~ trims whole nodes, so small streams trim exactly
  await redis.config('SET', 'stream-node-max-entries', '1');
  const sink = new RedisAudit({
    redis,
    stream: 'trail',
    retentionDays: 2,
    log: createLogger('silent'),
    now: Date.now,
  });
  const entry = {
    actor: 'ops-admin',
    role: 'admin',
    action: 'number.update',
    target: '+493025550101',
  };
  // two entries of three days ago (stream ids are times), then two of now
  const old = Date.now() - 3 * 86_400_000;
  for (const seq of [0, 1])
    await redis.xadd(
      'trail',
      `${old}-${seq}`,
      'actor',
      'x',
      'role',
      'admin',
      'action',
      'old.one',
      'target',
      'x',
    );
  await sink.append({
    ...entry,
    before: { source: 'a' },
    after: { source: 'b' },
    versionBefore: 'v1',
    versionAfter: 'v2',
  });
  await sink.append({ ...entry, action: 'number.deactivate' });
  t.equal(await redis.xlen('trail'), 2, 'entries older than 2 days are gone');
  const page = await sink.page({ limit: 10 });
  t.same(
    page.entries.map((e) => e.action),
    ['number.update', 'number.deactivate'],
  );
  t.match(page.entries[0], {
    ...entry,
    before: { source: 'a' },
    after: { source: 'b' },
    versionBefore: 'v1',
    versionAfter: 'v2',
    id: /^[0-9]+-[0-9]+$/,
    at: String,
  });
  t.ok(Math.abs(Date.parse(page.entries[0]!.at) - Date.now()) < 60_000, 'at: when it was appended');
  t.equal(page.next, undefined, 'one page');
  await b.audit!.append({ ...entry, action: 'customer.create', target: 'autohaus-neu' });
  t.match(b.logs(), /"msg":"audit: customer.create autohaus-neu by ops-admin"/);
});

t.test('caller data never enters the trail: refused, not stored, not logged', async (t) => {
  const b = await bed(t);
  const before = await b.redis!.xlen('calltrack:audit');
  const base = {
    actor: 'ops-admin',
    role: 'admin',
    action: 'history.download',
    target: 'autohaus-berlin',
  };
  for (const bad of [
    { ...base, detail: { callerNumber: '+4917612345678' } },
    { ...base, after: { calls: [{ caller_pseudonym: 'p-1' }] } },
    { ...base, detail: { rows: [{ 'P-Asserted-Identity': 'sip:+4917612345678@x' }] } },
    { ...base, caller: '+4917612345678' } as never,
  ]) {
    await t.rejects(b.audit!.append(bad), AuditRefused);
    await t.rejects(logOnlyAudit(createLogger('silent')).append(bad), AuditRefused, 'log-only too');
  }
  t.equal(await b.redis!.xlen('calltrack:audit'), before, 'nothing stored');
  t.notMatch(b.logs(), /17612345678|p-1/, 'nothing logged');
});

t.test('GET /v1/audit: admins page through it, others may not', async (t) => {
  const b = await bed(t);
  for (let i = 0; i < 5; i++)
    await b.audit!.append({
      actor: 'ops-admin',
      role: 'admin',
      action: 'number.update',
      target: `+49302555010${i}`,
    });
  const first = await b.api.get('/v1/audit?limit=2', TOKENS.admin);
  t.equal(first.status, 200);
  t.equal(first.body.entries.length, 2);
  const second = await b.api.get(`/v1/audit?limit=2&after=${first.body.next}`, TOKENS.admin);
  const third = await b.api.get(`/v1/audit?limit=2&after=${second.body.next}`, TOKENS.admin);
  t.equal(third.body.next, undefined, 'the last page');
  t.same(
    [...first.body.entries, ...second.body.entries, ...third.body.entries].map(
      (e: { target: string }) => e.target,
    ),
    ['+493025550100', '+493025550101', '+493025550102', '+493025550103', '+493025550104'],
    'every entry once, oldest first',
  );
  t.same((await b.api.get('/v1/audit?from=2030-01-01', TOKENS.admin)).body.entries, []);
  t.equal((await b.api.get('/v1/audit?to=2000-01-01', TOKENS.admin)).body.entries.length, 0);
  t.equal(
    (await b.api.get(`/v1/audit?from=${new Date(Date.now() - 60_000).toISOString()}`, TOKENS.admin))
      .body.entries.length,
    5,
  );
  for (const role of ['editor', 'viewer'] as const)
    t.equal((await b.api.get('/v1/audit', TOKENS[role])).status, 403, role);
  const customer = await b.api.get('/v1/audit', TOKENS.berlin);
  t.equal(customer.status, 404, 'a customer token is told nothing is there');
  for (const q of [
    'limit=0',
    'after=..%2Fx',
    'from=yesterday',
    'to=2026-13-01',
    'from=2026-02-01&to=2026-01-01',
    'sort=id',
    'limit=1&limit=2',
  ])
    t.equal((await b.api.get(`/v1/audit?${q}`, TOKENS.admin)).status, 400, q);
});

t.test(
  'call history: own customer for a customer token, any for staff, every download audited',
  async (t) => {
    const b = await bed(t);
    const rec = (customer: string, day: string) =>
      streamRecord({
        customer,
        startedAt: `${day}T10:00:00.000Z`,
        answeredAt: `${day}T10:00:01.000Z`,
        endedAt: `${day}T10:01:00.000Z`,
        callerPseudonym: 'pseudo-secret',
      });
    await addRecords(client(t, b.server!.url), 'calltrack:calls', [
      rec('autohaus-berlin', '2026-11-01'),
      rec('autohaus-graz', '2026-11-02'),
      rec('autohaus-berlin', '2026-11-03'),
      rec('autohaus-berlin', '2026-12-03'),
    ]);
    const path = (id: string, q = 'from=2026-11-01&to=2026-11-30') =>
      `/v1/customers/${id}/calls?${q}`;
    for (const token of [TOKENS.admin, TOKENS.editor, TOKENS.viewer, TOKENS.berlin]) {
      const r = await b.api.get(path('autohaus-berlin'), token);
      t.equal(r.status, 200);
      t.match(r.headers['content-type'], /^application\/json/);
      t.same(
        r.body.map((x: { start: string }) => x.start),
        ['2026-11-01T10:00:00.000Z', '2026-11-03T10:00:00.000Z'],
      );
      t.notMatch(r.raw.toString(), /pseudo-secret/, 'anonymised: no pseudonym');
    }
    const csv = await b.api.get(
      path('autohaus-graz', 'from=2026-11-01&to=2026-11-30&format=csv'),
      TOKENS.viewer,
    );
    t.match(csv.headers['content-type'], /^text\/csv/);
    t.match(
      csv.headers['content-disposition'],
      /attachment; filename="calls-autohaus-graz-2026-11-01-2026-11-30.csv"/,
    );
    t.equal(csv.body.trim().split('\n').length, 2, 'header and one call');
    const other = await b.api.get(path('autohaus-graz'), TOKENS.berlin);
    const unknown = await b.api.get(
      path('autohaus-berlin', 'from=2026-11-01&to=2026-11-30'),
      TOKENS.admin,
    );
    t.equal(other.status, 404, "another customer's history");
    t.equal(other.body.detail, "no customer 'autohaus-graz'");
    t.equal(unknown.status, 200);
    const audited = (await auditEntries(b)).filter((e) => e.action === 'history.download');
    t.equal(audited.length, 6, 'one entry per download, none for the refused one');
    t.match(audited[3], {
      actor: 'dealer-berlin',
      role: 'customer:autohaus-berlin',
      target: 'autohaus-berlin',
      detail: { from: '2026-11-01', to: '2026-11-30', format: 'json' },
    });
    t.notMatch(JSON.stringify(audited), /pseudo|caller/);
    for (const [p, detail] of [
      [path('..%2F..%2Fetc'), /not a customer id/],
      [path('%2e%2e'), /not a customer id/],
      [path('autohaus-berlin', 'from=2026-11-01'), /'to' is required/],
      [path('autohaus-berlin', 'from=2026-11-01&to=2026-11-31'), /'to'/],
      [path('autohaus-berlin', 'from=2026-12-01&to=2026-11-01'), /after/],
      [path('autohaus-berlin', 'from=2020-01-01&to=2026-11-01'), /at most 400/],
      [path('autohaus-berlin', 'from=2026-11-01&to=2026-11-30&format=xml'), /csv or json/],
      [
        path('autohaus-berlin', 'from=2026-11-01&to=2026-11-30&customer=x'),
        /unknown query parameter/,
      ],
    ] as const) {
      const r = await b.api.get(p, TOKENS.admin);
      t.equal(r.status, 400, p);
      t.match(r.body.detail, detail);
    }
    t.equal(
      (await auditEntries(b)).filter((e) => e.action === 'history.download').length,
      6,
      'bad requests audit nothing',
    );
  },
);

t.test(
  "recordings: a customer's own only; another's is the 404 of one that does not exist",
  async (t) => {
    const b = await bed(t);
    for (const token of [TOKENS.admin, TOKENS.editor, TOKENS.viewer, TOKENS.berlin]) {
      const r = await b.api.get(`/v1/recordings/${REC.berlin}`, token);
      t.equal(r.status, 200);
      t.equal(r.headers['content-type'], 'audio/wav');
      t.equal(r.headers['content-length'], String(WAV.length));
      t.ok(r.raw.equals(WAV), 'the file, byte for byte');
    }
    for (const id of [REC.graz, REC.grazOld, REC.orphan])
      t.equal(
        (await b.api.get(`/v1/recordings/${id}`, TOKENS.admin)).status,
        200,
        `staff read ${id}`,
      );
    const missing = await b.api.get(`/v1/recordings/${REC.none}`, TOKENS.berlin);
    t.equal(missing.status, 404);
    for (const id of [REC.graz, REC.grazOld, REC.orphan]) {
      const r = await b.api.get(`/v1/recordings/${id}`, TOKENS.berlin);
      t.equal(r.status, 404, `not Berlin's: ${id}`);
      t.same(
        r.body,
        { ...missing.body, detail: `no recording '${id}'` },
        'worded as one that does not exist',
      );
      t.equal(r.raw.includes(WAV.subarray(40, 80)), false, 'no audio');
    }
    t.equal((await b.api.get(`/v1/recordings/${REC.none}`, TOKENS.admin)).status, 404);
    for (const p of [
      '..',
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e%2fsecret.txt',
      '%2Fetc%2Fpasswd',
      'secret.txt',
      'sub',
      `${REC.berlin}.json`,
      `${REC.berlin.toUpperCase()}`,
      `${REC.berlin}%00`,
    ])
      t.equal((await b.api.get(`/v1/recordings/${p}`, TOKENS.admin)).status, 400, p);
    const outside = await b.api.undocumented('/v1/recordings/../customers/x', {
      token: TOKENS.admin,
    });
    t.equal(outside.status, 404, 'a dot segment is not resolved into another route');
    const audited = (await auditEntries(b)).filter((e) => e.action === 'recording.download');
    t.equal(audited.length, 7, 'one entry per recording sent, none for refusals');
    t.match(audited[3], {
      actor: 'dealer-berlin',
      target: REC.berlin,
      detail: { customer: 'autohaus-berlin' },
    });
    t.match(audited[5], { target: REC.grazOld, detail: { customer: 'autohaus-graz' } });
    t.notOk(audited[6]?.detail, 'no owner known: none named');
    const head = await rawRequest({ port: b.port }, `/v1/recordings/${REC.berlin}`, {
      method: 'HEAD',
      token: TOKENS.berlin,
    });
    t.equal(head.status, 200);
    t.equal(head.headers['content-length'], String(WAV.length), 'HEAD tells the size');
    t.equal(head.raw.length, 0, 'and sends nothing');
    t.equal(
      (await auditEntries(b)).filter((e) => e.action === 'recording.download').length,
      7,
      'a HEAD is not a download',
    );
  },
);

t.test('while Redis is down: 503 problems, and no recording leaves unaudited', async (t) => {
  const b = await bed(t);
  await b.server!.stop();
  t.teardown(() => b.server!.start());
  const history = await b.api.get(
    '/v1/customers/autohaus-berlin/calls?from=2026-11-01&to=2026-11-30',
    TOKENS.admin,
  );
  t.equal(history.status, 503);
  t.equal((await b.api.get('/v1/audit', TOKENS.admin)).status, 503);
  const rec = await b.api.get(`/v1/recordings/${REC.berlin}`, TOKENS.berlin);
  t.equal(rec.status, 503, 'the audit trail cannot take it: no download');
  t.match(rec.body.detail, /audit trail is not available/);
  t.match(b.logs(), /audit: recording.download/, 'the log has the attempt');
});

t.test('without Redis: the trail is the log, history and GET /v1/audit are 503', async (t) => {
  const b = await bed(t, false);
  t.equal((await b.api.get('/v1/audit', TOKENS.admin)).status, 503);
  t.equal(
    (
      await b.api.get(
        '/v1/customers/autohaus-berlin/calls?from=2026-11-01&to=2026-11-30',
        TOKENS.berlin,
      )
    ).status,
    503,
  );
  t.equal((await b.api.get(`/v1/recordings/${REC.berlin}`, TOKENS.berlin)).status, 200);
  t.match(
    b.logs(),
    /"action":"recording.download","target":"0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0001"/,
  );
  t.match(b.logs(), /"actor":"dealer-berlin"/);
  t.match(b.logs(), /"recordId":"0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0001"/, 'the id whole, for grep');
});
