/**
 * The privacy scan (issue 15), end to end on the shipped Redis users: the built gateway writes as
 * `gateway`, its admin API reads and audits as `admin-api` and reads traffic for billing as
 * `billing`, the analytics process counts as `analytics`. After real calls, one showing its number and one withholding it (CLIR: anonymous
 * From and `Privacy: id`, the number still in P-Asserted-Identity from a carrier trusted for
 * identity), and after billing and a customer read their traffic data, the shown caller's number is
 * in the traffic stream and nowhere else: not in the call stream, the analytics keys, the audit
 * trail, any other key, the logs, the metrics or the spool. The withheld number is nowhere at all.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import t from 'tap';
import { sha256Hex } from '../../src/admin/tokens.js';
import { localDay } from '../../src/records/day.js';
import { adminClient } from '../helpers/admin-client.js';
import { CUSTOMERS, callThrough, dealerSipp, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { carriersFile, loopbackCarrier } from '../helpers/carriers.js';
import { startGateway } from '../helpers/gateway.js';
import { freeTcpPort } from '../helpers/ports.js';
import { startAclRedis } from '../helpers/redis-acl.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const SHOWN = '+4917699887766';
const WITHHELD = '+4915112345678';
/** The digits after the country code: found in E.164, national (0…) and URI forms alike. */
const digitsOf = (e164: string) => e164.slice(3);
const TOKENS = {
  billing: 'tok-billing-privacy-scan-aaaaaaaaaaaaaaaaaaaaa',
  berlin: 'tok-berlin-privacy-scan-bbbbbbbbbbbbbbbbbbbbbb',
};

/** Every key of the Redis with all it holds, as text. */
async function dump(r: Redis): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) out.set(key, JSON.stringify(await contentOf(r, key)));
  } while (cursor !== '0');
  return out;
}

async function contentOf(r: Redis, key: string): Promise<unknown> {
  const type = await r.type(key);
  if (type === 'stream') return r.xrange(key, '-', '+');
  if (type === 'hash') return r.hgetall(key);
  if (type === 'string') return r.get(key);
  if (type === 'set') return r.smembers(key);
  if (type === 'zset') return r.zrange(key, 0, -1, 'WITHSCORES');
  if (type === 'list') return r.lrange(key, 0, -1);
  throw new Error(`${key}: a key of type ${type} the scan cannot read`);
}

t.test(
  'a caller number is stored in the traffic stream only; a withheld one nowhere',
  async (t) => {
    const redis = await startAclRedis(t);
    const admin = new Redis(redis.urlOf('admin'));
    admin.on('error', () => undefined);
    t.teardown(() => admin.disconnect());
    const spool = tempDir('calltrack-privacy-spool-');
    const tokensFile = join(tempDir('calltrack-privacy-tokens-'), 'tokens.yaml');
    writeFileSync(
      tokensFile,
      [
        'version: 1',
        'tokens:',
        `  - { name: accounts, role: billing, sha256: "${sha256Hex(TOKENS.billing)}" }`,
        `  - { name: dealer-berlin, role: "customer:autohaus-berlin", sha256: "${sha256Hex(TOKENS.berlin)}" }`,
        '',
      ].join('\n'),
    );
    const adminPort = await freeTcpPort();
    const dealer = await dealerSipp('uas-answer-200.xml');
    const dealer2 = await dealerSipp('uas-answer-200.xml');
    const gw = await startGateway(
      t,
      {
        'customers.yaml': CUSTOMERS,
        'numbers.yaml': numbersYaml([{ port: dealer.port }, { port: dealer2.port }]),
      },
      {
        RECORD_SINK: 'redis',
        REDIS_URL: redis.urlOf('gateway'),
        BILLING_REDIS_URL: redis.urlOf('billing'),
        ADMIN_REDIS_URL: redis.urlOf('admin-api'),
        RECORD_SPOOL_DIR: spool,
        TRAFFIC_RECORDS: 'on',
        CALLER_PSEUDONYM_SECRET: 'privacy-scan',
        CARRIERS_FILE: carriersFile(t, loopbackCarrier(['trustIdentity: true'])),
        ADMIN_HTTP_PORT: String(adminPort),
        ADMIN_TOKENS_FILE: tokensFile,
      },
    );
    const analytics = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'analytics', '--consumer', 'privacy'],
      { env: { ...process.env, REDIS_URL: redis.urlOf('analytics'), LOG_LEVEL: 'debug' } },
    );
    let analyticsLog = '';
    analytics.stdout.on('data', (c) => (analyticsLog += String(c)));
    analytics.stderr.on('data', (c) => (analyticsLog += String(c)));
    t.teardown(() => analytics.kill('SIGKILL'));

    t.match(await callThrough(gw, 'uac-expect-200-caller-bye.xml', TRACKING, SHOWN), {
      exitCode: 0,
    });
    t.match(await callThrough(gw, 'uac-withheld-expect-200-caller-bye.xml', TRACKING, WITHHELD), {
      exitCode: 0,
    });
    await waitFor(async () => (await admin.xlen('calltrack:{records}:traffic')) === 2, 10_000);
    await waitFor(
      async () => (await admin.keys('calltrack:{analytics}:calls:*')).length > 0,
      10_000,
    );

    // the readers: billing's export and the customer's own history, both audited
    const api = adminClient({ port: adminPort });
    const today = localDay(Date.now());
    const range = `from=${today}&to=${today}`;
    const billed = await api.get(
      `/v1/traffic?customer=autohaus-berlin&${range}&format=json`,
      TOKENS.billing,
    );
    t.equal(billed.status, 200);
    t.same(
      billed.body.map((r: { caller: string | null }) => r.caller),
      [SHOWN, null],
      'billing sees the shown number and no withheld one',
    );
    const own = await api.get(`/v1/customers/autohaus-berlin/traffic?${range}`, TOKENS.berlin);
    t.equal(own.status, 200);
    t.same(
      own.body.map((r: { caller: string | null }) => r.caller),
      [`${SHOWN.slice(0, -3)}xxx`, null],
      'the dealer sees it masked (the default)',
    );
    t.equal(await admin.xlen('calltrack:audit'), 2, 'both reads are in the audit trail');

    const shown = digitsOf(SHOWN);
    const withheld = digitsOf(WITHHELD);
    const keys = await dump(admin);
    t.ok(
      keys.has('calltrack:{records}:calls') && keys.has('calltrack:audit'),
      'the scan sees the streams',
    );
    t.ok(
      [...keys.keys()].some((k) => k.startsWith('calltrack:{analytics}:')),
      'and the analytics keys',
    );
    const holding = (digits: string) =>
      [...keys].filter(([, v]) => v.includes(digits)).map(([k]) => k);
    t.same(
      holding(shown),
      ['calltrack:{records}:traffic'],
      'the shown number: in the traffic stream only',
    );
    t.same(holding(withheld), [], 'the withheld number: in no key at all');

    const metrics = await gw.metrics();
    const spooled = readdirSync(spool)
      .map((f) => readFileSync(join(spool, f), 'utf8'))
      .join('\n');
    for (const [what, text] of [
      ['the gateway log', gw.logs()],
      ['the analytics log', analyticsLog],
      ['the metrics', metrics],
      ['the spool', spooled],
    ] as const) {
      t.notOk(text.includes(shown), `the shown number is not in ${what}`);
      t.notOk(text.includes(withheld), `the withheld number is not in ${what}`);
    }
    t.ok(gw.logs().length > 1000, 'the log was read (it is not empty)');
  },
);
