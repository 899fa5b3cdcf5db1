/**
 * The admin API with a large dialplan (BENCH_NUMBERS, 1,000,000 by default): one publishing
 * gateway (DIALPLAN_PUBLISH=on, the admin API) and BENCH_ADMIN_FOLLOWERS gateways that follow
 * it through Redis (DIALPLAN_SOURCE=redis), all built code started as `npm start` does.
 *
 * - write → every gateway serving it: BENCH_ADMIN_WRITES merge-patches of numbers spread over the
 *   files; from the publisher's 200 (the write accepted, the publisher serving it) until every
 *   follower's /readyz names the new version. Baseline: a follower's first full load of the set.
 * - list/paging: pages of GET /v1/numbers walked with their cursor, against GET /v1/dialplan (the
 *   same authentication and ETag, no work) as the baseline.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../src/admin/tokens.js';
import { ensureBuilt, ROOT, startArgs } from '../test/helpers/built.js';
import { freeTcpPort } from '../test/helpers/ports.js';
import { type StandinHandle, start } from '../test/standin/index.js';
import { cleanUp, type Proc, tempDir, trackChild } from './cps-procs.js';
import { generateNumbers } from './fixtures.js';
import { startBenchRedis } from './redis-server.js';
import { figure } from './report.js';

const NUMBERS = Number(process.env.BENCH_NUMBERS ?? 1_000_000);
const WRITES = Number(process.env.BENCH_ADMIN_WRITES ?? 100);
const FOLLOWERS = Number(process.env.BENCH_ADMIN_FOLLOWERS ?? 2);
const LIST_SECONDS = 5;
const PAGE = 100;
const SECRET = 'bench';
const TOKEN = 'bench-admin-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Node = Proc & { httpPort: number; adminPort: number; standin: StandinHandle };

const standins: StandinHandle[] = [];

async function startNode(name: string, env: Record<string, string>): Promise<Node> {
  const standin = await start({ sipPort: 0, adminPort: 0, secret: SECRET });
  standins.push(standin);
  const [httpPort, adminPort] = [await freeTcpPort(), await freeTcpPort()];
  const child = spawn(process.execPath, startArgs(), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      DRACHTIO_HOST: standin.adminAddress.address,
      DRACHTIO_PORT: String(standin.adminAddress.port),
      DRACHTIO_SECRET: SECRET,
      HTTP_PORT: String(httpPort),
      OUTBOUND_TRUNK: 'sip:127.0.0.1:5999',
      RECORD_SINK: 'log',
      LOG_LEVEL: 'warn',
      NODE_ID: name,
      ...(env.ADMIN_TOKENS_FILE && { ADMIN_HTTP_PORT: String(adminPort) }),
      ...env,
    },
  });
  return Object.assign(trackChild(child), { httpPort, adminPort, standin });
}

async function servedVersion(node: Node): Promise<string | undefined> {
  const body = await fetch(`http://127.0.0.1:${node.httpPort}/readyz`)
    .then((r) => r.json() as Promise<{ status: string; dialplanVersion?: string }>)
    .catch(() => undefined);
  return body?.status === 'ready' ? body.dialplanVersion : undefined;
}

async function untilServing(nodes: Node[], version: string | undefined, limitMs: number) {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const served = await Promise.all(nodes.map(servedVersion));
    if (served.every((v) => v !== undefined && (version === undefined || v === version)))
      return served[0]!;
    for (const n of nodes)
      if (n.child.exitCode !== null) throw new Error(`gateway exited:\n${n.output()}`);
    if (performance.now() > deadline)
      throw new Error(`bench admin: not serving ${version ?? 'a dialplan'} in time: ${served}`);
    await sleep(2);
  }
}

function api(node: Node, path: string, init: RequestInit = {}) {
  return fetch(`http://127.0.0.1:${node.adminPort}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, ...init.headers },
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Requests per second of `request` for LIST_SECONDS, one at a time. */
async function rate(request: (i: number) => Promise<void>): Promise<number> {
  const end = performance.now() + LIST_SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) await request(n++);
  return n / LIST_SECONDS;
}

ensureBuilt();
const dir = tempDir('calltrack-bench-admin-');
const dialplans = join(dir, 'dialplans');
const gen = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    fileURLToPath(new URL('./generate.ts', import.meta.url)),
    dialplans,
    String(NUMBERS),
  ],
  { stdio: 'inherit' },
);
if ((await new Promise((r) => gen.once('close', r))) !== 0)
  throw new Error('bench admin: generating dialplans failed');
