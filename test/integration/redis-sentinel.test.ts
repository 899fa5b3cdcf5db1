/**
 * The record writer behind Redis Sentinel (one master, one replica, one Sentinel on loopback),
 * reached through a `redis-sentinel://` URL: the master SIGKILLed under load, the Sentinel
 * promotes the replica, the client follows it, and every record is in the streams exactly once
 * (RECORD_MIN_REPLICAS=1; the old master comes back as the new one's replica). And the client
 * keeps connecting when the Sentinels' news of a promotion meets it between connections.
 */
import t from 'tap';
import { recordRedis } from '../../src/records/open-writer.js';
import { checkExactlyOnce, writeThroughFailover } from '../helpers/failover-load.js';
import { startSentinelSet } from '../helpers/redis-cluster.js';
import { waitFor } from '../helpers/wait.js';

t.test('the master killed under load: the Sentinel promotes, 0 lost, 0 duplicated', async (t) => {
  const set = await startSentinelSet(t);
  t.equal(await set.masterPort(), set.master.port, 'the Sentinel names the master');
  const result = await writeThroughFailover(t, set.url, 3000, async () => {
    await set.master.kill();
    await waitFor(
      async () => (await set.masterPort()) === set.replica.port || undefined,
      30_000,
      'the Sentinel to promote the replica',
    );
    // back as a replaced box without persistence must come: a replica of the master the Sentinel
    // names, so WAIT 1 is met again. Started as a master it would be empty, and a second
    // failover (the new master slow for a moment) could promote it and wipe the data.
    await set.master.start(['--replicaof', '127.0.0.1', String(set.replica.port)]);
  });
  t.equal(await set.masterPort(), set.replica.port, 'the replica is the master now');
  checkExactlyOnce(t, result);
  t.comment(`records that went through the spool at most: ${result.spooled}`);
});

t.test(
  'a promotion heard while the client is between connections: it connects again',
  async (t) => {
    const set = await startSentinelSet(t);
    const redis = recordRedis(set.url);
    redis.on('error', () => undefined);
    t.teardown(() => redis.disconnect());
    await waitFor(() => redis.status === 'ready' || undefined, 15_000, 'the first connection');
    // what ioredis' failover detector does on +switch-master, timed as after a master died: the
    // client is asking the Sentinel where the master is when the detector disconnects it
    const detector = (redis as unknown as { connector: { disconnect(): void } }).connector;
    redis.once('connecting', () => detector.disconnect());
    redis.disconnect(true);
    let ready = false;
    redis.once('ready', () => {
      ready = true;
    });
    await waitFor(() => ready || redis.status === 'end' || undefined, 15_000, 'ready or ended');
    await waitFor(
      () => ready || undefined,
      5_000,
      `the client connected again, not ${redis.status}`,
    );
    t.equal(await redis.ping(), 'PONG', 'and answers');
    redis.disconnect();
    await waitFor(() => redis.status === 'end' || undefined, 5_000, 'the client closed');
    await new Promise((r) => setTimeout(r, 300));
    t.equal(redis.status, 'end', 'one this side disconnects stays closed');
  },
);
