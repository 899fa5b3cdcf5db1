/**
 * One dialplan on every gateway, through the built gateway: a files node publishing
 * (DIALPLAN_PUBLISH=on) and three followers (DIALPLAN_SOURCE=redis), each behind its own drachtio
 * stand-in, on one real Redis. A number deactivated through the publisher's admin API answers 410
 * on all three within 1 s on the wire; they report one version in /readyz and the info gauge; a tampered or invalid
 * snapshot is refused and the old routes answer; a follower restarted while Redis is down routes
 * with its last good snapshot.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { sha256Hex } from '../../src/admin/tokens.js';
import { dialplanKeys } from '../../src/dialplan/distribution/keys.js';
import { manifestOf, sha256 } from '../../src/dialplan/distribution/snapshot.js';
import { SnapshotStore } from '../../src/dialplan/distribution/store.js';
import { versionOf } from '../../src/dialplan/version.js';
import { type AdminClient, adminClient } from '../helpers/admin-client.js';
import { CUSTOMERS, callThrough, dealerSipp, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { LIVE_WITHIN_MS, liveInTime } from '../helpers/live-in-time.js';
import { freeTcpPort } from '../helpers/ports.js';
import { startRedis } from '../helpers/redis.js';
import { passed } from '../helpers/sipp.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const keys = dialplanKeys();

const ADMIN = 'tok-admin-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

/** The deactivation of TRACKING through the publisher's admin API, as an admin would send it. */
async function deactivateOnPublisher(api: AdminClient): Promise<void> {
  const etag = String((await api.get('/v1/dialplan', ADMIN)).headers.etag);
  const r = await api.request(`/v1/numbers/${encodeURIComponent(TRACKING)}/deactivate`, {
    method: 'POST',
    token: ADMIN,
    headers: { 'if-match': etag },
  });
  if (r.status !== 200) throw new Error(`deactivate: ${r.status} ${r.raw.toString()}`);
}

