/**
 * The audit trail of the admin API against a real redis-server: the stream sink (retention, the
 * log, entries back as written), the refusal of caller data, and GET /v1/audit for every role
 * with its paging and bad queries. Every answer is checked against the OpenAPI document.
 */
import t from 'tap';
import { logOnlyAudit } from '../../src/admin/audit.js';
import { AuditRefused } from '../../src/admin/audit-entry.js';
import { RedisAudit } from '../../src/admin/audit-redis.js';
import { createLogger } from '../../src/observability/logger.js';
import { adminBed as bed, TOKENS } from '../helpers/admin-bed.js';

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
