/**
 * The shipped ACL file (config/redis/users.acl) in a real redis-server: nobody gets in without a
 * user; each user may run what its component runs and gets NOPERM for the rest (above all: only
 * billing reads the traffic stream, only admin administers); and the project's own code works
 * with each user's REDIS_URL: the record writer, the admin API's stores, the audit trail and
 * dialplan distribution as `gateway`, the analytics consumer and the CLI's report, export and
 * last calls as `analytics`, the audit of a traffic read as `billing`.
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { RedisAudit } from '../../src/admin/audit-redis.js';
import { SnapshotCache } from '../../src/dialplan/distribution/cache.js';
import { followingReloader } from '../../src/dialplan/distribution/follower.js';
import { dialplanKeys } from '../../src/dialplan/distribution/keys.js';
import { SnapshotPublisher } from '../../src/dialplan/distribution/publisher.js';
import {
  commandClient,
  connected,
  subscriberClient,
} from '../../src/dialplan/distribution/redis.js';
import { SnapshotStore } from '../../src/dialplan/distribution/store.js';
import { loadDialplanDir } from '../../src/dialplan/load.js';
import { Reloader } from '../../src/dialplan/reloader.js';
import { createLogger } from '../../src/observability/logger.js';
import { AnalyticsConsumer } from '../../src/records/analytics.js';
import { exportPages } from '../../src/records/export.js';
import { readLastCalls } from '../../src/records/last-calls.js';
import { readReport } from '../../src/records/report.js';
import type { AclUser } from '../../src/redis-acl/users.js';
import { cli } from '../helpers/cli-io.js';
import { callRecord, writerBed } from '../helpers/records.js';
import { type AclRedis, startAclRedis } from '../helpers/redis-acl.js';
import { copyDialplans } from '../helpers/temp-dialplans.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const CALLS = 'calltrack:{records}:calls';
const TRAFFIC = 'calltrack:{records}:traffic';
const MARKS = 'calltrack:{records}:calls:writer-seq';
const AUDIT = 'calltrack:audit';
const DAY_KEY = 'calltrack:{analytics}:calls:autohaus-berlin:2026-11-22';
const LAST_CALL = 'calltrack:{analytics}:last-call';
const SEEN = 'calltrack:{analytics}:seen:rec-1';
const dialplan = dialplanKeys();
const logger = createLogger('silent');
/** Records of today: the writer's stream ids are now, and an export reads its days' ids only. */
const TODAY = new Date().toISOString().slice(0, 10);
const START = `${TODAY}T08:00:00.000Z`;
const record = (outcome: 'answered' | 'busy') =>
  callRecord(outcome, {
    startedAt: START,
    endedAt: `${TODAY}T08:01:05.000Z`,
    ...(outcome === 'answered' && { answeredAt: `${TODAY}T08:00:05.000Z` }),
  });
const NOW = new Date().toISOString();
const PERIOD = ['--customer', 'autohaus-berlin', '--from', TODAY, '--to', TODAY];

/**
 * The shape of the traffic writer's script: every key in KEYS (call stream, marks, traffic
 * stream), the mark read and moved, one entry on each stream.
 */
const APPEND_BOTH = `
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if tonumber(ARGV[2]) <= last then return 0 end
redis.call('XADD', KEYS[1], '*', 'id', ARGV[3])
redis.call('XADD', KEYS[3], '*', 'id', ARGV[3], 'caller', ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`;
const READ_TRAFFIC = `return redis.call('XRANGE', KEYS[1], '-', '+')`;
/** The same without declaring the key: EVAL itself then names no key at all. */
const READ_TRAFFIC_UNDECLARED = `return redis.call('XRANGE', 'calltrack:{records}:traffic', '-', '+')`;

type Call = readonly (string | number)[];

/** A user's connection through its REDIS_URL, ioredis as the components use it. */
function userClient(t: Test, server: AclRedis, user: AclUser): Redis {
  const redis = new Redis(server.urlOf(user), { maxRetriesPerRequest: 0 });
  t.teardown(() => redis.disconnect());
  return redis;
}

