// `calltrack doctor` against real peers: the drachtio stand-in (drachtio's admin protocol), a real
// redis-server with requirepass, the FreeSWITCH stand-in (event socket, sofia profile) and a real
// SMTP server. All well: exit 0; each peer broken its own way: exit 1, that row, that fix.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import t from 'tap';
import { probeDrachtio } from '../../src/cli/doctor/drachtio-check.js';
import { probeFreeswitch } from '../../src/cli/doctor/freeswitch-check.js';
import { probeSmtp } from '../../src/cli/doctor/smtp-check.js';
import { dialplanKeys } from '../../src/dialplan/distribution/keys.js';
import { manifestOf } from '../../src/dialplan/distribution/snapshot.js';
import { SnapshotStore } from '../../src/dialplan/distribution/store.js';
import { versionOf } from '../../src/dialplan/version.js';
import { start as startFs } from '../fsstandin/index.js';
import { BAD_CIDR_AND_NAME_TWICE, carriersFile } from '../helpers/carriers.js';
import { cli } from '../helpers/cli-io.js';
import { startDrachtio } from '../helpers/drachtio-peer.js';
import { freeTcpPort } from '../helpers/ports.js';
import { startRedis } from '../helpers/redis.js';
import { testSmtp } from '../helpers/smtp.js';

const REDIS_PASSWORD = 'r3dis-pass';
const ESL_PASSWORD = 'ClueCon-doctor';
const DRACHTIO_SECRET = 'cymru-doctor';

