/**
 * The client factory: each URL form gives its kind of client, and the job's options land where
 * ioredis reads them (for a Cluster: per node in `redisOptions`, the offline queue and reconnect
 * strategy at cluster level), so the record writer fails fast on every kind. No server needed:
 * the clients are made with lazyConnect and never connect. And how long a listener waits for a
 * client to connect (`connectedOrAfter`).
 */
import { EventEmitter } from 'node:events';
import { Cluster, Redis } from 'ioredis';
import t from 'tap';
import { connectedOrAfter, createRedis, type RedisClient } from '../../src/redis/connect.js';
import { freeTcpPort } from '../helpers/ports.js';

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

/** A client's status and its `ready` event, nothing else. */
function client(status: string): RedisClient & EventEmitter {
  return Object.assign(new EventEmitter(), { status }) as unknown as RedisClient & EventEmitter;
}

t.test('connectedOrAfter: a connected client at once', async (t) => {
  const c = client('ready');
  await connectedOrAfter(c, 60_000);
  t.equal(c.listenerCount('ready'), 0, 'nothing left listening');
});

t.test('connectedOrAfter: a client being connected, at its ready event', async (t) => {
  const c = client('connect');
  const started = performance.now();
  setTimeout(() => c.emit('ready'), 50);
  // the wait is a minute: the test's own timeout ends first unless the event resolves it
  await connectedOrAfter(c, 60_000);
  t.ok(performance.now() - started >= 45, 'not before the event');
  t.equal(c.listenerCount('ready'), 0, 'nothing left listening');
});

t.test('connectedOrAfter: a Redis that is not there, after the wait', async (t) => {
  const port = await freeTcpPort();
  const r = createRedis(`redis://127.0.0.1:${port}`, {
    enableOfflineQueue: false,
    retryStrategy: () => 20,
  });
  r.on('error', () => undefined);
  t.teardown(() => r.disconnect());
  // ioredis keeps a 'ready' listener of its own while a reconnect is under way: only ours counts
  // (connectedOrAfter registers its own at once, within the call)
  const ours: unknown[] = [];
  const emitter = r as unknown as EventEmitter;
  const once = emitter.once;
  emitter.once = (event, listener) => {
    if (event === 'ready') ours.push(listener);
    return once.call(emitter, event, listener);
  };
  const started = performance.now();
  const waited = connectedOrAfter(r, 300);
  emitter.once = once;
  await waited;
  t.ok(performance.now() - started >= 295, 'the whole wait');
  t.not(r.status, 'ready', 'still not connected: its commands fail fast, as before');
  t.equal(ours.length, 1, 'it waited on the ready event');
  t.notOk(
    r.listeners('ready').some((l) => ours.includes(l)),
    'nothing of its own left listening',
  );
});