async function run(redis: Redis, [command, ...args]: Call): Promise<unknown> {
  return redis.call(String(command), ...args);
}

async function allowed(t: Test, redis: Redis, calls: readonly Call[]): Promise<void> {
  for (const c of calls) {
    const got = await run(redis, c).then(
      () => 'ok',
      (err: Error) => err.message,
    );
    t.equal(got, 'ok', `allowed: ${c.join(' ')}`);
  }
}

/** NOPERM, or Redis's words for a script that ran a command its user may not. */
async function refused(t: Test, redis: Redis, calls: readonly Call[]): Promise<void> {
  for (const c of calls) {
    const got = await run(redis, c).then(
      () => 'ran',
      (err: Error) => err.message,
    );
    t.match(got, /^NOPERM|user executing the script can't (run|access)/, `refused: ${c.join(' ')}`);
  }
}

/** ioredis warns through console.warn when its ready check (INFO) is refused: none may. */
function captureWarnings(t: Test): string[] {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
  t.teardown(() => {
    console.warn = warn;
  });
  return warnings;
}

const ADMINISTRATION: Call[] = [
  ['FLUSHALL'],
  ['FLUSHDB'],
  ['CONFIG', 'GET', '*'],
  ['CONFIG', 'SET', 'appendonly', 'no'],
  ['KEYS', '*'],
  ['SCAN', '0'],
  ['ACL', 'LIST'],
  ['ACL', 'SETUSER', 'intruder', 'on', '>x', '~*', '+@all'],
  ['SHUTDOWN', 'NOSAVE'],
  ['BGREWRITEAOF'],
  ['MONITOR'],
  ['CLIENT', 'LIST'],
  ['MIGRATE', '127.0.0.1', '1', CALLS, '0', '1'],
];

t.test('nobody without a user: default is off, a wrong password refused', async (t) => {
  const server = await startAclRedis(t);
  const anonymous = new Redis(server.url, { lazyConnect: true, enableReadyCheck: false });
  anonymous.on('error', () => undefined);
  t.teardown(() => anonymous.disconnect());
  await anonymous.connect();
  await t.rejects(anonymous.call('PING'), /NOAUTH/);
  await t.rejects(anonymous.call('XRANGE', TRAFFIC, '-', '+'), /NOAUTH/);
  await t.rejects(anonymous.call('AUTH', 'default', ''), /WRONGPASS/);
  await t.rejects(anonymous.call('AUTH', 'gateway', 'changeMeRedisBilling'), /WRONGPASS/);
  await t.rejects(anonymous.call('AUTH', 'nobody', 'changeMeRedisGateway'), /WRONGPASS/);
});

t.test('gateway: appends to both streams and its own keys, reads nothing back', async (t) => {
  const server = await startAclRedis(t);
  const warnings = captureWarnings(t);
  const gw = userClient(t, server, 'gateway');
  await allowed(t, gw, [
    ['PING'],
    ['INFO', 'server'],
    ['XADD', CALLS, '*', 'id', 'rec-1'],
    ['XADD', TRAFFIC, '*', 'id', 'rec-1', 'caller', '+4917655501234'],
    ['XTRIM', CALLS, 'MINID', '~', '0'],
    ['XTRIM', CALLS, 'MAXLEN', '~', '1000'],
    ['XTRIM', TRAFFIC, 'MINID', '~', '0'],
    ['XTRIM', TRAFFIC, 'MAXLEN', '~', '1000'],
    ['HSET', MARKS, 'gw-1', '1'],
    ['HGET', MARKS, 'gw-1'],
    ['EVAL', APPEND_BOTH, '3', CALLS, MARKS, TRAFFIC, 'gw-1', '2', 'rec-2', '+4930555'],
    ['SET', dialplan.blob('abc'), 'bytes'],
    ['EXISTS', dialplan.blob('abc')],
    ['MGET', dialplan.blob('abc')],
    ['LPUSH', dialplan.history, 'v1'],
    ['LRANGE', dialplan.history, '0', '-1'],
    ['GET', dialplan.current],
    ['DEL', dialplan.blob('abc')],
    ['PUBLISH', dialplan.channel, 'v1'],
  ]);
  t.equal(await gw.hget(MARKS, 'gw-1'), '2', 'the script moved the mark');

  // the append through ioredis as the writers run scripts: EVALSHA, EVAL on NOSCRIPT
  const withScript = gw as Redis & { appendBoth(...a: string[]): Promise<number> };
  gw.defineCommand('appendBoth', { numberOfKeys: 3, lua: APPEND_BOTH });
  t.equal(await withScript.appendBoth(CALLS, MARKS, TRAFFIC, 'gw-1', '3', 'rec-3', '+4930'), 1);

  await refused(t, gw, [
    // every batch goes through the append script: no transactions, no undoing by hand
    ['MULTI'],
    ['HDEL', MARKS, 'gw-1'],
    ['XDEL', TRAFFIC, '1-1'],
    // it reads back nothing it writes: the admin API in its process reads as admin-api
    ['XRANGE', CALLS, '-', '+'],
    ['XREVRANGE', CALLS, '+', '-', 'COUNT', '1'],
    ['XADD', AUDIT, 'MINID', '~', '0', '*', 'actor', 'ops'],
    ['XRANGE', AUDIT, '-', '+'],
    ['HGETALL', DAY_KEY],
    ['HSCAN', LAST_CALL, '0'],
    ['XRANGE', TRAFFIC, '-', '+'],
    ['XREVRANGE', TRAFFIC, '+', '-'],
    ['XREAD', 'STREAMS', TRAFFIC, '0'],
    ['XLEN', TRAFFIC],
    ['XINFO', 'STREAM', TRAFFIC],
    ['DUMP', TRAFFIC],
    ['DEL', TRAFFIC],
    ['DEL', CALLS],
    ['SET', CALLS, 'x'],
    ['RENAME', TRAFFIC, 'mine'],
    ['EVAL', READ_TRAFFIC, '1', TRAFFIC],
    ['EVAL', READ_TRAFFIC_UNDECLARED, '0'],
    ['XREADGROUP', 'GROUP', 'analytics', 'gw', 'STREAMS', CALLS, '>'],
    ['GET', SEEN],
    ['HINCRBY', DAY_KEY, 'answered:x', '1'],
    ['HSET', LAST_CALL, '+4930', '1'],
    ['DEL', DAY_KEY],
    ['SET', 'calltrack:other', 'x'],
    ['PUBLISH', 'calltrack:other', 'x'],
    ['FUNCTION', 'LIST'],
    ...ADMINISTRATION,
  ]);
  t.same(warnings, [], 'ioredis connected without a warning');
});

t.test('admin-api: reads the call stream and the counts, keeps the audit trail', async (t) => {
  const server = await startAclRedis(t);
  const api = userClient(t, server, 'admin-api');
  await userClient(t, server, 'gateway').call('XADD', CALLS, '*', 'id', 'rec-1');
  await userClient(t, server, 'gateway').call('XADD', TRAFFIC, '*', 'id', 'rec-1');
  await allowed(t, api, [
    ['PING'],
    ['INFO', 'server'],
    ['XRANGE', CALLS, '-', '+'],
    ['XREVRANGE', CALLS, '+', '-', 'COUNT', '1'],
    ['XADD', AUDIT, 'MINID', '~', '0', '*', 'actor', 'ops'],
    ['XRANGE', AUDIT, '-', '+'],
    ['XREVRANGE', AUDIT, '+', '-', 'COUNT', '1'],
    ['HGETALL', DAY_KEY],
    ['HSCAN', LAST_CALL, '0'],
  ]);
  await refused(t, api, [
    ['XADD', CALLS, '*', 'id', 'forged'],
    ['XTRIM', CALLS, 'MAXLEN', '0'],
    ['XRANGE', TRAFFIC, '-', '+'],
    ['XADD', TRAFFIC, '*', 'id', 'forged'],
    ['HSET', MARKS, 'gw-1', '1'],
    ['HINCRBY', DAY_KEY, 'answered:x', '1'],
    ['GET', SEEN],
    ['DEL', AUDIT],
    ['GET', dialplan.current],
    ['EVAL', READ_TRAFFIC, '1', TRAFFIC],
    ...ADMINISTRATION,
  ]);
});

t.test('analytics: the call stream and its own keys, NOPERM on traffic', async (t) => {
  const server = await startAclRedis(t);
  const an = userClient(t, server, 'analytics');
  await userClient(t, server, 'gateway').call('XADD', CALLS, '*', 'id', 'rec-1');
  await userClient(t, server, 'gateway').call('XADD', TRAFFIC, '*', 'id', 'rec-1');
  await allowed(t, an, [
    ['PING'],
    ['INFO', 'server'],
    ['XGROUP', 'CREATE', CALLS, 'analytics', '0', 'MKSTREAM'],
    ['XREADGROUP', 'GROUP', 'analytics', 'a-1', 'COUNT', '10', 'STREAMS', CALLS, '>'],
    ['XAUTOCLAIM', CALLS, 'analytics', 'a-1', '0', '0-0'],
    ['XACK', CALLS, 'analytics', '0-1'],
    ['XINFO', 'CONSUMERS', CALLS, 'analytics'],
    ['XRANGE', CALLS, '-', '+'],
    ['XREVRANGE', CALLS, '+', '-', 'COUNT', '1'],
    ['SET', SEEN, '1', 'NX', 'EX', '60'],
    ['HINCRBY', DAY_KEY, 'answered:mobile.de', '1'],
    ['HSET', LAST_CALL, '+493025550101', '1'],
    ['HGET', LAST_CALL, '+493025550101'],
    ['HGETALL', DAY_KEY],
    ['HSCAN', LAST_CALL, '0'],
    ['EVAL', "return redis.call('HINCRBY', KEYS[1], 'x', 1)", '1', DAY_KEY],
  ]);
  await refused(t, an, [
    ['XRANGE', TRAFFIC, '-', '+'],
    ['XREVRANGE', TRAFFIC, '+', '-'],
    ['XREAD', 'STREAMS', TRAFFIC, '0'],
    ['XREADGROUP', 'GROUP', 'analytics', 'a-1', 'STREAMS', TRAFFIC, '>'],
    ['XGROUP', 'CREATE', TRAFFIC, 'peek', '0'],
    ['XLEN', TRAFFIC],
    ['EVAL', READ_TRAFFIC, '1', TRAFFIC],
    ['EVAL', READ_TRAFFIC_UNDECLARED, '0'],
    ['XADD', TRAFFIC, '*', 'id', 'x'],
    ['XADD', CALLS, '*', 'id', 'forged'],
    ['XDEL', CALLS, '0-1'],
    ['XTRIM', CALLS, 'MAXLEN', '0'],
    ['DEL', CALLS],
    ['SET', CALLS, 'x'],
    ['XGROUP', 'DESTROY', CALLS, 'analytics'],
    ['HGET', MARKS, 'gw-1'],
    ['XRANGE', AUDIT, '-', '+'],
    ['XADD', AUDIT, '*', 'actor', 'forged'],
    ['GET', dialplan.current],
    ['PUBLISH', dialplan.channel, 'v9'],
    ...ADMINISTRATION,
  ]);
});

t.test('billing: reads the traffic stream and audits it, nothing else', async (t) => {
  const server = await startAclRedis(t);
  const bi = userClient(t, server, 'billing');
  await userClient(t, server, 'gateway').call('XADD', TRAFFIC, '*', 'id', 'rec-1');
  await allowed(t, bi, [
    ['PING'],
    ['INFO', 'server'],
    ['XRANGE', TRAFFIC, '-', '+'],
    ['XREVRANGE', TRAFFIC, '+', '-', 'COUNT', '1'],
    ['XADD', AUDIT, 'MINID', '~', '0', '*', 'actor', 'billing'],
  ]);
  t.match(await bi.xrange(TRAFFIC, '-', '+'), [[/^\d+-\d+$/, ['id', 'rec-1']]]);
  await refused(t, bi, [
    ['XADD', TRAFFIC, '*', 'id', 'forged'],
    ['XTRIM', TRAFFIC, 'MAXLEN', '0'],
    ['XDEL', TRAFFIC, '0-1'],
    ['DEL', TRAFFIC],
    ['XRANGE', CALLS, '-', '+'],
    ['XADD', CALLS, '*', 'id', 'forged'],
    ['XREADGROUP', 'GROUP', 'analytics', 'b', 'STREAMS', CALLS, '>'],
    ['HGETALL', DAY_KEY],
    ['GET', SEEN],
    ['HGET', MARKS, 'gw-1'],
    ['XRANGE', AUDIT, '-', '+'],
    ['XTRIM', AUDIT, 'MAXLEN', '0'],
    ['EVAL', READ_TRAFFIC, '1', TRAFFIC],
    ['GET', dialplan.current],
    ...ADMINISTRATION,
  ]);
});

t.test('admin: everything, administration included', async (t) => {
  const server = await startAclRedis(t);
  const ad = userClient(t, server, 'admin');
  await userClient(t, server, 'gateway').call('XADD', TRAFFIC, '*', 'id', 'rec-1');
  await allowed(t, ad, [
    ['XRANGE', TRAFFIC, '-', '+'],
    ['XRANGE', CALLS, '-', '+'],
    ['KEYS', '*'],
    ['CONFIG', 'GET', 'appendonly'],
    ['ACL', 'LIST'],
    ['ACL', 'LOG'],
    ['CLIENT', 'LIST'],
    ['DBSIZE'],
  ]);
  const users = (await ad.call('ACL', 'USERS')) as string[];
  t.same(users.sort(), ['admin', 'admin-api', 'analytics', 'billing', 'default', 'gateway']);
  const list = (await ad.call('CLIENT', 'LIST')) as string;
  t.match(list, /user=admin/, 'ioredis logs in with the user of the URL');
});

t.test('the gateway code paths work as gateway', async (t) => {
  const server = await startAclRedis(t);
  const warnings = captureWarnings(t);
  const admin = userClient(t, server, 'admin');
  const traffic = { traffic: { stream: TRAFFIC, retentionDays: 90 } };
  const bed = await writerBed(t, server.urlOf('gateway'), traffic);
  const records = ['answered', 'busy', 'answered'] as const;
  for (const outcome of records) bed.writer.write(record(outcome));
  await bed.writer.flush();
  t.equal(await admin.xlen(CALLS), 3, 'the writer appended every record');
  t.equal(await admin.xlen(TRAFFIC), 3, 'and every traffic record');
  t.match(await admin.hget(MARKS, 'gw-test'), /^\d+$/, 'and moved its mark');
  t.notMatch(bed.logs(), /NOPERM|unreachable/, 'no refusal in its log');
  // a writer restarting reads its mark; the replay path runs the append script
  const again = await writerBed(t, server.urlOf('gateway'), { spoolDir: bed.spoolDir, ...traffic });
  again.writer.write(record('answered'));
  await again.writer.flush();
  t.equal(await admin.xlen(CALLS), 4);
  t.equal(await admin.xlen(TRAFFIC), 4);
  t.notMatch(again.logs(), /NOPERM|unreachable/);
  // the append script deletes a call entry whose traffic entry failed: XDEL on the call stream,
  // nowhere else
  const own = userClient(t, server, 'gateway');
  t.equal(await own.xdel(CALLS, '0-1'), 0, 'XDEL on the call stream (of an id no entry has)');
  await t.rejects(own.xdel(TRAFFIC, '0-1'), /NOPERM/, 'not on the traffic stream');
  await t.rejects(own.hdel(MARKS, 'nobody'), /NOPERM/, 'nor HDEL of a mark');
  await t.rejects(own.xdel(AUDIT, '1-1'), /NOPERM/, 'nor on the audit trail');

  // the admin API's stores on its own user: audit, history download, report, last calls
  const gw = userClient(t, server, 'admin-api');
  const audit = new RedisAudit({
    redis: gw,
    stream: AUDIT,
    retentionDays: 30,
    log: logger,
    now: Date.now,
  });
  await audit.append({ actor: 'ops', role: 'admin', action: 'number.update', target: '+4930' });
  const page = await audit.page({ limit: 10 });
  t.match(page.entries, [{ actor: 'ops', action: 'number.update' }]);
  const rows = [];
  for await (const p of exportPages(gw, {
    stream: CALLS,
    customer: 'autohaus-berlin',
    from: TODAY,
    to: TODAY,
  }))
    rows.push(...p);
  t.equal(rows.length, 4, 'the history download reads the call stream');
  t.same(await readLastCalls(gw), {}, 'last calls (none counted yet) are readable');
  t.match(await readReport(gw, 'autohaus-berlin', TODAY, TODAY), {});
  t.same(warnings, []);
});

t.test('dialplan distribution works as gateway: publish, notify, follow', async (t) => {
  const server = await startAclRedis(t);
  const url = server.urlOf('gateway');
  const CLOCK = () => new Date('2026-11-22T10:00:00Z');
  const dir = copyDialplans(t, 'test/fixtures/dialplans/valid-minimal');
  const pubRedis = commandClient(url);
  const subRedis = subscriberClient(url);
  const followRedis = commandClient(url);
  t.teardown(() => {
    pubRedis.disconnect();
    subRedis.disconnect();
    followRedis.disconnect();
  });
  t.ok(await connected(pubRedis, 3000), 'publisher connected');
  t.ok(await connected(followRedis, 3000), 'follower connected');
  const heard: string[] = [];
  subRedis.on('message', (_channel: string, version: string) => heard.push(version));
  await subRedis.subscribe(dialplan.channel);

  const results: string[] = [];
  const publisher = new SnapshotPublisher({
    store: new SnapshotStore(pubRedis, dialplan),
    node: 'files-1',
    logger,
    now: CLOCK,
    onResult: (r) => results.push(r),
  });
  const loaded = await loadDialplanDir(dir, CLOCK());
  if (!loaded.ok) throw new Error('the fixture does not load');
  const version = loaded.set.summary.version;
  await publisher.offer(dir, version);
  t.same(results, ['published']);
  await waitFor(() => heard.length > 0, 5000);
  t.same(heard, [version], 'the notification reached the subscriber');

  const { reloader, follower } = followingReloader(
    {
      store: new SnapshotStore(followRedis, dialplan),
      cache: new SnapshotCache(tempDir('calltrack-cache-')),
      logger,
      onRefused: () => undefined,
    },
    (d) =>
      new Reloader({ dir: d, defaultCountry: 'DE', workerThresholdBytes: 1 << 30, now: CLOCK }),
  );
  await follower.follow('notification');
  t.equal(follower.state, 'following');
  t.equal(reloader.table.info.version, version, 'the follower serves the published version');
});

t.test('analytics and the CLI work as analytics; billing reads and audits traffic', async (t) => {
  const server = await startAclRedis(t);
  const bed = await writerBed(t, server.urlOf('gateway'), {
    traffic: { stream: TRAFFIC, retentionDays: 90 },
  });
  for (const outcome of ['answered', 'busy', 'answered'] as const)
    bed.writer.write(record(outcome));
  await bed.writer.flush();

  const url = server.urlOf('analytics');
  const consumer = new AnalyticsConsumer({
    redis: userClient(t, server, 'analytics'),
    stream: CALLS,
    consumer: 'analytics-1',
    logger,
    blockMs: 100,
  });
  const running = consumer.run();
  t.teardown(async () => {
    consumer.stop();
    await running;
  });
  await waitFor(() => consumer.counters.counted === 3, 5000);
  t.same(consumer.counters, { counted: 3, duplicates: 0, skipped: 0 });

  const env = { REDIS_URL: url };
  const report = await cli(['report', ...PERIOD, '--format', 'json'], NOW, env);
  t.equal(report.code, 0, report.err.join('\n'));
  t.match(JSON.parse(report.out.join('\n')), { customer: 'autohaus-berlin' });
  t.match(report.out.join('\n'), /"answered": 2/);
  const exported = await cli(['export', ...PERIOD, '--format', 'json'], NOW, env);
  t.equal(exported.code, 0, exported.err.join('\n'));
  t.equal(JSON.parse(exported.out.join('\n')).length, 3, 'export reads the call stream');
  const last = await cli(['analytics', 'last-calls'], NOW, env);
  t.equal(last.code, 0, last.err.join('\n'));
  t.same(JSON.parse(last.out.join('\n')), { '+493025550101': START });
  const traffic = await cli(['export', ...PERIOD, '--format', 'json'], NOW, {
    ...env,
    RECORD_STREAM: TRAFFIC,
  });
  t.equal(traffic.code, 1, 'pointed at the traffic stream, the analytics user is refused');
  t.match(traffic.err.join('\n'), /NOPERM/);

  // billing: `calltrack traffic export` reads the traffic stream and audits the read
  const gw = userClient(t, server, 'gateway');
  await gw.call('EVAL', APPEND_BOTH, '3', CALLS, MARKS, TRAFFIC, 'gw-9', '1', 'rec-9', '+4930');
  const billed = await cli(
    ['traffic', 'export', ...PERIOD, '--format', 'json', '--no-progress', '--operator', 'acct'],
    NOW,
    { REDIS_URL: server.urlOf('billing') },
  );
  t.equal(billed.code, 0, billed.err.join('\n'));
  t.equal(JSON.parse(billed.out.join('\n')).length, 3, "the customer's three calls");
  const auditAfterExport = await userClient(t, server, 'admin').xlen(AUDIT);
  t.equal(auditAfterExport, 1, 'the export is audited as billing');
  const bi = userClient(t, server, 'billing');
  t.equal((await bi.xrange(TRAFFIC, '-', '+')).length, 4);
  const audit = new RedisAudit({
    redis: bi,
    stream: AUDIT,
    retentionDays: 30,
    log: logger,
    now: Date.now,
  });
  await audit.append({
    actor: 'billing',
    role: 'billing',
    action: 'traffic.export',
    target: 'autohaus-berlin',
  });
  await t.rejects(audit.page({ limit: 10 }), /NOPERM/, 'the trail is not billing’s to read');
  t.equal(await userClient(t, server, 'admin').xlen(AUDIT), 2);
});

t.test('the `calltrack analytics` process counts as analytics', async (t) => {
  const server = await startAclRedis(t);
  const bed = await writerBed(t, server.urlOf('gateway'));
  bed.writer.write(record('answered'));
  await bed.writer.flush();
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'analytics', '--consumer', 'proc-1'],
    {
      env: { ...process.env, REDIS_URL: server.urlOf('analytics'), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  t.teardown(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const admin = userClient(t, server, 'admin');
  await waitFor(async () => (await admin.hget(LAST_CALL, '+493025550101')) !== null, 20_000);
  proc.kill('SIGTERM');
  t.equal(await exited, 0, 'exit 0 after SIGTERM');
  t.match(out, /"counted":1/);
  t.notMatch(out, /NOPERM|Skipping the ready check/, 'no refusal on the way');
});
