/**
 * The writer's memory → spool step while Redis is down (a real redis-server, stopped): records
 * that come in while the spool fsyncs are spooled in the next round, never dropped; only what a
 * full spool refuses, beyond RECORD_MEMORY_LIMIT, is dropped, counted and logged.
 */
import { Redis } from 'ioredis';
import t from 'tap';
import { fromFields } from '../../src/records/entry.js';
import { Spool, type Spooled } from '../../src/records/spool.js';
import { callRecord, writerBed } from '../helpers/records.js';
import { startRedis } from '../helpers/redis.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const STREAM = 'calltrack:{records}:calls';

/** A spool on a slow disk: each append waits `delayMs` before it writes, as an fsync under load. */
class SlowSpool extends Spool {
  appending = false;
  constructor(
    dir: string,
    readonly delayMs: number,
    maxBytes = 1 << 30,
  ) {
    super(dir, 'gw-test', maxBytes);
  }
  override async append(items: readonly Spooled[]): Promise<number> {
    this.appending = true;
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.appending = false;
    return super.append(items);
  }
}

const dropped = async (bed: { metrics: { getSingleMetric(n: string): unknown } }) => {
  const metric = bed.metrics.getSingleMetric('calltrack_records_dropped_total') as
    | { get(): Promise<{ values: { value: number }[] }> }
    | undefined;
  return (await metric?.get())?.values[0]?.value ?? 0;
};

t.test('records that come in while the spool fsyncs are spooled next, none dropped', async (t) => {
  const redis = await startRedis(t);
  const spool = new SlowSpool(tempDir('calltrack-spool-'), 300);
  await spool.open();
  const bed = await writerBed(t, redis.url, { spool, memoryLimit: 100, spoolAfterMs: 0 });
  await redis.stop();
  const ids: string[] = [];
  const write = (n: number) => {
    for (let i = 0; i < n; i++) {
      const record = callRecord('answered', { recordId: `sp-${ids.length}` });
      ids.push(record.recordId);
      bed.writer.write(record);
    }
  };
  write(100);
  await waitFor(() => spool.appending || undefined, 10_000, 'the first append under way');
  // memory reaches 250 beyond the limit while the spool is busy with the first 100
  write(250);
  await bed.writer.flush();
  t.equal(await dropped(bed), 0, 'nothing dropped: the spool took everything it was offered');
  t.equal(spool.pending, 350, 'all 350 are in the spool');
  t.notMatch(bed.logs(), /record spool full/, 'and nothing logged as dropped');
  await redis.start();
  await waitFor(
    () => (spool.pending === 0 && bed.writer.redisUp) || undefined,
    20_000,
    'the spool replayed',
  );
  const r = new Redis(redis.url);
  t.teardown(() => r.disconnect());
  const got = (await r.xrange(STREAM, '-', '+')).map(([, f]) => fromFields(f).id);
  t.same(got, ids, 'every record once, in order');
});

t.test(
  'a full spool: only what exceeds the memory limit is dropped, counted, logged',
  async (t) => {
    const redis = await startRedis(t);
    // room for about 20 records
    const spool = new SlowSpool(tempDir('calltrack-spool-'), 0, 20 * 700);
    await spool.open();
    const bed = await writerBed(t, redis.url, { spool, memoryLimit: 50, spoolAfterMs: 0 });
    await redis.stop();
    for (let i = 0; i < 200; i++) bed.writer.write(callRecord('answered'));
    await waitFor(async () => (await dropped(bed)) > 0 || undefined, 10_000, 'records dropped');
    const spooled = spool.pending;
    t.ok(spooled > 0 && spooled < 200, `the spool took what fitted (${spooled})`);
    t.equal(
      await dropped(bed),
      200 - spooled - 50,
      'dropped: all but the spooled and 50 in memory',
    );
    t.match(bed.logs(), /record spool full: call records dropped/, 'logged as an error');
    // Redis back: what the spool and memory kept arrives, so the writer can close
    await redis.start();
    await waitFor(
      () => (spool.pending === 0 && bed.writer.redisUp) || undefined,
      20_000,
      'the spool replayed',
    );
    await bed.writer.flush();
    const r = new Redis(redis.url);
    t.teardown(() => r.disconnect());
    t.equal(await r.xlen(STREAM), spooled + 50, 'the spooled and the 50 kept in memory arrived');
  },
);
