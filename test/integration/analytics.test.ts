/**
 * The analytics consumer against a real redis-server: counts per customer × source × local day
 * by outcome with talk time, each record id once, crash safety (entries read but not
 * acknowledged), the last call per number and its export for `numbers reclaimable`, and
 * `calltrack analytics` as a process that stops on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { createLogger } from '../../src/observability/logger.js';
import { AnalyticsConsumer, type AnalyticsOptions } from '../../src/records/analytics.js';
import { defineApply, queueApply } from '../../src/records/analytics-apply.js';
import { fromFields } from '../../src/records/entry.js';
import { cli } from '../helpers/cli-io.js';
import { startRedis } from '../helpers/redis.js';
import { addRecords, client, streamRecord } from '../helpers/stream-records.js';
import { waitFor } from '../helpers/wait.js';

const STREAM = 'calltrack:{records}:calls';
const KEY = (customer: string, day: string) => `calltrack:{analytics}:calls:${customer}:${day}`;

/** A consumer on its own connection, stopped and closed at teardown. */
function consumer(t: Test, url: string, over: Partial<AnalyticsOptions> = {}) {
  const c = new AnalyticsConsumer({
    redis: client(t, url),
    stream: STREAM,
    consumer: 'node-a',
    logger: createLogger('silent'),
    blockMs: 100,
    ...over,
  });
  const running = c.run();
  t.teardown(async () => {
    c.stop();
    await running;
  });
  const stop = async () => {
    c.stop();
    await running;
  };
  return { c, stop };
}

const handled = (c: AnalyticsConsumer) => {
  const { counted, duplicates, skipped } = c.counters;
  return counted + duplicates + skipped;
};

async function pending(redis: Redis): Promise<number> {
  const [count] = (await redis.xpending(STREAM, 'analytics')) as [number];
  return count;
}

t.test('counts per customer × source × local day, by outcome, with talk time', async (t) => {
  const server = await startRedis(t);
  const redis = client(t, server.url);
  const day = (time: string, over = {}) =>
    streamRecord({ startedAt: time, answeredAt: time, endedAt: time, ...over });
  await addRecords(redis, STREAM, [
    day('2026-11-20T09:00:00.000Z', { talkMs: '60000' }),
    day('2026-11-20T10:00:00.000Z', { talkMs: '30500' }),
    day('2026-11-20T11:00:00.000Z', { outcome: 'busy', talkMs: '0', answeredAt: '' }),
    day('2026-11-20T12:00:00.000Z', { source: 'Auto "Börse", Berlin', outcome: 'no-answer' }),
    // 23:30 UTC is 00:30 in Berlin (CET): the next local day
    day('2026-11-20T23:30:00.000Z', { talkMs: '1000' }),
    day('2026-11-20T13:00:00.000Z', { customer: 'kfz-gruber', source: 'willhaben.at' }),
    // a rejected call to an unknown number has no customer: no counts, but it is consumed
    day('2026-11-20T14:00:00.000Z', { customer: '', source: '', outcome: 'rejected' }),
  ]);
  const { c } = consumer(t, server.url);
  await waitFor(() => handled(c) === 7);
  t.same(c.counters, { counted: 7, duplicates: 0, skipped: 0 });
  t.same(await redis.hgetall(KEY('autohaus-mueller', '2026-11-20')), {
    'answered:mobile.de': '2',
    'busy:mobile.de': '1',
    'talk_ms:mobile.de': '90500',
    'no-answer:Auto "Börse", Berlin': '1',
    'talk_ms:Auto "Börse", Berlin': '60000',
  });
  t.same(await redis.hgetall(KEY('autohaus-mueller', '2026-11-21')), {
    'answered:mobile.de': '1',
    'talk_ms:mobile.de': '1000',
  });
  t.same(await redis.hgetall(KEY('kfz-gruber', '2026-11-20')), {
    'answered:willhaben.at': '1',
    'talk_ms:willhaben.at': '60000',
  });
  t.equal(await pending(redis), 0, 'every entry acknowledged');
  t.same(
    (await redis.keys('calltrack:{analytics}:calls:*')).sort(),
    [
      KEY('autohaus-mueller', '2026-11-20'),
      KEY('autohaus-mueller', '2026-11-21'),
      KEY('kfz-gruber', '2026-11-20'),
    ],
    'no counts for a record without customer',
  );
});

