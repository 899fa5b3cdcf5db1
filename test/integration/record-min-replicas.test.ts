/**
 * RECORD_MIN_REPLICAS against a real redis-server: with no replica connected, a batch Redis took
 * is not counted as written (WAIT falls short); it stays pending, goes to the spool, and once a
 * replica has synced it is retried through the script and every record is in the stream exactly
 * once, although the first attempt had already put it there.
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import t from 'tap';
import { fromFields } from '../../src/records/entry.js';
import { requireBinary } from '../helpers/binaries.js';
import { freeTcpPort } from '../helpers/ports.js';
import { callRecord, writerBed } from '../helpers/records.js';
import { startRedis } from '../helpers/redis.js';
import { tempDir } from '../helpers/temp-dir.js';
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
  const port = await freeTcpPort();
  const replica = spawn(
    requireBinary('redis-server', 'redis-server'),
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      // its full sync writes the master's snapshot to <dir>/dump.rdb: not into the repository
      '--dir',
      tempDir('calltrack-replica-'),
      '--save',
      '',
      '--appendonly',
      'no',
      '--replicaof',
      '127.0.0.1',
      String(server.port),
    ],
    { stdio: 'ignore' },
  );
  t.teardown(() => {
    replica.kill('SIGKILL');
  });
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
