/**
 * The built gateway's admin API over HTTPS (ADMIN_TLS_CERT, ADMIN_TLS_KEY, a self-signed
 * certificate made here with the openssl CLI) and its refusals to start with half or broken TLS
 * settings; and the downloads with the audit trail in Redis (RECORD_SINK=redis, AUDIT_STREAM): a
 * dealer fetches its own recording and history, is refused another's, and each download is in
 * the stream and the log.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { sha256Hex } from '../../src/admin/tokens.js';
import { adminClient } from '../helpers/admin-client.js';
import { requireBinary } from '../helpers/binaries.js';
import { CUSTOMERS } from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import { heldProxy } from '../helpers/held-proxy.js';
import { freeTcpPort } from '../helpers/ports.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';
import { addRecords, streamRecord } from '../helpers/stream-records.js';
import { tempDir } from '../helpers/temp-dir.js';

const ADMIN = 'tok-admin-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const BERLIN = 'tok-berlin-ddddddddddddddddddddddddddddddddddd';
const NUMBERS = `version: 1
numbers:
  - { number: "+493025550101", customer: autohaus-berlin, source: mobile.de, status: active, destinations: [{ to: "+493089001234", ringTimeout: 20 }] }
  - { number: "+4331655501", customer: autohaus-graz, source: willhaben.at, status: active, destinations: [{ to: "+4331699001234", ringTimeout: 20 }] }
`;
const OWN = '6f1c2d3e-4b5a-4c6d-8e7f-000000000001';
const THEIRS = '6f1c2d3e-4b5a-4c6d-8e7f-000000000002';

function tokensFile(dir: string): string {
  const file = join(dir, 'tokens.yaml');
  writeFileSync(
    file,
    `version: 1\ntokens:\n  - { name: ops, role: admin, sha256: "${sha256Hex(ADMIN)}" }\n  - { name: dealer-berlin, role: "customer:autohaus-berlin", sha256: "${sha256Hex(BERLIN)}" }\n`,
  );
  return file;
}

/** A self-signed certificate for localhost and 127.0.0.1, and its key. */
function selfSigned(dir: string): { cert: string; key: string } {
  const openssl = requireBinary('openssl', 'openssl');
  const cert = join(dir, 'admin.crt');
  const key = join(dir, 'admin.key');
  const r = spawnSync(openssl, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { cert, key };
}

t.test('with a certificate and key the admin API speaks HTTPS only', async (t) => {
  const dir = tempDir('calltrack-admin-tls-');
  const { cert, key } = selfSigned(dir);
  const port = await freeTcpPort();
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': NUMBERS },
    {
      ADMIN_HTTP_PORT: String(port),
      ADMIN_TOKENS_FILE: tokensFile(dir),
      ADMIN_TLS_CERT: cert,
      ADMIN_TLS_KEY: key,
    },
  );
  t.match(gw.logs(), /"adminScheme":"https"/);
  const api = adminClient({ port, ca: readFileSync(cert) });
  const d = await api.get('/v1/dialplan', ADMIN);
  t.equal(d.status, 200, 'HTTPS, the certificate verified against its own CA');
  t.match(d.body, { counts: { customers: 2, activeNumbers: 2 } });
  t.equal((await api.get('/v1/openapi.json', BERLIN)).status, 200);
  t.equal((await api.get('/v1/dialplan')).status, 401, 'still authenticated');
  // plain HTTP to the same port gets no answer from the API: TLS or nothing
  const plain = await new Promise<string>((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/dialplan',
        headers: { authorization: `Bearer ${ADMIN}` },
      },
      (res) => resolve(`status ${res.statusCode}`),
    );
    req.on('error', (err) => resolve(`error ${err.message}`));
    req.setTimeout(3000, () => req.destroy(new Error('timeout')));
    req.end();
  });
  t.notMatch(plain, /status 200/, `plain HTTP is not served (${plain})`);
});

t.test(
  'half a TLS setting, an unreadable file or a broken pair refuses to start (exit 2)',
  async (t) => {
    const dir = tempDir('calltrack-admin-tls-');
    const { cert, key } = selfSigned(dir);
    const other = selfSigned(tempDir('calltrack-admin-tls-'));
    const base = {
      ADMIN_HTTP_PORT: String(await freeTcpPort()),
      ADMIN_TOKENS_FILE: tokensFile(dir),
    };
    const files = { 'customers.yaml': CUSTOMERS };
    const cases: [Record<string, string>, RegExp][] = [
      [{ ADMIN_TLS_CERT: cert }, /ADMIN_TLS_KEY: ADMIN_TLS_CERT and ADMIN_TLS_KEY go together/],
      [{ ADMIN_TLS_KEY: key }, /ADMIN_TLS_CERT: ADMIN_TLS_CERT and ADMIN_TLS_KEY go together/],
      [
        { ADMIN_TLS_CERT: join(dir, 'missing.crt'), ADMIN_TLS_KEY: key },
        /ADMIN_TLS_CERT: cannot read .*missing\.crt/,
      ],
      [
        { ADMIN_TLS_CERT: cert, ADMIN_TLS_KEY: join(dir, 'missing.key') },
        /ADMIN_TLS_KEY: cannot read .*missing\.key/,
      ],
      [
        { ADMIN_TLS_CERT: cert, ADMIN_TLS_KEY: other.key },
        /ADMIN_TLS_CERT, ADMIN_TLS_KEY: .* are not a PEM certificate and its key/,
      ],
      [
        { ADMIN_TLS_CERT: key, ADMIN_TLS_KEY: cert },
        /ADMIN_TLS_CERT, ADMIN_TLS_KEY: .* are not a PEM certificate and its key/,
      ],
    ];
    for (const [env, message] of cases) {
      const err = await startGateway(t, files, { ...base, ...env }).catch((e: Error) => e);
      t.match(String(err), /gateway exited with 2:/, Object.keys(env).join(' '));
      t.match(String(err), message);
      t.notMatch(String(err), /PRIVATE KEY-----\n[A-Za-z0-9+/]/, 'no key material in the message');
    }
  },
);