t.test('a replayed duplicate id is counted once', async (t) => {
  const server = await startRedis(t);
  const redis = client(t, server.url);
  const first = streamRecord({ talkMs: '42000' });
  const other = streamRecord({ outcome: 'busy', talkMs: '0' });
  await addRecords(redis, STREAM, [first, other, first]);
  const { c } = consumer(t, server.url);
  await waitFor(() => handled(c) === 3);
  t.same(c.counters, { counted: 2, duplicates: 1, skipped: 0 });
  t.same(await redis.hgetall(KEY('autohaus-mueller', '2026-11-20')), {
    'answered:mobile.de': '1',
    'busy:mobile.de': '1',
    'talk_ms:mobile.de': '42000',
  });
  const ttl = await redis.ttl(`calltrack:{analytics}:seen:${first.id}`);
  t.ok(ttl > 6 * 86_400 && ttl <= 7 * 86_400, `the id mark expires after 7 days (ttl ${ttl})`);
  t.equal(await pending(redis), 0, 'the duplicate is acknowledged too');
  // a later copy, after the first was consumed long ago, still adds nothing
  await addRecords(redis, STREAM, [first]);
  await waitFor(() => handled(c) === 4);
  t.equal(await redis.hget(KEY('autohaus-mueller', '2026-11-20'), 'answered:mobile.de'), '1');
});

/**
 * A consumer that "crashed": it read every entry (so they are pending on it) and stored the
 * effect of the first `applied` entries, but acknowledged none.
 */
async function crashedConsumer(redis: Redis, name: string, applied: number): Promise<void> {
  await redis.xgroup('CREATE', STREAM, 'analytics', '0', 'MKSTREAM');
  const reply = (await redis.call(
    'XREADGROUP',
    'GROUP',
    'analytics',
    name,
    'STREAMS',
    STREAM,
    '>',
  )) as [string, [string, string[]][]][];
  const entries = reply[0]![1];
  defineApply(redis);
  const pipeline = redis.pipeline();
  for (const [, fields] of entries.slice(0, applied)) queueApply(pipeline, fromFields(fields));
  await pipeline.exec();
}

const SIX = () =>
  Array.from({ length: 6 }, (_, i) =>
    streamRecord({ talkMs: '1000', outcome: i % 2 ? 'busy' : 'answered' }),
  );

t.test(
  'restart under the same name: pending entries are re-read, none counted twice',
  async (t) => {
    const server = await startRedis(t);
    const redis = client(t, server.url);
    await addRecords(redis, STREAM, SIX());
    await crashedConsumer(redis, 'node-a', 3);
    t.equal(await pending(redis), 6);
    // the stale claim would wait a minute: only the re-read of its own pending entries can do it
    const { c } = consumer(t, server.url, { consumer: 'node-a', claimIdleMs: 60_000 });
    await waitFor(() => handled(c) === 6);
    t.same(c.counters, { counted: 3, duplicates: 3, skipped: 0 });
    t.same(await redis.hgetall(KEY('autohaus-mueller', '2026-11-20')), {
      'answered:mobile.de': '3',
      'busy:mobile.de': '3',
      'talk_ms:mobile.de': '6000',
    });
    t.equal(await pending(redis), 0);
  },
);

t.test('a consumer that died under another name: its stale entries are claimed', async (t) => {
  const server = await startRedis(t);
  const redis = client(t, server.url);
  await addRecords(redis, STREAM, SIX());
  await crashedConsumer(redis, 'node-gone', 2);
  const { c } = consumer(t, server.url, { consumer: 'node-b', claimIdleMs: 200 });
  await waitFor(() => handled(c) === 6);
  t.same(c.counters, { counted: 4, duplicates: 2, skipped: 0 });
  t.same(await redis.hgetall(KEY('autohaus-mueller', '2026-11-20')), {
    'answered:mobile.de': '3',
    'busy:mobile.de': '3',
    'talk_ms:mobile.de': '6000',
  });
  t.equal(await pending(redis), 0);
});