t.test('doctor', async (t) => {
  const drachtio = await startDrachtio(DRACHTIO_SECRET);
  t.teardown(() => drachtio.close());
  const fs = await startFs({ sipPort: 0, eslPort: 0, secret: ESL_PASSWORD });
  t.teardown(() => fs.close());
  const redis = await startRedis(t, ['--requirepass', REDIS_PASSWORD]);
  const smtp = await testSmtp();
  t.teardown(() => smtp.down());
  const redisUrl = `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`;
  const good: Record<string, string> = {
    DIALPLAN_DIR: 'test/fixtures/dialplans/valid-minimal',
    CARRIERS_FILE: 'config/carriers.yaml',
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: String(drachtio.adminAddress.port),
    DRACHTIO_SECRET,
    REDIS_URL: redisUrl,
    RECORD_SINK: 'redis',
    FREESWITCH: `127.0.0.1:${fs.eslAddress.port}:${ESL_PASSWORD}`,
    SMTP_URL: smtp.url,
  };
  const doctor = (env: Record<string, string> = {}) =>
    cli(['doctor'], undefined, { ...good, ...env });
  /** One check's lines of the table, joined: its row, more detail lines, its fix. */
  const row = (out: string[], check: string) => {
    const first = out.findIndex((l) => l.startsWith(`${check} `));
    if (first < 0) return '';
    const next = out.findIndex((l, i) => i > first && !l.startsWith(' '));
    return out.slice(first, next).join('\n');
  };

  t.test('every peer well: every row ok, exit 0, no secret printed', async (t) => {
    const run = await doctor();
    t.equal(run.code, 0, run.out.join('\n'));
    t.match(run.out[0], /^check\s+status\s+detail$/);
    for (const check of [
      'configuration',
      'dialplans',
      'carriers',
      'drachtio',
      'redis',
      'freeswitch 1',
      'smtp',
    ])
      t.match(row(run.out, check), /^\S+( \d)?\s+ok\s/, `${check} ok`);
    // the version the server reports: the stand-in's says it is one
    t.match(
      row(run.out, 'drachtio'),
      /authenticated \(drachtio v0\.9\.10(-standin)?, SIP on tcp\/[^,]+,udp\//,
    );
    t.match(row(run.out, 'redis'), `redis://127.0.0.1:${redis.port}: PONG`);
    t.match(
      row(run.out, 'freeswitch 1'),
      /profile drachtio_mrf running at sip:mod_sofia@127\.0\.0\.1:\d+/,
    );
    t.match(row(run.out, 'dialplans'), /valid \(\d+ files, \d+ customers, \d+ active numbers/);
    t.equal(run.out.at(-1), 'no check failed');
    const text = run.out.join('\n');
    for (const secret of [REDIS_PASSWORD, ESL_PASSWORD, DRACHTIO_SECRET]) t.notMatch(text, secret);
  });

  t.test('wrong drachtio secret: told apart from a closed port', async (t) => {
    const run = await doctor({ DRACHTIO_SECRET: 'not-the-secret' });
    t.equal(run.code, 1);
    t.match(
      row(run.out, 'drachtio'),
      /FAIL\s+.*secret refused \(incorrect secret\)\n\s+fix: set DRACHTIO_SECRET/,
    );
    t.match(row(run.out, 'redis'), /\sok\s/, 'the other checks still run');
    t.match(run.out.at(-1), /^1 of 7 checks FAILED$/);
  });

  t.test('a destination and a trunk needing TLS the server lacks: a warning, exit 0', async (t) => {
    const run = await doctor({
      DIALPLAN_DIR: 'test/fixtures/dialplans/valid-tls-destination',
      OUTBOUND_TRUNK: 'sips:trunk.example:5061',
    });
    t.equal(run.code, 0, 'calls to the other destinations work: not a failure');
    t.match(
      row(run.out, 'drachtio'),
      /^drachtio\s+warn\s+127\.0\.0\.1:\d+: authenticated \(drachtio [^)]+, SIP on tcp\/[^,]+,udp\/[^)]+\)\n\s+2 destination\(s\) name a transport it does not listen on; no call to them through it connects:\n\s+sips:verkauf@pbx\.example needs tls \(customer autohaus-berlin, number \+493025550101: destinations\)\n\s+sips:trunk\.example:5061 needs tls \(OUTBOUND_TRUNK\)\n\s+fix: add the transport to drachtio-server's contact/,
    );
    t.match(row(run.out, 'dialplans'), /\sok\s/, 'the dialplans themselves are valid');
  });

  t.test('DRACHTIO: a row per server, a failing one named by its entry', async (t) => {
    const closed = await freeTcpPort();
    const run = await doctor({
      DRACHTIO_HOST: '',
      DRACHTIO_PORT: '',
      DRACHTIO: `127.0.0.1:${drachtio.adminAddress.port},127.0.0.1:${closed}`,
    });
    t.equal(run.code, 1);
    const rows = run.out.filter((l) => l.startsWith('drachtio '));
    t.equal(rows.length, 2, rows.join('\n'));
    t.match(rows[0], /^drachtio\s+ok\s+127\.0\.0\.1:\d+: authenticated/);
    t.match(rows[1], new RegExp(`^drachtio\\s+FAIL\\s+127\\.0\\.0\\.1:${closed}`));
    t.match(
      run.out.join('\n'),
      new RegExp(`fix: start drachtio-server.*its entry 127\\.0\\.0\\.1:${closed} in DRACHTIO`),
    );
  });

  t.test('every port closed: each row says refused, with its own fix', async (t) => {
    const [d, r, f, s] = await Promise.all([
      freeTcpPort(),
      freeTcpPort(),
      freeTcpPort(),
      freeTcpPort(),
    ]);
    const run = await doctor({
      DRACHTIO_PORT: String(d),
      REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:${r}`,
      FREESWITCH: `127.0.0.1:${f}:${ESL_PASSWORD}`,
      SMTP_URL: `smtp://127.0.0.1:${s}`,
    });
    t.equal(run.code, 1);
    t.match(
      row(run.out, 'drachtio'),
      /FAIL\s+.*connection refused.*\n\s+fix: start drachtio-server.*DRACHTIO_PORT/,
    );
    t.match(
      row(run.out, 'redis'),
      /FAIL\s+.*connection refused.*\n\s+fix: .*apt-get install redis-server.*REDIS_URL/,
    );
    t.match(
      row(run.out, 'freeswitch 1'),
      /FAIL\s+.*connection refused.*\n\s+fix: .*drachtio-freeswitch-mrf.*FREESWITCH/,
    );
    t.match(row(run.out, 'smtp'), /FAIL\s+.*connection refused.*\n\s+fix: .*SMTP_URL/);
    t.match(run.out.at(-1), /^4 of 7 checks FAILED$/);
  });

  t.test('wrong Redis password, and none: authentication refused, not unreachable', async (t) => {
    const wrong = await doctor({ REDIS_URL: `redis://:wrong@127.0.0.1:${redis.port}` });
    t.equal(wrong.code, 1);
    t.match(
      row(wrong.out, 'redis'),
      /FAIL\s+.*authentication refused \(WRONGPASS\)\n\s+fix: .*password in REDIS_URL/,
    );
    t.notMatch(wrong.out.join('\n'), 'wrong@', 'the URL is shown without credentials');
    const none = await doctor({ REDIS_URL: redis.url });
    t.match(row(none.out, 'redis'), /FAIL\s+.*authentication refused \(NOAUTH\)/);
  });

  t.test('wrong event-socket password: password refused', async (t) => {
    const run = await doctor({ FREESWITCH: `127.0.0.1:${fs.eslAddress.port}:wrong` });
    t.equal(run.code, 1);
    t.match(
      row(run.out, 'freeswitch 1'),
      /FAIL\s+.*password refused \(-ERR invalid\)\n\s+fix: set the password in FREESWITCH/,
    );
  });

  t.test(
    'DIALPLAN_SOURCE=redis: the published snapshot checked and compiled as a follower would',
    async (t) => {
      const env = { DIALPLAN_SOURCE: 'redis', OUTBOUND_TRUNK: '' };
      const before = await doctor(env);
      t.equal(before.code, 1);
      t.match(
        row(before.out, 'dialplans'),
        /FAIL\s+.*no dialplan published.*\n\s+fix: .*DIALPLAN_PUBLISH=on/,
      );
      const client = new Redis(redisUrl);
      t.teardown(() => client.disconnect());
      const store = new SnapshotStore(client, dialplanKeys());
      const at = new Date('2026-11-22T09:00:00Z');
      /** A fixture folder published as the publishing gateway would; its version unless told. */
      const publish = async (dir: string, claimed?: string) => {
        const files = readdirSync(dir).map((file) => ({
          file,
          bytes: readFileSync(join(dir, file)),
        }));
        const version =
          claimed ?? versionOf(files.map((f) => ({ file: f.file, text: f.bytes.toString() })));
        await store.publish(manifestOf(version, files, 'gw-1', at), files);
        return version;
      };
      const fixtures = 'test/fixtures/dialplans';
      const tls = await publish(`${fixtures}/valid-tls-destination`);
      const valid = await doctor(env);
      t.equal(valid.code, 0, valid.out.join('\n'));
      t.match(
        row(valid.out, 'dialplans'),
        new RegExp(
          `\\sok\\s+redis://127\\.0\\.0\\.1:${redis.port}: version ${tls} published by gw-1 at 2026-11-22T09:00:00\\.000Z, compiles here \\(2 files, 2 customers, 1 active numbers, version ${tls}\\)`,
        ),
      );
      t.match(
        row(valid.out, 'drachtio'),
        /warn[\s\S]*1 destination\(s\) name a transport it does not listen on[\s\S]*sips:verkauf@pbx\.example needs tls \(customer autohaus-berlin/,
        "the snapshot's destinations checked against the server, not the trunk's alone",
      );

      // what a follower refuses: files that are not the version the manifest names, and a snapshot
      // that does not compile here; each time the pointer moves, as a publish moves it
      const claimed = await publish(`${fixtures}/valid-minimal`, '0123456789abcdef');
      const mismatch = await doctor(env);
      t.equal(mismatch.code, 1);
      t.match(
        row(mismatch.out, 'dialplans'),
        new RegExp(
          `FAIL\\s+.*version ${claimed} unusable: the files are version [0-9a-f]{16}, not ${claimed}\\n\\s+fix: run the publishing gateway`,
        ),
      );
      const bad = await publish(`${fixtures}/bad-transport`);
      const refused = await doctor(env);
      t.equal(refused.code, 1);
      t.match(
        row(refused.out, 'dialplans'),
        new RegExp(
          `FAIL\\s+.*version ${bad} published by gw-1 at [^,]+, refused here: 3 error\\(s\\) in its 2 files:\\n\\s+snapshot ${bad}/numbers\\.yaml:\\d+:\\d+: [\\s\\S]*fix: correct the lines listed in the publishing gateway's DIALPLAN_DIR`,
        ),
      );
    },
  );

  t.test('bad dialplans and carriers: their errors listed with file and line', async (t) => {
    const carriers = carriersFile(t, BAD_CIDR_AND_NAME_TWICE);
    const run = await doctor({
      DIALPLAN_DIR: 'test/fixtures/dialplans/several-errors-in-one-file',
      CARRIERS_FILE: carriers,
    });
    t.equal(run.code, 1);
    t.match(
      row(run.out, 'dialplans'),
      /FAIL\s+7 error\(s\) in test\/fixtures\/dialplans\/several-errors-in-one-file:\n\s+test\/fixtures\/dialplans\/several-errors-in-one-file\/\S+:\d+:\d+: [\s\S]*fix: correct the lines listed \(calltrack validate/,
    );
    t.match(
      row(run.out, 'carriers'),
      /FAIL\s+2 error\(s\)[\s\S]*carriers\.yaml:4:29: [\s\S]*carriers\.yaml:6:11: /,
    );
    const gone = await doctor({ CARRIERS_FILE: '/nonexistent/carriers.yaml' });
    t.match(
      row(gone.out, 'carriers'),
      /FAIL\s+cannot read \/nonexistent\/carriers\.yaml[\s\S]*fix: set CARRIERS_FILE/,
    );
  });

  t.test('invalid configuration: its problems listed, the peers skipped', async (t) => {
    const run = await doctor({ DRACHTIO_PORT: 'ninety', DEFAULT_COUNTRY: 'FR' });
    t.equal(run.code, 1);
    t.match(
      row(run.out, 'configuration'),
      /FAIL\s+2 problem\(s\):[\s\S]*\n\s+fix: set or correct the variables named/,
    );
    const text = run.out.join('\n');
    t.match(text, /DRACHTIO_PORT \(drachtio\.port\)/);
    t.match(text, /DEFAULT_COUNTRY \(defaultCountry\)/);
    t.match(row(run.out, 'drachtio'), /skipped\s+needs a valid configuration/);
  });

  t.test('an argument is a usage error: exit 2', async (t) => {
    const run = await cli(['doctor', 'now'], undefined, good);
    t.equal(run.code, 2);
    t.match(run.err.join('\n'), /usage: calltrack doctor/);
  });
});

t.test(
  'probes: a silent peer times out, a peer of another protocol is named as such',
  async (t) => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    t.teardown(() => silent.close());
    const port = (silent.address() as { port: number }).port;
    t.same(await probeDrachtio({ host: '127.0.0.1', port, secret: 's' }, 200), {
      kind: 'timeout',
      stage: 'answer',
      ms: 200,
    });
    t.match(await probeFreeswitch({ host: '127.0.0.1', port, secret: 's' }, 200), {
      kind: 'timeout',
    });
    t.same(await probeSmtp(`smtp://127.0.0.1:${port}`, 200), { kind: 'timeout', ms: 200 });
    // DRACHTIO_PORT pointed at FreeSWITCH's event socket, which greets first
    const fs = await startFs({ sipPort: 0, eslPort: 0, secret: 'ClueCon' });
    t.teardown(() => fs.close());
    const esl = { host: '127.0.0.1', port: fs.eslAddress.port, secret: 'ClueCon' };
    t.same(await probeDrachtio(esl, 2000), { kind: 'not-drachtio' });
  },
);