const WAV = Buffer.from('RIFF....WAVEfmt wav body');

/**
 * Two customers' recordings on disk, a call of Berlin's in the Redis stream, and a gateway with
 * the admin API writing its audit trail to Redis at `gatewayRedisUrl` (default: that Redis).
 */
async function downloadBed(t: Test, gatewayRedisUrl?: (redis: RedisServer) => Promise<string>) {
  const redis = await startRedis(t);
  const dir = tempDir('calltrack-admin-dl-');
  const recordings = join(dir, 'recordings');
  spawnSync('mkdir', ['-p', recordings]);
  for (const [id, number, customer] of [
    [OWN, '+493025550101', 'autohaus-berlin'],
    [THEIRS, '+4331655501', 'autohaus-graz'],
  ] as const) {
    writeFileSync(join(recordings, `${id}.wav`), WAV);
    writeFileSync(
      join(recordings, `${id}.json`),
      JSON.stringify({
        recordId: id,
        trackingNumber: number,
        customer,
        retentionDays: 30,
        startedAt: new Date().toISOString(),
      }),
    );
  }
  const conn = new Redis(redis.url);
  t.teardown(() => conn.disconnect());
  await addRecords(conn, 'calltrack:{records}:calls', [
    streamRecord({
      customer: 'autohaus-berlin',
      startedAt: '2026-11-02T09:00:00.000Z',
      endedAt: '2026-11-02T09:01:00.000Z',
    }),
  ]);
  const port = await freeTcpPort();
  const redisUrl = gatewayRedisUrl ? await gatewayRedisUrl(redis) : redis.url;
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': NUMBERS },
    {
      ADMIN_HTTP_PORT: String(port),
      ADMIN_TOKENS_FILE: tokensFile(dir),
      RECORD_SINK: 'redis',
      REDIS_URL: redisUrl,
      RECORD_SPOOL_DIR: tempDir('calltrack-gw-spool-'),
      RECORDING_DIR: recordings,
      AUDIT_STREAM: 'ops:audit',
    },
  );
  return { conn, gw, api: adminClient({ port }) };
}

t.test(
  'downloads through the gateway, each one in the Redis audit stream and the log',
  async (t) => {
    const { conn, gw, api } = await downloadBed(t);
    const own = await api.get(`/v1/recordings/${OWN}`, BERLIN);
    t.equal(own.status, 200);
    t.ok(own.raw.equals(WAV));
    t.equal(
      (await api.get(`/v1/recordings/${THEIRS}`, BERLIN)).status,
      404,
      "another customer's recording",
    );
    const calls = await api.get(
      '/v1/customers/autohaus-berlin/calls?from=2026-11-01&to=2026-11-30&format=csv',
      BERLIN,
    );
    t.equal(calls.status, 200);
    t.equal(calls.body.trim().split('\n').length, 2);
    t.equal(
      (await api.get('/v1/customers/autohaus-graz/calls?from=2026-11-01&to=2026-11-30', BERLIN))
        .status,
      404,
    );
    const trail = await api.get('/v1/audit', ADMIN);
    t.match(trail.body.entries, [
      { actor: 'dealer-berlin', action: 'recording.download', target: OWN },
      {
        actor: 'dealer-berlin',
        action: 'history.download',
        target: 'autohaus-berlin',
        detail: { from: '2026-11-01', to: '2026-11-30', format: 'csv' },
      },
    ]);
    t.equal(trail.body.entries.length, 2, 'refusals are not downloads');
    t.equal(await conn.xlen('ops:audit'), 2, 'in the stream AUDIT_STREAM names');
    t.match(
      gw.logs(),
      /"recordId":"6f1c2d3e-4b5a-4c6d-8e7f-000000000001","msg":"audit: recording.download /,
    );
  },
);

t.test(
  "a download in the admin API's first moments is audited, not refused: the API opens with its store",
  async (t) => {
    // Redis answers the gateway's connections only half a second after the first one, as a
    // Redis still starting or a slow link would. The admin API waits for its own connection (up
    // to the 2 s connect timeout) before it listens, and the probes the test waits for open
    // after it; before, the first download met a connection not yet ready and got a 503
    const { conn, api } = await downloadBed(t, async (redis) => {
      const proxy = await heldProxy(t, redis.port);
      void proxy.firstConnection.then(() => setTimeout(() => proxy.release(), 500));
      return `redis://127.0.0.1:${proxy.port}`;
    });
    const own = await api.get(`/v1/recordings/${OWN}`, BERLIN);
    t.equal(own.status, 200, 'the first download is served');
    t.equal(await conn.xlen('ops:audit'), 1, 'and audited');
  },
);