const tokens = join(dir, 'tokens.yaml');
writeFileSync(
  tokens,
  `version: 1\ntokens:\n  - { name: bench, role: admin, sha256: "${sha256Hex(TOKEN)}" }\n`,
);
const redis = await startBenchRedis('admin');

try {
  const publisher = await startNode('publisher', {
    DIALPLAN_DIR: dialplans,
    DIALPLAN_PUBLISH: 'on',
    REDIS_URL: redis.url,
    ADMIN_TOKENS_FILE: tokens,
  });
  await untilServing([publisher], undefined, 600_000);
  const started = performance.now();
  const followers: Node[] = [];
  for (let i = 0; i < FOLLOWERS; i++)
    followers.push(
      await startNode(`follower-${i}`, {
        DIALPLAN_SOURCE: 'redis',
        DIALPLAN_CACHE_DIR: join(dir, `cache-${i}`),
        REDIS_URL: redis.url,
      }),
    );
  let version = await untilServing([publisher, ...followers], undefined, 600_000);
  if (followers.length > 0) version = await untilServing(followers, version, 600_000);
  const fullLoad = (performance.now() - started) / 1000;

  // numbers spread over the whole set, so writes touch many files
  const active = [...generateNumbers(NUMBERS, Math.max(1, Math.round(NUMBERS / 500)))]
    .filter((n) => n.active)
    .map((n) => n.number);
  const targets = Array.from(
    { length: WRITES },
    (_, i) => active[Math.floor((i * active.length) / WRITES)]!,
  );
  const accepted: number[] = [];
  const propagated: number[] = [];
  for (const [i, number] of targets.entries()) {
    const t0 = performance.now();
    const res = await api(publisher, `/v1/numbers/${encodeURIComponent(number)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': `"${version}"` },
      body: JSON.stringify({ source: `bench-${i}` }),
    });
    if (res.status !== 200)
      throw new Error(`bench admin: write ${i}: ${res.status} ${await res.text()}`);
    const t1 = performance.now();
    version = JSON.parse(res.headers.get('etag') ?? '""');
    await untilServing(followers, version, 120_000);
    accepted.push(t1 - t0);
    propagated.push(performance.now() - t1);
  }
  accepted.sort((a, b) => a - b);
  propagated.sort((a, b) => a - b);

  const baseline = await rate(async () => {
    const res = await api(publisher, '/v1/dialplan');
    if (res.status !== 200) throw new Error(`bench admin: /v1/dialplan: ${res.status}`);
    await res.arrayBuffer();
  });
  // the first list after a load sorts the table's numbers once: not part of paging's rate
  await (await api(publisher, '/v1/numbers?limit=1')).arrayBuffer();
  let cursor = '';
  const pages = await rate(async () => {
    const path = `/v1/numbers?limit=${PAGE}${cursor && `&cursor=${encodeURIComponent(cursor)}`}`;
    const res = await api(publisher, path);
    if (res.status !== 200)
      throw new Error(`bench admin: ${path}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { numbers: unknown[]; next?: string };
    if (body.numbers.length !== PAGE && body.next)
      throw new Error(`bench admin: a short page before the end at ${cursor}`);
    cursor = body.next ?? '';
  });

  figure('admin', 'numbers', NUMBERS, 'numbers');
  figure('admin', 'gateways', FOLLOWERS + 1, 'gateways');
  // BENCH_ADMIN_WRITES=0 or BENCH_ADMIN_FOLLOWERS=0: the list figures alone
  if (accepted.length > 0 && followers.length > 0) {
    figure('admin', 'follower-full-load-baseline', fullLoad, 's');
    figure('admin', 'write-accepted-p50', percentile(accepted, 50), 'ms');
    figure('admin', 'write-accepted-p99', percentile(accepted, 99), 'ms');
    figure('admin', 'write-to-every-gateway-p50', percentile(propagated, 50), 'ms');
    figure('admin', 'write-to-every-gateway-p99', percentile(propagated, 99), 'ms');
    figure('admin', 'p99-ratio-to-full-load', percentile(propagated, 99) / 1000 / fullLoad, 'x');
  }
  figure('admin', 'dialplan-read-baseline', baseline, 'requests/s');
  figure('admin', 'list-pages', pages, 'pages/s');
  figure('admin', 'list-numbers', pages * PAGE, 'numbers/s');
  figure('admin', 'list-ratio-to-baseline', pages / baseline, 'x');
} finally {
  // every handle closed, or the stand-ins' listeners and the Redis client keep this process alive
  cleanUp();
  await Promise.all(standins.map((s) => s.close()));
  redis.client.disconnect();
  redis.stop();
}
