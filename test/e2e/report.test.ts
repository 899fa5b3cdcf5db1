/**
 * From calls to the dealer's report: sipp calls two tracking numbers (two sales channels)
 * through the gateway, records go to a real Redis, `calltrack analytics` counts them as its own
 * process, and `calltrack report` shows the calls per source.
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import t from 'tap';
import { localDay } from '../../src/records/day.js';
import { CALLER, CUSTOMERS, callThrough, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { cli } from '../helpers/cli-io.js';
import { startGateway } from '../helpers/gateway.js';
import { startRedis } from '../helpers/redis.js';
import { startSipp } from '../helpers/sipp.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

t.test('sipp calls show up per source in calltrack report', async (t) => {
  const redis = await startRedis(t);
  const answers = await startSipp({ scenario: 'uas-answer-200.xml', calls: 2 });
  const busy = await startSipp({ scenario: 'uas-busy-486.xml' });
  const SECOND = '+493025550109';
  const gw = await startGateway(
    t,
    {
      'customers.yaml': CUSTOMERS,
      'a.yaml': numbersYaml([{ port: answers.port }]),
      'b.yaml': numbersYaml([{ port: busy.port }], [], SECOND).replace(
        'source: mobile.de',
        'source: "Print, \\"Morgenpost\\""',
      ),
    },
    {
      RECORD_SINK: 'redis',
      REDIS_URL: redis.url,
      RECORD_SPOOL_DIR: tempDir('calltrack-report-spool-'),
    },
  );
  const env = { ...process.env, REDIS_URL: redis.url, LOG_LEVEL: 'warn' };
  const analytics = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'analytics', '--consumer', 'e2e'],
    { env, stdio: 'ignore' },
  );
  t.teardown(() => analytics.kill('SIGKILL'));

  for (let i = 0; i < 2; i++)
    t.match(await callThrough(gw, 'uac-expect-200-caller-bye.xml', TRACKING), { exitCode: 0 });
  t.match(await callThrough(gw, 'uac-expect-486.xml', SECOND), {
    exitCode: 0,
  });
  t.match(await callThrough(gw, 'uac-expect-404.xml', '+493099999999'), { exitCode: 0 });

  const today = localDay(Date.now());
  const report = async () => {
    const r = await cli(
      [
        'report',
        '--customer',
        'autohaus-berlin',
        '--from',
        today,
        '--to',
        today,
        '--format',
        'json',
      ],
      new Date().toISOString(),
      { REDIS_URL: redis.url },
    );
    return r.code === 0
      ? (JSON.parse(r.out.join('\n')) as { sources: { source: string; calls: number }[] })
      : undefined;
  };
  const counted = async () => {
    const r = await report();
    return (r?.sources ?? []).reduce((n, s) => n + s.calls, 0) >= 3 ? r : undefined;
  };
  const got = await waitFor(counted, 10_000).catch(() => report());
  const bySource = Object.fromEntries((got?.sources ?? []).map((s) => [s.source, s]));
  t.match(
    bySource['mobile.de'],
    { calls: 2, outcomes: { answered: 2 } },
    'two answered calls on mobile.de',
  );
  t.match(
    bySource['Print, "Morgenpost"'],
    { calls: 1, outcomes: { busy: 1 } },
    'one busy call on the print number',
  );
  const table = await cli(
    ['report', '--customer', 'autohaus-berlin', '--from', today, '--to', today],
    new Date().toISOString(),
    { REDIS_URL: redis.url },
  );
  t.equal(table.code, 0);
  t.match(
    table.out.join('\n'),
    /mobile\.de[\s\S]*66\.7 ?%/,
    'the table shows each source with its share',
  );

  // the same caller made every call: its number is in no Redis key or value, log line or metric
  const r = new Redis(redis.url);
  t.teardown(() => r.disconnect());
  const dump: string[] = [];
  for (const key of await r.keys('*')) {
    const type = await r.type(key);
    const value =
      type === 'stream'
        ? await r.xrange(key, '-', '+')
        : type === 'hash'
          ? await r.hgetall(key)
          : type === 'string'
            ? await r.get(key)
            : await r.dump(key);
    dump.push(key, JSON.stringify(value));
  }
  t.ok(dump.length > 0, 'records and analytics are in Redis');
  const digits = CALLER.slice(3);
  t.notMatch(dump.join('\n'), digits, 'not in Redis');
  t.notMatch(gw.logs(), digits, 'not in the gateway log');
  t.notMatch(await gw.metrics(), digits, 'not in /metrics');
});
