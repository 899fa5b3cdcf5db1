/**
 * RECORD_MIN_REPLICAS against a real redis-server: with no replica connected, a batch Redis took
 * is not counted as written (WAIT falls short); it stays pending, goes to the spool, and once a
 * replica has synced it is retried through the script and every record is in the stream exactly
 * once, although the first attempt had already put it there.
 */
import { Redis } from 'ioredis';
import t from 'tap';
import { fromFields } from '../../src/records/entry.js';
import { marksKey } from '../../src/records/record-keys.js';
import { awaitReplicas } from '../../src/records/redis-append.js';
import { callRecord, writerBed } from '../helpers/records.js';
import { startRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const STREAM = 'calltrack:{records}:calls';

t.test('a batch no replica acknowledged stays pending and is written exactly once', async (t) => {
  const server = await startRedis(t);
  const bed = await writerBed(t, server.url, { minReplicas: 1, replicaTimeoutMs: 200 });
  const records = Array.from({ length: 40 }, (_, i) =>
    callRecord('answered', { recordId: `mr-${i}` }),
  );
  for (const r of records) bed.writer.write(r);
  const admin = new Redis(server.url);
  t.teardown(() => admin.disconnect());
  await waitFor(() => bed.spool.pending === 40 || undefined, 10_000, 'the batch spooled');
  t.equal(await admin.xlen(STREAM), 40, 'Redis took the batch');
  t.notOk(bed.writer.redisUp, 'but the writer does not count it written');
  t.match(
    bed.logs(),
    /0 of 1 replicas acknowledged the batch within 200 ms \(RECORD_MIN_REPLICAS\)/,
  );
  const written = async () =>
    (await bed.metrics.getSingleMetric('calltrack_records_written_total')?.get())?.values[0]
      ?.value ?? 0;
  t.equal(await written(), 0, 'not counted as written');

  // a replica joins: the spooled batch is replayed through the script, which finds it marked
  await startRedis(t, ['--replicaof', '127.0.0.1', String(server.port)]);
  await waitFor(
    () => (bed.spool.pending === 0 && bed.writer.redisUp) || undefined,
    20_000,
    'the replayed batch acknowledged',
  );
  t.equal(await written(), 40, 'counted once acknowledged');
  const ids = (await admin.xrange(STREAM, '-', '+')).map(([, f]) => fromFields(f).id);
  t.same(
    ids,
    records.map((r) => r.recordId),
    'every record exactly once, in order',
  );
});

t.test('a batch counts only on a node whose mark reaches it, whatever WAIT says', async (t) => {
  // no replica needed: WAIT 0 is met at once, so only the mark decides here (the replica path is
  // the test above)
  const server = await startRedis(t);
  const redis = new Redis(server.url);
  t.teardown(() => redis.disconnect());
  const target = { stream: STREAM, node: 'gw-test', retentionDays: 400 };
  await redis.hset(marksKey(STREAM), 'gw-test', '1764700000000000');
  await awaitReplicas(redis, target, 0, 2000, 1764700000000000);
  t.equal(await redis.hget(marksKey(STREAM), 'gw-test'), '1764700000000000', 'the mark kept');
  // a node that answers with an older mark (a failover promoted a replica without the batch)
  // does not hold the batch
  await t.rejects(
    awaitReplicas(redis, target, 0, 2000, 1764700000000001),
    { name: 'ReplicaShortfall', message: /up to 1764700000000000, not the batch ending at/ },
    'not written, however many replicas answer',
  );
  await t.rejects(
    awaitReplicas(redis, { ...target, node: 'gw-new' }, 0, 2000, 1),
    { name: 'ReplicaShortfall' },
    'a node without any mark of ours holds none of our batches',
  );
});
