/**
 * Call records from real calls into a real Redis stream, through the gateway as `npm start` runs
 * it; a Redis outage leaves calls working and the node ready, and loses no record.
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
      (await r.xrange('calltrack:calls', '-', '+')).map(([, f]) => fromFields(f));
    const wait = (check: () => Promise<boolean>) => waitFor(check, 10_000).catch(() => undefined);
    t.match(await callThrough(gw, 'uac-expect-200-caller-bye.xml', TRACKING), { exitCode: 0 });
    await wait(async () => (await r.xlen('calltrack:calls')) === 1);
    t.match(await stream(), [
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
    await wait(async () => (await r.xlen('calltrack:calls').catch(() => 0)) === 2);
    t.match(
      await stream(),
      [{ outcome: 'answered' }, { outcome: 'rejected', rejectReason: 'unknown', sipStatus: '404' }],
      'replayed after the outage',
    );
    t.match(await gw.metrics(), /^calltrack_redis_connected 1$/m, 'and back');
    t.notMatch(
      JSON.stringify(await r.xrange('calltrack:calls', '-', '+')),
      CALLER.slice(3),
      'no caller number in the stream',
    );
  },
);
