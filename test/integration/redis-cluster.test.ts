/**
 * calltrack on a real Redis Cluster (three masters, one replica each, on loopback), reached
 * through a `redis-cluster://` URL: call and traffic records (first attempts and a replay), the
 * analytics consumer, the audit trail and dialplan snapshots published and followed (pub/sub)
 * work (the failover under load: redis-cluster-failover.test.ts). With the shipped ACL file
 * on every node, each job runs as its own user (cluster topology commands and WAIT allowed).
 */
import { Cluster } from 'ioredis';
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
import { callsKey } from '../../src/records/analytics-keys.js';
import { recordRedis } from '../../src/records/open-writer.js';
import {
  DEFAULT_RECORD_STREAM,
  DEFAULT_TRAFFIC_STREAM,
  marksKey,
} from '../../src/records/record-keys.js';
import { appendBatch, defineAppend } from '../../src/records/redis-append.js';
import { createRedis, type RedisClient } from '../../src/redis/connect.js';
import { type AclUser, PASSWORD_VARS } from '../../src/redis-acl/users.js';
import { cli } from '../helpers/cli-io.js';
import { callRecord, testWriter } from '../helpers/records.js';
import { examplePasswords, SHIPPED_ACL } from '../helpers/redis-acl.js';
import { startRedisCluster } from '../helpers/redis-cluster.js';
import { copyDialplans } from '../helpers/temp-dialplans.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const NOW = () => new Date('2026-11-22T10:00:00Z');

async function ready(t: Test, redis: RedisClient): Promise<RedisClient> {
  redis.on('error', () => undefined);
  t.teardown(() => redis.disconnect());
  await waitFor(() => redis.status === 'ready', 15_000, 'a cluster connection');
  return redis;
}

