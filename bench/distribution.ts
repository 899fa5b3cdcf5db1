/**
 * One dialplan on every gateway with 1,000,000 numbers (100 files), through the built modules
 * and a real redis-server: the first publish and the first follow (every file travels), then
 * rounds of a one-file edit: the publisher's reload, its publish (one blob travels), and a
 * follower's follow (one file fetched, the others read from its snapshot, all verified, the set
 * compiled in the worker thread). The time from an accepted write to a follower serving it is
 * publish + follow; several followers follow in parallel, each on its own machine.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../test/helpers/built.js';
import { freeTcpPort } from '../test/helpers/ports.js';
import { figure } from './report.js';

const NUMBERS = Number(process.env.BENCH_NUMBERS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const root = mkdtempSync(join(tmpdir(), 'calltrack-bench-distribution-'));
const dir = join(root, 'dialplans');
const gen = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    fileURLToPath(new URL('./generate.ts', import.meta.url)),
    dir,
    String(NUMBERS),
  ],
  { stdio: 'inherit' },
);
if (gen.status !== 0) throw new Error('bench distribution: generating dialplans failed');

const port = await freeTcpPort();
const redisServer: ChildProcess = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  { stdio: 'ignore' },
);
await new Promise((r) => setTimeout(r, 300));

ensureBuilt();
const load = (m: string) => import(new URL(`../dist/src/dialplan/${m}.js`, import.meta.url).href);
const { Reloader } = await load('reloader');
const { SnapshotStore } = await load('distribution/store');
const { SnapshotPublisher } = await load('distribution/publisher');
const { SnapshotFollower } = await load('distribution/follower');
const { SnapshotCache } = await load('distribution/cache');
const { dialplanKeys } = await load('distribution/keys');
const { commandClient, connected } = await load('distribution/redis');
const { createLogger } = await import(
  new URL('../dist/src/observability/logger.js', import.meta.url).href
);

const url = `redis://127.0.0.1:${port}`;
const logger = createLogger('silent');
const keys = dialplanKeys();
const pubRedis = commandClient(url);
const gwRedis = commandClient(url);
await connected(pubRedis, 5000);
await connected(gwRedis, 5000);
const now = () => new Date();
const pubReloader = new Reloader({ dir, defaultCountry: 'DE', workerThresholdBytes: 0, now });
const publisher = new SnapshotPublisher({
  store: new SnapshotStore(pubRedis, keys),
  node: 'bench',
  logger,
  now,
  onResult: (r: string) => {
    if (r !== 'published') throw new Error(`bench distribution: publish ${r}`);
  },
});
const cache = new SnapshotCache(join(root, 'cache'));
let next = cache.dir;
const gwReloader = new Reloader({
  dir: () => next,
  defaultCountry: 'DE',
  workerThresholdBytes: 0,
  now,
});
const follower = new SnapshotFollower({
  store: new SnapshotStore(gwRedis, keys),
  cache,
  load: (d: string) => {
    next = d;
    return gwReloader.reload();
  },
  served: () => (gwReloader.loaded ? gwReloader.table.info.version : undefined),
  logger,
  onRefused: (reason: string) => {
    throw new Error(`bench distribution: snapshot refused (${reason})`);
  },
});

const timed = async (work: () => Promise<unknown>) => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};
async function reloadAndPublish(): Promise<{ reload: number; publish: number }> {
  let version = '';
  const reload = await timed(async () => {
    const o = await pubReloader.reload();
    if (!o.ok) throw new Error('bench distribution: the publisher’s set does not load');
    version = o.version;
  });
  return { reload, publish: await timed(() => publisher.offer(dir, version)) };
}
async function follow(): Promise<number> {
  const ms = await timed(() => follower.follow('notification'));
  if (gwReloader.table.info.version !== pubReloader.table.info.version)
    throw new Error('bench distribution: the follower did not take the version');
  return ms;
}

const first = await reloadAndPublish();
const firstFollow = await follow();
const rounds: { reload: number; publish: number; follow: number }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  // a change to one of the 100 files, as an API write makes
  appendFileSync(join(dir, `numbers-${String(i % 100).padStart(4, '0')}.yaml`), `# edit ${i}\n`);
  const r = await reloadAndPublish();
  rounds.push({ ...r, follow: await follow() });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const memory = Number(((await pubRedis.info('memory')) as string).match(/used_memory:(\d+)/)?.[1]);

figure('distribution', 'numbers', NUMBERS, 'numbers');
figure('distribution', 'first-publish', first.publish, 'ms');
figure('distribution', 'first-follow', firstFollow / 1000, 's');
figure(
  'distribution',
  'edit-publisher-reload-p50',
  median(rounds.map((r) => r.reload)) / 1000,
  's',
);
figure('distribution', 'edit-publish-p50', median(rounds.map((r) => r.publish)), 'ms');
figure('distribution', 'edit-follow-p50', median(rounds.map((r) => r.follow)) / 1000, 's');
figure(
  'distribution',
  'edit-publish+follow-max',
  Math.max(...rounds.map((r) => r.publish + r.follow)) / 1000,
  's',
);
figure('distribution', 'redis-used-memory', memory / 2 ** 20, 'MB');
figure('distribution', 'peak-rss', process.resourceUsage().maxRSS / 1024, 'MB');

pubRedis.disconnect();
gwRedis.disconnect();
redisServer.kill('SIGTERM');
rmSync(root, { recursive: true, force: true });
