/**
 * The record writer behind Redis Sentinel (one master, one replica, one Sentinel on loopback),
 * reached through a `redis-sentinel://` URL: the master SIGKILLed under load, the Sentinel
 * promotes the replica, the client follows it, and every record is in the streams exactly once
 * (RECORD_MIN_REPLICAS=1; the old master comes back as the new one's replica).
 */
import t from 'tap';
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
    // back as the new master's replica (the Sentinel reconfigures it), so WAIT 1 is met again
    await set.master.start();
  });
  t.equal(await set.masterPort(), set.replica.port, 'the replica is the master now');
  checkExactlyOnce(t, result);
  t.comment(`records that went through the spool at most: ${result.spooled}`);
});
