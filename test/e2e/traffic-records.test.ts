/**
 * Traffic records from real calls, through the gateway as `npm start` runs it with
 * TRAFFIC_RECORDS=on: an answered call and a withheld (CLIR) one give exactly two traffic
 * entries, the caller's number in the first and none in the second, each with the destination
 * that answered and its billable seconds, under the ids of their anonymised records.
 */
import { Redis } from 'ioredis';
import t from 'tap';
import { fromFields } from '../../src/records/entry.js';
import { fromTrafficFields } from '../../src/records/traffic-entry.js';
import { CALLER, CUSTOMERS, callThrough, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import { startRedis } from '../helpers/redis.js';
import { startSipp } from '../helpers/sipp.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

t.test('an answered call and a CLIR call: two traffic entries, CLIR without number', async (t) => {
  const redis = await startRedis(t);
  const dealer = await startSipp({ scenario: 'uas-answer-200.xml', calls: 2, timeoutMs: 30_000 });
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: dealer.port }]) },
    {
      RECORD_SINK: 'redis',
      REDIS_URL: redis.url,
      RECORD_SPOOL_DIR: tempDir('calltrack-gw-spool-'),
      TRAFFIC_RECORDS: 'on',
    },
  );
  const r = new Redis(redis.url);
  r.on('error', () => undefined);
  t.teardown(() => r.disconnect());

  t.match(await callThrough(gw, 'uac-expect-200-hold-3s-caller-bye.xml'), { exitCode: 0 });
  t.match(await callThrough(gw, 'uac-withheld-expect-200-caller-bye.xml'), { exitCode: 0 });
  t.match(await dealer.done, { exitCode: 0 }, 'the dealer answered both');
  await waitFor(async () => (await r.xlen('calltrack:{records}:traffic')) >= 2, 10_000).catch(
    () => undefined,
  );
  await new Promise((res) => setTimeout(res, 300));

  const traffic = (await r.xrange('calltrack:{records}:traffic', '-', '+')).map(([, f]) =>
    fromTrafficFields(f),
  );
  const calls = (await r.xrange('calltrack:{records}:calls', '-', '+')).map(([, f]) =>
    fromFields(f),
  );
  t.equal(traffic.length, 2, 'exactly two traffic entries');
  t.equal(calls.length, 2, 'and two call entries');
  t.same(
    traffic.map((e) => e.id),
    calls.map((c) => c.id),
    'under the ids of the anonymised records',
  );
  t.equal(new Set(calls.map((c) => c.id)).size, 2, 'two calls, two ids: neither written twice');
  const destination = `sip:dealer@127.0.0.1:${dealer.port}`;
  const [open, clir] = traffic;
  t.match(open, {
    trackingNumber: TRACKING,
    customer: 'autohaus-berlin',
    caller: CALLER,
    destination,
    outcome: 'answered',
    node: 'e2e',
  });
  t.match(clir, { caller: '', destination, outcome: 'answered', trackingNumber: TRACKING });
  for (const [label, e, min, max] of [
    ['the 3-second call', open, 3, 6],
    ['the 300 ms call', clir, 1, 2],
  ] as const) {
    const talked = Date.parse(e?.endedAt ?? '') - Date.parse(e?.answeredAt ?? '');
    t.equal(
      e?.billableSeconds,
      String(Math.ceil(talked / 1000)),
      `${label}: billed to the started second of its talk time`,
    );
    const billed = Number(e?.billableSeconds);
    t.ok(billed >= min && billed <= max, `${label}: ${billed} s billed`);
  }
  t.notMatch(
    JSON.stringify(await r.xrange('calltrack:{records}:calls', '-', '+')),
    CALLER.slice(3),
    'no caller number in the call stream',
  );
  t.notMatch(gw.logs(), CALLER.slice(3), 'nor in the log');
  t.notMatch(gw.logs(), /"destination":"/, 'the destination reached is not logged');
  t.match(await gw.metrics(), /^calltrack_traffic_records_written_total 2$/m);
});