/** Every job calltrack does in Redis, each as `urlOf` says (the ACL users, or one URL for all). */
async function everyJob(t: Test, urlOf: (user: AclUser) => string): Promise<void> {
  const writerRedis = await ready(t, recordRedis(urlOf('gateway')));
  t.ok(writerRedis instanceof Cluster, 'a redis-cluster:// URL makes a cluster client');
  // what the jobs wrote, read back as the operators' user
  const redis = await ready(t, recordRedis(urlOf('admin')));

  // records with traffic: a full batch (250), the 50 left, and a replay that adds nothing
  const { writer, spool, close } = await testWriter(writerRedis, tempDir('calltrack-spool-'), {
    stream: DEFAULT_RECORD_STREAM,
    traffic: { stream: DEFAULT_TRAFFIC_STREAM, retentionDays: 90 },
    minReplicas: 1,
  });
  const records = Array.from({ length: 300 }, (_, i) =>
    callRecord('answered', { recordId: `cl-${i}` }),
  );
  for (const r of records) writer.write(r);
  await waitFor(
    async () => {
      await writer.flush();
      return (spool.pending === 0 && writer.redisUp) || undefined;
    },
    20_000,
    'the records written',
  );
  await close();
  t.equal(await redis.xlen(DEFAULT_RECORD_STREAM), 300, 'every call entry');
  t.equal(await redis.xlen(DEFAULT_TRAFFIC_STREAM), 300, 'every traffic entry');
  const mark = Number(await redis.hget(marksKey(DEFAULT_RECORD_STREAM), 'gw-test'));
  t.ok(mark > 0, 'the node mark is beside the stream');
  const replay = [{ seq: mark, record: { ...records[0]!, recordId: 'x' } as never }];
  const target = {
    stream: DEFAULT_RECORD_STREAM,
    node: 'gw-test',
    retentionDays: 400,
    trafficStream: DEFAULT_TRAFFIC_STREAM,
  };
  t.equal(await appendBatch(defineAppend(writerRedis), target, replay), 0, 'a replay adds nothing');

  // the analytics consumer on its own cluster connection
  const consumer = new AnalyticsConsumer({
    redis: await ready(t, createRedis(urlOf('analytics'), { maxRetriesPerRequest: 1 })),
    stream: DEFAULT_RECORD_STREAM,
    consumer: 'node-a',
    logger,
    blockMs: 100,
  });
  const running = consumer.run();
  await waitFor(() => consumer.counters.counted === 300, 20_000, '300 records counted');
  consumer.stop();
  await running;
  const counts = await redis.hgetall(callsKey('autohaus-berlin', '2026-11-22'));
  t.equal(counts['answered:mobile.de'], '300', 'counted per customer, day and source');

  // the CLI's short connections: the last calls (analytics keys) and an export (the stream)
  const env = { REDIS_URL: urlOf('analytics') };
  const last = await cli(['analytics', 'last-calls'], undefined, env);
  t.equal(last.code, 0, last.err.join('\n'));
  t.same(Object.keys(JSON.parse(last.out.join('\n'))), ['+493025550101'], 'last calls read');
  // stream ids are today's; the export looks for a record's start up to days before its id
  const today = new Date().toISOString().slice(0, 10);
  const period = ['--customer', 'autohaus-berlin', '--from', '2026-11-22', '--to', today];
  const exported = await cli(['export', ...period, '--format', 'json'], undefined, env);
  t.equal(exported.code, 0, exported.err.join('\n'));
  t.equal(JSON.parse(exported.out.join('\n')).length, 300, 'calltrack export reads every record');

  // the audit trail
  const audit = new RedisAudit({
    redis: await ready(t, recordRedis(urlOf('admin-api'))),
    stream: 'calltrack:audit',
    retentionDays: 30,
    log: logger,
    now: Date.now,
  });
  const entry = { actor: 'ops', role: 'admin', action: 'number.create', target: '+4930' };
  await audit.append(entry);
  t.match((await audit.page({ limit: 10 })).entries, [entry], 'the audit trail reads back');

  // dialplan snapshots: published on one connection, followed on another after the notification
  const keys = dialplanKeys();
  const pubRedis = await ready(t, commandClient(urlOf('gateway')));
  const results: string[] = [];
  const publisher = new SnapshotPublisher({
    store: new SnapshotStore(pubRedis, keys),
    node: 'files-1',
    logger,
    now: NOW,
    onResult: (r) => results.push(r),
  });
  const followRedis = await ready(t, commandClient(urlOf('gateway')));
  t.ok(await connected(followRedis, 1000), 'the follower is connected');
  const { reloader, follower } = followingReloader(
    {
      store: new SnapshotStore(followRedis, keys),
      cache: new SnapshotCache(tempDir('cache-')),
      logger,
      onRefused: (reason) => t.fail(`snapshot refused: ${reason}`),
    },
    (dir) => new Reloader({ dir, defaultCountry: 'DE', workerThresholdBytes: 1 << 30, now: NOW }),
  );
  const subscriber = await ready(t, subscriberClient(urlOf('gateway')));
  const notified: string[] = [];
  subscriber.on('message', (_channel: string, version: string) => {
    notified.push(version);
    void follower.follow('notification');
  });
  await subscriber.subscribe(keys.channel);
  const dir = copyDialplans(t, 'test/fixtures/dialplans/valid-minimal');
  const loaded = await loadDialplanDir(dir, NOW());
  if (!loaded.ok) throw new Error('the fixture does not load');
  const version = loaded.set.summary.version;
  await publisher.offer(dir, version);
  t.same(results, ['published'], 'published through the cluster');
  await waitFor(() => reloader.table.info.version === version, 10_000, 'the follower to serve it');
  t.same(notified, [version], 'the notification crossed the cluster');
  t.equal(await redis.get(keys.current), version, 'the pointer names it');
}

t.test('records, analytics, audit and dialplan snapshots work on a Redis Cluster', async (t) => {
  const cluster = await startRedisCluster(t);
  await everyJob(t, () => cluster.url);
});

t.test('the same on a cluster with the shipped ACL file, each job as its own user', async (t) => {
  const passwords = examplePasswords();
  const password = (user: AclUser) => passwords[PASSWORD_VARS[user]]!;
  const cluster = await startRedisCluster(t, 3, {
    file: SHIPPED_ACL,
    user: 'admin',
    password: password('admin'),
  });
  const hosts = cluster.url.slice('redis-cluster://'.length);
  await everyJob(t, (user) => `redis-cluster://${user}:${password(user)}@${hosts}`);
});
