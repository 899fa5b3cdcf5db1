/**
 * The client factory: each URL form gives its kind of client, and the job's options land where
 * ioredis reads them (for a Cluster: per node in `redisOptions`, the offline queue and reconnect
 * strategy at cluster level), so the record writer fails fast on every kind. No server needed:
 * the clients are made with lazyConnect and never connect.
 */
import { Cluster, Redis } from 'ioredis';
import t from 'tap';
import { createRedis } from '../../src/redis/connect.js';

const WRITER = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 2000,
  retryStrategy: (n: number) => Math.min(50 * n, 1000),
};

t.test('redis:// gives a plain client with the options as given', async (t) => {
  const r = createRedis('redis://gw:pw@127.0.0.1:6390/2', WRITER);
  t.ok(r instanceof Redis, 'a plain client');
  const o = (r as Redis).options;
  t.match(o, { port: 6390, db: 2, username: 'gw', password: 'pw', enableOfflineQueue: false });
  r.disconnect();
});

t.test('redis-cluster:// gives a Cluster; per-node and cluster-level options apart', async (t) => {
  const c = createRedis('redis-cluster://gw:p%40w@127.0.0.1:7001,127.0.0.1:7002', WRITER);
  t.ok(c instanceof Cluster, 'a Cluster client');
  const o = (c as Cluster).options;
  t.equal(o.enableOfflineQueue, false, 'no offline queue: commands fail while the cluster is away');
  t.match(o.redisOptions, {
    maxRetriesPerRequest: 0,
    commandTimeout: 2000,
    username: 'gw',
    password: 'p@w',
  });
  t.notOk('enableOfflineQueue' in (o.redisOptions ?? {}), 'not left in the per-node options');
  t.equal(o.clusterRetryStrategy?.(3), 150, 'the reconnect strategy applies to the cluster');
  t.same(
    (c as unknown as { startupNodes: unknown }).startupNodes,
    [
      { host: '127.0.0.1', port: 7001 },
      { host: '127.0.0.1', port: 7002 },
    ],
    'every seed node',
  );
  c.disconnect();
});

t.test('redis-sentinel:// gives a client that asks the Sentinels for the master', async (t) => {
  const r = createRedis(
    'redis-sentinel://gw:pw@127.0.0.1:26379/calls?sentinelPassword=sp&db=1',
    WRITER,
  );
  t.ok(r instanceof Redis, 'a Sentinel-backed client');
  t.match((r as Redis).options, {
    sentinels: [{ host: '127.0.0.1', port: 26379 }],
    name: 'calls',
    username: 'gw',
    password: 'pw',
    sentinelPassword: 'sp',
    db: 1,
    enableOfflineQueue: false,
    commandTimeout: 2000,
  });
  r.disconnect();
});

t.test('a bad URL throws, naming what is wrong', async (t) => {
  t.throws(
    () => createRedis('redis-cluster://nohostport', WRITER),
    /'nohostport' is not host:port/,
  );
});