t.test('stopped and started again: new entries only, nothing twice', async (t) => {
  const server = await startRedis(t);
  const redis = client(t, server.url);
  await addRecords(redis, STREAM, SIX());
  const first = consumer(t, server.url);
  await waitFor(() => handled(first.c) === 6);
  await first.stop();
  await addRecords(redis, STREAM, [streamRecord({ talkMs: '5000' })]);
  const second = consumer(t, server.url);
  await waitFor(() => handled(second.c) === 1);
  t.same(await redis.hgetall(KEY('autohaus-mueller', '2026-11-20')), {
    'answered:mobile.de': '4',
    'busy:mobile.de': '3',
    'talk_ms:mobile.de': '11000',
  });
});

t.test('Redis restarted under the consumer: it carries on', async (t) => {
  const server = await startRedis(t);
  const redis = client(t, server.url);
  redis.on('error', () => undefined);
  await addRecords(redis, STREAM, [streamRecord()]);
  const { c } = consumer(t, server.url, { retryMs: 100 });
  await waitFor(() => handled(c) === 1);
  await server.stop();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await server.start();
  // with or without persistence (a lost group is created again), the next record is counted once
  await waitFor(async () => (await redis.ping().catch(() => '')) === 'PONG');
  await addRecords(redis, STREAM, [streamRecord({ source: 'after-restart', talkMs: '2000' })]);
  await waitFor(() => handled(c) === 2, 15_000);
  const counts = await redis.hgetall(KEY('autohaus-mueller', '2026-11-20'));
  t.equal(counts['answered:after-restart'], '1');
  t.equal(counts['talk_ms:after-restart'], '2000');
});

t.test('last call per tracking number keeps the latest, exported for reclaim', async (t) => {
  const server = await startRedis(t);
  const redis = client(t, server.url);
  const env = { REDIS_URL: server.url };
  const at = (number: string, time: string) =>
    streamRecord({ trackingNumber: number, startedAt: time, endedAt: time });
  // the later call arrives first (a record replayed from a spool comes late)
  await addRecords(
    redis,
    STREAM,
    [
      at('+493025550101', '2026-11-20T15:00:00.000Z'),
      at('+493025550101', '2026-11-02T08:00:00.000Z'),
      at('+493025550102', '2026-10-01T12:00:00.000Z'),
    ],
    (_r, i) => Date.parse('2026-11-21T00:00:00Z') + i,
  );
  const { c } = consumer(t, server.url);
  await waitFor(() => handled(c) === 3);
  const r = await cli(['analytics', 'last-calls'], undefined, env);
  t.equal(r.code, 0, r.err.join('\n'));
  t.same(JSON.parse(r.out.join('\n')), {
    '+493025550101': '2026-11-20T15:00:00.000Z',
    '+493025550102': '2026-10-01T12:00:00.000Z',
  });

  // the file feeds `numbers reclaimable`: both numbers were activated in 2025-03 and would be
  // reclaimable by their activation date; their calls keep them
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-last-calls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'last-calls.json');
  t.equal((await cli(['analytics', 'last-calls', '--out', file], undefined, env)).code, 0);
  t.same(JSON.parse(readFileSync(file, 'utf8')), JSON.parse(r.out.join('\n')));
  const reclaim = async (...extra: string[]) => {
    const out = await cli(['numbers', 'reclaimable', '--dialplans', 'dialplans', ...extra]);
    return JSON.parse(out.out.join('\n')).reclaimable.map((x: { number: string }) => x.number);
  };
  t.ok((await reclaim()).includes('+493025550101'), 'without calls: reclaimable');
  const after = await reclaim('--last-calls', file);
  t.notOk(after.includes('+493025550101'), 'with its last call: kept');
  t.notOk(after.includes('+493025550102'));
});

t.test('calltrack analytics runs as a process and stops on SIGTERM', async (t) => {
  const server = await startRedis(t);
  const redis = client(t, server.url);
  await addRecords(redis, STREAM, [streamRecord({ talkMs: '7000' })]);
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'analytics', '--consumer', 'proc-1'],
    {
      env: { ...process.env, REDIS_URL: server.url, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  t.teardown(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  await waitFor(
    async () =>
      (await redis.hget(KEY('autohaus-mueller', '2026-11-20'), 'talk_ms:mobile.de')) === '7000',
    20_000,
  );
  await waitFor(() => out.includes('analytics started'));
  proc.kill('SIGTERM');
  t.equal(await exited, 0, 'exit 0 after SIGTERM');
  t.match(out, /"msg":"analytics stopped"/);
  t.match(out, /"counted":1/);
});
