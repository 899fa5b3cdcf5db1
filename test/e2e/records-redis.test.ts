/**
 * Call records from real calls into a real Redis stream, through the gateway as `npm start` runs
 * it; a Redis outage leaves calls working and the node ready, and loses no record. Entries are
 * counted exactly, once the writer says it is done: one more (a duplicate) fails as one fewer does.
 */
import { Redis } from 'ioredis';
import t from 'tap';
import { fromFields } from '../../src/records/entry.js';
import { CALLER, CUSTOMERS, callThrough, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import { startRedis } from '../helpers/redis.js';
import { startSipp } from '../helpers/sipp.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

t.test(
  'records land in the stream; during a Redis outage calls go on and records are spooled',
  async (t) => {
    const redis = await startRedis(t);
    const dealer = await startSipp({ scenario: 'uas-answer-200.xml' });
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: dealer.port }]) },
      {
        RECORD_SINK: 'redis',
        REDIS_URL: redis.url,
        RECORD_SPOOL_DIR: tempDir('calltrack-gw-spool-'),
        RECORD_SPOOL_AFTER_MS: '100',
      },
    );
    const r = new Redis(redis.url);
    r.on('error', () => undefined);
    t.teardown(() => r.disconnect());
    const stream = async () =>
      (await r.xrange('calltrack:{records}:calls', '-', '+')).map(([, f]) => fromFields(f));
    /** The writer's own count, so the stream is read once it has nothing left to add. */
    const metric = async (name: string) =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await gw.metrics())?.[1] ?? Number.NaN);
    const wait = (what: string, check: () => Promise<boolean>) =>
      waitFor(check, 10_000, what).catch(() => undefined);
    const exactly = async (outcomes: string[], what: string) => {
      const entries = await stream();
      t.equal(await r.xlen('calltrack:{records}:calls'), outcomes.length, `${what}: stream length`);
      t.same(
        entries.map((e) => e.outcome),
        outcomes,
        `${what}: exactly these entries, in order`,
      );
      t.equal(new Set(entries.map((e) => e.id)).size, entries.length, `${what}: no id twice`);
      return entries;
    };
    t.match(await callThrough(gw, 'uac-expect-200-caller-bye.xml', TRACKING), { exitCode: 0 });
    await wait(
      'one record written',
      async () => (await metric('calltrack_records_written_total')) >= 1,
    );
    t.match(await exactly(['answered'], 'after the first call'), [
      {
        outcome: 'answered',
        trackingNumber: TRACKING,
        source: 'mobile.de',
        node: 'e2e',
        callerCountry: 'DE',
        callerKind: 'mobile',
      },
    ]);

    await redis.stop();
    t.match(
      await callThrough(gw, 'uac-expect-404.xml', '+493099999999'),
      { exitCode: 0 },
      'calls still work',
    );
    let ready = { status: 0, body: {} as Record<string, unknown> };
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`);
      ready = { status: res.status, body: (await res.json()) as Record<string, unknown> };
      if (String(ready.body.records).startsWith('spooling (1')) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    t.match(
      ready,
      { status: 200, body: { records: /^spooling \(1 in spool\)$/ } },
      `ready, and says it is spooling: ${JSON.stringify(ready.body)}`,
    );
    t.match(await gw.metrics(), /^calltrack_redis_connected 0$/m, 'the dashboard sees Redis gone');

    await redis.start();
    // replayed_total rises after the batch is in Redis, spool_pending falls with it: a writer
    // that added anything more for the replay has added it by then
    await wait(
      'the spool replayed',
      async () =>
        (await metric('calltrack_records_replayed_total')) === 1 &&
        (await metric('calltrack_records_spool_pending')) === 0,
    );
    t.match(
      await exactly(['answered', 'rejected'], 'after the replay'),
      [{ outcome: 'answered' }, { outcome: 'rejected', rejectReason: 'unknown', sipStatus: '404' }],
      'replayed after the outage',
    );
    t.match(await gw.metrics(), /^calltrack_redis_connected 1$/m, 'and back');
    t.notMatch(
      JSON.stringify(await r.xrange('calltrack:{records}:calls', '-', '+')),
      CALLER.slice(3),
      'no caller number in the stream',
    );
  },
);
