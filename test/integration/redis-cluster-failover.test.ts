/**
 * A Redis Cluster (three masters, one replica each, on loopback) loses a master under load: the
 * master of the `{records}` slot is SIGKILLed among 3000 calls, its replica takes over, and every
 * record is in both streams exactly once (RECORD_MIN_REPLICAS=1: WAIT after each batch).
 */
import t from 'tap';
import { DEFAULT_RECORD_STREAM } from '../../src/records/record-keys.js';
import { keySlot } from '../../src/redis/slot.js';
import { checkExactlyOnce, writeThroughFailover } from '../helpers/failover-load.js';
import { startRedisCluster } from '../helpers/redis-cluster.js';

t.test('the {records} master killed under load: 0 records lost, 0 duplicated', async (t) => {
  const cluster = await startRedisCluster(t);
  const slot = keySlot(DEFAULT_RECORD_STREAM);
  const master = await cluster.masterOf(slot);
  const result = await writeThroughFailover(t, cluster.url, 3000, async () => {
    await master.kill();
    // the replica takes over; the old master comes back as its replica, so WAIT 1 can be met
    // again (until then batches are not acknowledged and wait in memory and the spool)
    await cluster.waitHealthy(master, slot);
    await master.start();
  });
  t.not((await cluster.masterOf(slot)).port, master.port, 'the replica was promoted');
  checkExactlyOnce(t, result);
  t.comment(`records that went through the spool at most: ${result.spooled}`);
});