async function readyz(gw: Gateway): Promise<Record<string, unknown>> {
  return (await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`)).json() as Promise<
    Record<string, unknown>
  >;
}
const versionOfGw = async (gw: Gateway) => (await readyz(gw)).dialplanVersion as string;

async function refused(gw: Gateway, reason: string): Promise<number> {
  const m = new RegExp(
    `^calltrack_dialplan_snapshots_refused_total\\{reason="${reason}"\\} (\\d+)$`,
    'm',
  );
  return Number(m.exec(await gw.metrics())?.[1] ?? 0);
}

function follower(t: Test, redisUrl: string, name: string, cacheDir = tempDir('calltrack-cache-')) {
  return startGateway(
    t,
    {},
    {
      DIALPLAN_SOURCE: 'redis',
      REDIS_URL: redisUrl,
      DIALPLAN_CACHE_DIR: cacheDir,
      NODE_ID: name,
    },
  ).then((gw) => ({ gw, cacheDir }));
}

t.test('three gateways follow one publisher through Redis', async (t) => {
  const redis = await startRedis(t);
  const d = await dealerSipp('uas-answer-200.xml');
  const tokens = join(tempDir('calltrack-tokens-'), 'tokens.yaml');
  writeFileSync(
    tokens,
    `version: 1\ntokens:\n  - { name: ops, role: admin, sha256: "${sha256Hex(ADMIN)}" }\n`,
  );
  const adminPort = await freeTcpPort();
  const publisher = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
    {
      DIALPLAN_PUBLISH: 'on',
      REDIS_URL: redis.url,
      NODE_ID: 'files-1',
      ADMIN_HTTP_PORT: String(adminPort),
      ADMIN_TOKENS_FILE: tokens,
    },
  );
  const api = adminClient({ port: adminPort });
  const followers = await Promise.all(
    ['gw-a', 'gw-b', 'gw-c'].map((name) => follower(t, redis.url, name)),
  );
  const gws = followers.map((f) => f.gw);
  const v1 = await versionOfGw(publisher);

  t.test('they serve the publisher’s version, and say so', async (t) => {
    t.match(await readyz(publisher), { dialplanSource: 'files', dialplanPublish: 'published' });
    for (const gw of gws) {
      t.match(await readyz(gw), {
        status: 'ready',
        dialplanVersion: v1,
        dialplanSource: 'redis',
        dialplanFollow: 'following',
      });
      t.match(await gw.metrics(), `calltrack_dialplan_info{version="${v1}"} 1`);
    }
    const routed = await callThrough(gws[1]!, 'uac-expect-200-caller-bye.xml');
    t.match(routed, { exitCode: 0 }, `a follower routes to the dealer: ${routed.errors}`);
    await passed(t, d, 'dealer');
  });

  t.test('a deactivation on the publisher: 410 on all three within 1 s', async (t) => {
    const since = Date.now();
    await deactivateOnPublisher(api);
    // only a cue for when to call: without the change the calls get 200/480 and fail on the wire
    await Promise.all(
      gws.map((gw) =>
        waitFor(
          async () => (await versionOfGw(gw)) !== v1,
          since + LIVE_WITHIN_MS - Date.now(),
        ).catch(() => undefined),
      ),
    );
    const calls = await Promise.all(gws.map((gw) => callThrough(gw, 'uac-expect-410.xml')));
    for (const [i, call] of calls.entries()) liveInTime(t, call, 410, since, `follower ${i + 1}`);
    const v2 = await versionOfGw(publisher);
    t.not(v2, v1);
    t.same(await Promise.all(gws.map(versionOfGw)), [v2, v2, v2], 'one version everywhere');
    for (const gw of gws) {
      const metrics = await gw.metrics();
      t.match(metrics, `calltrack_dialplan_info{version="${v2}"} 1`);
      t.notMatch(metrics, `version="${v1}"`, 'the old version’s series is gone');
      t.match(gw.logs(), /dialplan snapshot followed/);
    }
  });

  t.test('a tampered or invalid snapshot is refused; the old routes answer', async (t) => {
    const served = await versionOfGw(gws[0]!);
    const r = new Redis(redis.url);
    t.teardown(() => r.disconnect());
    const store = new SnapshotStore(r, keys);
    // a blob that does not match its hash
    const text = Buffer.from(`${readFileSync(join(publisher.dialplans, 'numbers.yaml'))}# x\n`);
    const files = [
      { file: 'customers.yaml', bytes: Buffer.from(CUSTOMERS) },
      { file: 'numbers.yaml', bytes: text },
    ];
    const forged = versionOf(files.map((f) => ({ file: f.file, text: f.bytes.toString() })));
    // another text under the blob's key first: the publish finds it there and uploads nothing
    await r.set(keys.blob(sha256(text)), numbersYaml([{ port: 9 }]));
    await store.publish(manifestOf(forged, files, 'rogue', new Date()), files);
    for (const gw of gws)
      await waitFor(async () => (await refused(gw, 'hash')) === 1, 5000, 'the hash refusal');

    // honest hashes, a dialplan that does not pass the follower's own checks
    const invalid = [
      files[0]!,
      // a status the schema does not know
      {
        file: 'numbers.yaml',
        bytes: Buffer.from(text.toString().replace('status: deactivated', 'status: gone')),
      },
    ];
    const bad = versionOf(invalid.map((f) => ({ file: f.file, text: f.bytes.toString() })));
    await store.publish(manifestOf(bad, invalid, 'rogue', new Date()), invalid);
    for (const gw of gws)
      await waitFor(async () => (await refused(gw, 'invalid')) === 1, 5000, 'the compile refusal');

    t.same(await Promise.all(gws.map(versionOfGw)), [served, served, served], 'nothing swapped');
    const calls = await Promise.all(gws.map((gw) => callThrough(gw, 'uac-expect-410.xml')));
    for (const [i, c] of calls.entries())
      t.match(c, { exitCode: 0 }, `follower ${i + 1}: still 410 ${c.errors}`);
    t.match(gws[0]!.logs(), /dialplan snapshot refused; the routes in force keep answering/);
    // SIGHUP (and the poll, every DIALPLAN_POLL_MS) puts the publisher's own version back
    t.equal(await r.get(keys.current), bad, 'the rogue version is current in Redis');
    publisher.proc.kill('SIGHUP');
    await waitFor(async () => (await r.get(keys.current)) === served, 5000, 'the pointer back');
  });

  t.test('a follower restarted while Redis is down routes with its last snapshot', async (t) => {
    const served = await versionOfGw(gws[2]!);
    gws[2]!.proc.kill('SIGTERM');
    await gws[2]!.exited;
    await redis.stop();
    const { gw } = await follower(t, redis.url, 'gw-c', followers[2]!.cacheDir);
    t.match(await readyz(gw), {
      status: 'ready',
      dialplanVersion: served,
      dialplanFollow: 'redis unreachable',
    });
    t.match(gw.logs(), /serving the cached dialplan snapshot/);
    const call = await callThrough(gw, 'uac-expect-410.xml');
    t.match(call, { exitCode: 0 }, `the cached deactivation answers: ${call.errors}`);
    await redis.start();
    await waitFor(
      async () => (await readyz(gw)).dialplanFollow === 'following',
      10_000,
      'the follower back on Redis',
    );
  });
});

t.test('contradictory distribution settings stop the start with the reason (exit 2)', async (t) => {
  await t.rejects(
    startGateway(t, {}, { DIALPLAN_SOURCE: 'redis' }),
    /gateway exited with 2:[\s\S]*REDIS_URL: not set; DIALPLAN_SOURCE=redis needs the Redis/,
  );
  await t.rejects(
    startGateway(
      t,
      {},
      { DIALPLAN_SOURCE: 'redis', DIALPLAN_PUBLISH: 'on', REDIS_URL: 'redis://127.0.0.1:9' },
    ),
    /gateway exited with 2:[\s\S]*DIALPLAN_PUBLISH: on needs DIALPLAN_SOURCE=files/,
  );
});
