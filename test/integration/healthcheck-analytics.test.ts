/**
 * The compose health check of the analytics consumer (config/deploy/healthcheck/analytics.cjs),
 * run as compose runs it (node, the built gateway beside it) against real Redis: one server, a
 * Redis Cluster and a Sentinel set, each by the URL form the consumer itself takes. Healthy only
 * while the named consumer has read lately; an unknown consumer, a missing group, a wrong URL
 * and a Redis that does not answer are unhealthy, with a line saying why.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ANALYTICS_GROUP } from '../../src/records/analytics-keys.js';
import { DEFAULT_RECORD_STREAM } from '../../src/records/record-keys.js';
import { createRedis } from '../../src/redis/connect.js';
import { ensureBuilt, ROOT } from '../helpers/built.js';
import { freeTcpPort } from '../helpers/ports.js';
import { startRedis } from '../helpers/redis.js';
import { startRedisCluster, startSentinelSet } from '../helpers/redis-cluster.js';
import { waitFor } from '../helpers/wait.js';

const CHECK = join(ROOT, 'config', 'deploy', 'healthcheck', 'analytics.cjs');

type Verdict = { code: number; stderr: string };

/** Runs the check from the root (the image's working directory is /app, its root). */
function check(url: string, consumer: string): Promise<Verdict> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CHECK, consumer],
      { cwd: ROOT, env: { PATH: process.env.PATH, REDIS_URL: url }, timeout: 15_000 },
      (err, _stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
    );
  });
}

/** The consumer `name` reads an entry of the record stream now, as the analytics command does. */
async function consumerReads(t: Test, url: string, name: string): Promise<void> {
  const redis = createRedis(url, { maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  t.teardown(() => redis.disconnect());
  await waitFor(() => redis.status === 'ready', 15_000, 'a connection');
  await redis.xgroup('CREATE', DEFAULT_RECORD_STREAM, ANALYTICS_GROUP, '$', 'MKSTREAM');
  // a read that gets an entry: the consumer exists and its idle time starts from it
  await redis.xadd(DEFAULT_RECORD_STREAM, '*', 'id', 'hc-1');
  await redis.xreadgroup(
    'GROUP',
    ANALYTICS_GROUP,
    name,
    'COUNT',
    1,
    'STREAMS',
    DEFAULT_RECORD_STREAM,
    '>',
  );
}

async function healthyOnlyForItsConsumer(t: Test, url: string): Promise<void> {
  await consumerReads(t, url, 'analytics-1');
  t.same(await check(url, 'analytics-1'), { code: 0, stderr: '' }, 'the consumer that read');
  const other = await check(url, 'analytics-2');
  t.equal(other.code, 1, 'a consumer that never read is unhealthy');
  t.match(other.stderr, /consumer analytics-2: idle Infinity ms/);
}

t.before(() => ensureBuilt());

t.test('one redis-server (redis://)', async (t) => {
  const server = await startRedis(t);
  const noGroup = await check(server.url, 'analytics-1');
  t.equal(noGroup.code, 1, 'no stream or group yet: unhealthy');
  t.match(noGroup.stderr, /no such key/i);
  await healthyOnlyForItsConsumer(t, server.url);
});

t.test('a Redis Cluster (redis-cluster://)', async (t) => {
  const cluster = await startRedisCluster(t);
  await healthyOnlyForItsConsumer(t, cluster.url);
});

t.test('a Sentinel set (redis-sentinel://)', async (t) => {
  const set = await startSentinelSet(t);
  await healthyOnlyForItsConsumer(t, set.url);
});

t.test('a wrong URL or a Redis that does not answer: unhealthy, saying why', async (t) => {
  const bad = await check('redis-cluster://127.0.0.1', 'analytics-1');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /RedisUrlError: '127\.0\.0\.1' is not host:port/);
  const port = await freeTcpPort(); // nothing listens there
  for (const url of [
    `redis://127.0.0.1:${port}`,
    `redis-cluster://127.0.0.1:${port}`,
    `redis-sentinel://127.0.0.1:${port}/calltrack`,
  ]) {
    const down = await check(url, 'analytics-1');
    t.equal(down.code, 1, `${url}: unhealthy`);
    t.not(down.stderr, '', `${url}: says why (${down.stderr.trim()})`);
  }
});
