/**
 * Dialplan distribution against a real redis-server: a publisher's version reaches a follower
 * through Redis, verified and compiled there; tampered, invalid and malformed snapshots are
 * refused with the old routes answering; only missing blobs travel; the history is capped and
 * what falls off is collected; a follower without Redis serves its cached snapshot.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { SnapshotCache } from '../../src/dialplan/distribution/cache.js';
import { followingReloader } from '../../src/dialplan/distribution/follower.js';
import { dialplanKeys } from '../../src/dialplan/distribution/keys.js';
import { SnapshotPublisher } from '../../src/dialplan/distribution/publisher.js';
import { commandClient, connected } from '../../src/dialplan/distribution/redis.js';
import { manifestOf, sha256 } from '../../src/dialplan/distribution/snapshot.js';
import { SnapshotStore } from '../../src/dialplan/distribution/store.js';
import { loadDialplanDir } from '../../src/dialplan/load.js';
import { Reloader } from '../../src/dialplan/reloader.js';
import { versionOf } from '../../src/dialplan/version.js';
import { createLogger } from '../../src/observability/logger.js';
import { startRedis } from '../helpers/redis.js';
import { copyDialplans } from '../helpers/temp-dialplans.js';
import { tempDir } from '../helpers/temp-dir.js';

const NOW = () => new Date('2026-11-22T10:00:00Z');
const TRACKING = '+493025550101';
const logger = createLogger('silent');
const keys = dialplanKeys();

function client(t: Test, url: string): Redis {
  const redis = new Redis(url);
  t.teardown(() => redis.disconnect());
  return redis;
}

/** A files node's folder and a publisher of what it loads, as start.ts wires them. */
async function publisherOf(t: Test, url: string, historyLength?: number) {
  const dir = copyDialplans(t, 'test/fixtures/dialplans/valid-minimal');
  const redis = commandClient(url);
  t.teardown(() => redis.disconnect());
  await connected(redis, 3000);
  const results: string[] = [];
  const publisher = new SnapshotPublisher({
    store: new SnapshotStore(redis, keys, historyLength),
    node: 'files-1',
    logger,
    now: NOW,
    onResult: (r) => results.push(r),
  });
  /** What the reloader's onOutcome does: load the folder, offer the version. */
  const load = async () => {
    const loaded = await loadDialplanDir(dir, NOW());
    if (!loaded.ok) throw new Error('the publisher’s folder does not load');
    await publisher.offer(dir, loaded.set.summary.version);
    return loaded.set.summary.version;
  };
  return { dir, publisher, results, load };
}

/** A redis node: a reloader fed by a follower, its cache in a temp folder. */
async function followerOf(
  t: Test,
  url: string,
  cacheDir = tempDir('calltrack-cache-'),
  workerThresholdBytes = 1 << 30,
) {
  const redis = commandClient(url);
  t.teardown(() => redis.disconnect());
  await connected(redis, 1000);
  const cache = new SnapshotCache(cacheDir);
  const refused: string[] = [];
  const { reloader, follower } = followingReloader(
    {
      store: new SnapshotStore(redis, keys),
      cache,
      logger,
      onRefused: (r) => refused.push(r),
    },
    (dir) => new Reloader({ dir, defaultCountry: 'DE', workerThresholdBytes, now: NOW }),
  );
  const kind = () => reloader.table.lookup(TRACKING).kind;
  return { reloader, follower, refused, cache, cacheDir, kind };
}

const deactivate = (dir: string) => {
  const file = join(dir, 'numbers.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      /status: active\n(.|\n)*$/,
      'status: deactivated\n    deactivatedAt: 2025-01-01\n',
    ),
  );
};

t.test('a published version is followed: same version, same answers, cached on disk', async (t) => {
  const redis = await startRedis(t);
  const pub = await publisherOf(t, redis.url);
  const version = await pub.load();
  t.same(pub.results, ['published']);
  const r = client(t, redis.url);
  t.equal(await r.get(keys.current), version, 'the pointer names the version');
  t.same(await r.lrange(keys.history, 0, -1), [version]);
  const manifest = JSON.parse((await r.get(keys.manifest(version)))!);
  t.match(manifest, { version, node: 'files-1', publishedAt: '2026-11-22T10:00:00.000Z' });
  t.same(
    manifest.files.map((f: { file: string }) => f.file),
    ['customers.yaml', 'numbers.yaml'],
  );
  for (const f of manifest.files)
    t.equal(
      sha256((await r.getBuffer(keys.blob(f.sha256)))!),
      f.sha256,
      `${f.file}: stored under its hash`,
    );

  const gw = await followerOf(t, redis.url);
  t.equal(gw.kind(), 'reject', 'nothing served before the follow');
  await gw.follower.follow('start');
  t.equal(gw.reloader.table.info.version, version, 'the follower serves the published version');
  t.equal(gw.kind(), 'forward');
  t.equal(readFileSync(join(gw.cacheDir, 'current'), 'utf8').trim(), version);
  t.same(readdirSync(join(gw.cacheDir, version)).sort(), [
    '.manifest.json',
    'customers.yaml',
    'numbers.yaml',
  ]);

  deactivate(pub.dir);
  const next = await pub.load();
  const big = await followerOf(t, redis.url, undefined, 0);
  await big.follower.follow('start');
  t.equal(big.reloader.table.info.version, next, 'a set compiled in the worker thread too');
  t.equal(big.kind(), 'reject');
  // an unchanged file comes from the snapshot on disk: gone from Redis, the follow still works
  await r.del(keys.blob(sha256(readFileSync(join(pub.dir, 'customers.yaml')))));
  await gw.follower.follow('notification');
  t.equal(gw.reloader.table.info.version, next);
  t.equal(gw.kind(), 'reject', 'the deactivation is served');
  t.same(readdirSync(gw.cacheDir).sort(), [next, 'current'].sort(), 'the older snapshot pruned');
  t.same(gw.refused, []);
});

t.test('only blobs Redis lacks are uploaded; the history is capped and collected', async (t) => {
  const redis = await startRedis(t);
  const pub = await publisherOf(t, redis.url, 2);
  const r = client(t, redis.url);
  const monitor = client(t, redis.url);
  const sets: string[] = [];
  const m = await monitor.monitor();
  m.on('monitor', (_time: string, args: string[]) => {
    if (args[0]?.toLowerCase() === 'set' && args[1]?.includes(':blob:')) sets.push(args[1]);
  });
  const v1 = await pub.load();
  t.equal(sets.length, 2, 'first publish: both files');
  const customersBlob = keys.blob(sha256(readFileSync(join(pub.dir, 'customers.yaml'))));
  deactivate(pub.dir);
  const v2 = await pub.load();
  await new Promise((r) => setTimeout(r, 100));
  t.equal(sets.length, 3, 'second publish: only the changed file travels');
  writeFileSync(join(pub.dir, 'more.yaml'), 'version: 1\nnumbers: []\n');
  const v3 = await pub.load();
  t.same(await r.lrange(keys.history, 0, -1), [v3, v2], 'newest first, two kept');
  t.equal(await r.exists(keys.manifest(v1)), 0, 'the dropped version’s manifest is collected');
  t.equal(await r.exists(customersBlob), 1, 'a blob a kept version uses stays');
  const blobs = await r.keys(keys.blob('*'));
  t.equal(blobs.length, 3, 'v1’s own numbers.yaml blob is gone: customers, v2 numbers, more');
  m.disconnect();
});

t.test(
  'a tampered blob is refused: the old routes answer, the cache keeps the old one',
  async (t) => {
    const redis = await startRedis(t);
    const pub = await publisherOf(t, redis.url);
    const v1 = await pub.load();
    const gw = await followerOf(t, redis.url);
    await gw.follower.follow('start');
    deactivate(pub.dir);
    const v2 = await pub.load();
    const r = client(t, redis.url);
    const manifest = JSON.parse((await r.get(keys.manifest(v2)))!);
    const numbers = manifest.files.find((f: { file: string }) => f.file === 'numbers.yaml');
    await r.set(
      keys.blob(numbers.sha256),
      `${readFileSync(join(pub.dir, 'numbers.yaml'), 'utf8')}#`,
    );

    await gw.follower.follow('notification');
    t.same(gw.refused, ['hash']);
    t.equal(gw.reloader.table.info.version, v1, 'still serving the old version');
    t.equal(gw.kind(), 'forward', 'the old route answers');
    t.equal(readFileSync(join(gw.cacheDir, 'current'), 'utf8').trim(), v1);
    t.notOk(existsSync(join(gw.cacheDir, v2)), 'nothing of the refused one on disk');
    await gw.follower.follow('poll');
    t.same(gw.refused, ['hash'], 'a refused version is not fetched again at every poll');
  },
);

t.test(
  'an invalid dialplan with honest hashes is refused by the follower’s own compile',
  async (t) => {
    const redis = await startRedis(t);
    const pub = await publisherOf(t, redis.url);
    const v1 = await pub.load();
    const gw = await followerOf(t, redis.url);
    await gw.follower.follow('start');
    // what a broken or hostile publisher could write: consistent hashes, a dialplan that is not
    const files = [
      { file: 'customers.yaml', bytes: readFileSync(join(pub.dir, 'customers.yaml')) },
      {
        file: 'numbers.yaml',
        bytes: Buffer.from(
          readFileSync(join(pub.dir, 'numbers.yaml'), 'utf8').replace('active', 'activ'),
        ),
      },
    ];
    const bad = versionOf(files.map((f) => ({ file: f.file, text: f.bytes.toString() })));
    await new SnapshotStore(client(t, redis.url), keys).publish(
      manifestOf(bad, files, 'rogue', NOW()),
      files,
    );
    await gw.follower.follow('notification');
    t.same(gw.refused, ['invalid']);
    t.equal(gw.reloader.table.info.version, v1);
    t.equal(gw.kind(), 'forward', 'the old route answers');
    t.notOk(existsSync(join(gw.cacheDir, bad)), 'the refused folder is removed');
    t.equal(readFileSync(join(gw.cacheDir, 'current'), 'utf8').trim(), v1);
  },
);

t.test('manifests that lie are refused before anything is written', async (t) => {
  const redis = await startRedis(t);
  const pub = await publisherOf(t, redis.url);
  const v1 = await pub.load();
  const gw = await followerOf(t, redis.url);
  await gw.follower.follow('start');
  const r = client(t, redis.url);
  const text = readFileSync(join(pub.dir, 'numbers.yaml'));
  await r.set(keys.blob(sha256(text)), text);
  const lie = async (version: string, files: unknown) => {
    await r.set(keys.manifest(version), JSON.stringify({ version, files }));
    await r.set(keys.current, version);
    await gw.follower.follow('notification');
  };
  const outside = { file: '../../evil.yaml', sha256: sha256(text) };
  await lie('00000000000000aa', [outside]);
  // one file of the two: its hash is right, the set's version is not
  await lie('00000000000000bb', [{ file: 'numbers.yaml', sha256: sha256(text) }]);
  await r.set(keys.current, 'not-a-version');
  await gw.follower.follow('poll');
  t.same(gw.refused, ['manifest', 'version', 'manifest']);
  t.equal(gw.reloader.table.info.version, v1);
  t.same(readdirSync(gw.cacheDir).sort(), [v1, 'current'].sort(), 'nothing else written');
  t.notOk(existsSync(join(gw.cacheDir, '..', 'evil.yaml')));
});

t.test('Redis down: a new follower starts from its cache; the follow fails softly', async (t) => {
  const redis = await startRedis(t);
  const pub = await publisherOf(t, redis.url);
  const v1 = await pub.load();
  const cacheDir = tempDir('calltrack-cache-');
  const first = await followerOf(t, redis.url, cacheDir);
  await first.follower.follow('start');
  await redis.stop();

  const gw = await followerOf(t, redis.url, cacheDir);
  await gw.follower.follow('start');
  t.equal(gw.follower.state, 'redis unreachable');
  t.notOk(gw.reloader.loaded, 'nothing from Redis');
  t.ok(await gw.follower.loadCached(), 'the cached snapshot loads');
  t.equal(gw.reloader.table.info.version, v1);
  t.equal(gw.kind(), 'forward');

  await redis.start();
  deactivate(pub.dir);
  const v2 = await waitForPublish(pub);
  await waitForReady(gw);
  await gw.follower.follow('reconnect');
  t.equal(gw.follower.state, 'following');
  t.equal(gw.reloader.table.info.version, v2, 'back on Redis: the newer version is followed');
});

t.test('the publisher skips a version whose files changed since the load', async (t) => {
  const redis = await startRedis(t);
  const pub = await publisherOf(t, redis.url);
  const loaded = await loadDialplanDir(pub.dir, NOW());
  t.ok(loaded.ok);
  deactivate(pub.dir);
  await pub.publisher.offer(pub.dir, loaded.ok ? loaded.set.summary.version : '');
  t.same(pub.results, ['skipped']);
  t.equal(await client(t, redis.url).get(keys.current), null, 'nothing published');
  t.equal(pub.publisher.state, 'pending');
});

/** After a Redis restart the publisher's client reconnects on its own; publish once it can. */
async function waitForPublish(pub: Awaited<ReturnType<typeof publisherOf>>): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const v = await pub.load().catch(() => '');
    if (pub.results.at(-1) === 'published') return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no publish after the Redis restart');
}

async function waitForReady(gw: Awaited<ReturnType<typeof followerOf>>) {
  for (let i = 0; i < 100 && gw.follower.state !== 'following'; i++) {
    await gw.follower.follow('poll');
    await new Promise((r) => setTimeout(r, 50));
  }
}
