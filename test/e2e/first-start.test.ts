/**
 * A first start with nothing around it: drachtio-server, Redis and FreeSWITCH all at closed ports.
 * The log says once per missing peer what is missing and which variable points the gateway at it,
 * then reminds at PEER_REMINDER_SECONDS instead of a line per retry, and never at error level;
 * when drachtio-server turns up, one info line says so. On a terminal the same is readable lines.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireBinary } from '../helpers/binaries.js';
import { ensureBuilt, ROOT, startArgs } from '../helpers/built.js';
import { CUSTOMERS, numbersYaml } from '../helpers/call-bed.js';
import { startDrachtio } from '../helpers/drachtio-peer.js';
import { startGateway } from '../helpers/gateway.js';
import { freeTcpPort } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

type Line = { level: number; time: string; msg: string; peer?: string };

const WARN = 40;
const REMINDER_S = 2;
const WATCH_MS = 5500;

const lines = (text: string): Line[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

t.test('nothing there: one warning per peer, reminders, then connected', async (t) => {
  const [drachtioPort, redisPort, fsPort] = [
    await freeTcpPort(),
    await freeTcpPort(),
    await freeTcpPort(),
  ];
  const spool = tempDir('calltrack-first-start-');
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: 9 }]) },
    {
      DRACHTIO_PORT: String(drachtioPort),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      RECORD_SINK: 'redis',
      RECORD_SPOOL_DIR: spool,
      FREESWITCH: `127.0.0.1:${fsPort}:ClueCon`,
      PEER_REMINDER_SECONDS: String(REMINDER_S),
      LOG_FORMAT: 'auto',
    },
    {},
    'healthy',
  );
  await new Promise((r) => setTimeout(r, WATCH_MS));
  const log = lines(gw.logs());
  t.ok(log.length > 0, 'JSON lines: stdout is no terminal');
  t.same(
    log.filter((l) => l.level >= 50).map((l) => l.msg),
    [],
    'nothing at error level for a peer that is away',
  );

  const peers = [
    ['drachtio-server', `127.0.0.1:${drachtioPort}`, /DRACHTIO_HOST and DRACHTIO_PORT/],
    ['Redis', `127.0.0.1:${redisPort}`, /REDIS_URL .*RECORD_SINK=log .*the spool \//],
    ['FreeSWITCH', `127.0.0.1:${fsPort}`, /FREESWITCH=host:port:password .*leave FREESWITCH empty/],
  ] as const;
  for (const [peer, address, remedy] of peers) {
    const mine = log.filter((l) => l.peer === peer);
    const first = mine.filter((l) => l.msg.startsWith(`no ${peer} at ${address}: `));
    t.equal(first.length, 1, `one warning that ${peer} is missing`);
    t.match(first[0], { level: WARN, msg: remedy }, `it names what to set for ${peer}`);
    const reminders = mine.filter((l) => l.msg.startsWith(`still no ${peer} at ${address}, `));
    t.ok(
      reminders.length >= 1 && reminders.length <= Math.ceil(WATCH_MS / 1000 / REMINDER_S),
      `${peer}: a reminder every ${REMINDER_S} s (${reminders.length})`,
    );
    for (const [i, r] of reminders.entries()) {
      const since = Date.parse(r.time) - Date.parse((reminders[i - 1] ?? first[0])!.time);
      t.ok(since >= REMINDER_S * 1000 - 50, `${peer}: reminder ${i + 1} after ${since} ms`);
    }
    const retries = mine.filter((l) => l.msg === `retrying ${peer}`);
    t.ok(
      retries.every((l) => l.level < WARN),
      `${peer}: ${retries.length} retries, each at debug`,
    );
    t.equal(
      mine.filter((l) => l.level >= WARN).length,
      1 + reminders.length,
      `${peer}: no warning beside the first and the reminders`,
    );
  }
  // Redis retries within a second: far more attempts than warnings
  const redisRetries = log.filter((l) => l.peer === 'Redis' && l.msg === 'retrying Redis');
  t.ok(redisRetries.length >= 4, `Redis retried quietly (${redisRetries.length} times)`);
  t.notMatch(gw.logs(), /drachtio connection error|media server connection failed/);

  const standin = await startDrachtio('cymru', { adminPort: drachtioPort });
  t.teardown(() => standin.close());
  const connected = await waitFor(
    () =>
      lines(gw.logs()).find((l) =>
        l.msg.startsWith(`connected to drachtio-server at 127.0.0.1:${drachtioPort} after `),
      ),
    15_000,
    "the 'connected' line",
  );
  t.match(connected, { level: 30, msg: /after \d+ failed attempts, down for \d+s$/ });
  await waitFor(
    async () =>
      /^calltrack_drachtio_connected\{server="127\.0\.0\.1:\d+"\} 1$/m.test(await gw.metrics()),
    5000,
    'the connection counted',
  );
  const after = lines(gw.logs()).filter(
    (l) => l.peer === 'drachtio-server' && Date.parse(l.time) > Date.parse(connected.time),
  );
  t.same(after, [], 'no reminder once it is there');
});

t.test('a wrong DRACHTIO_SECRET: one warning naming it, reminders, no error line', async (t) => {
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS },
    { DRACHTIO_SECRET: 'not-the-secret', PEER_REMINDER_SECONDS: '1' },
    {},
    'healthy',
  );
  await new Promise((r) => setTimeout(r, 2500));
  const log = lines(gw.logs());
  t.same(
    log.filter((l) => l.level >= 50).map((l) => l.msg),
    [],
    'no error line per refused attempt',
  );
  const refused = log.filter((l) => l.peer === 'drachtio-server' && l.level === WARN);
  t.match(refused[0], {
    msg: /^drachtio-server at 127\.0\.0\.1:\d+ refuses the connection: set DRACHTIO_SECRET /,
  });
  t.ok(
    refused.slice(1).every((l) => / still refuses the connection, \d+ attempts/.test(l.msg)),
    'then reminders only',
  );
  t.ok(refused.length >= 2 && refused.length <= 4, `a reminder a second (${refused.length - 1})`);
  const attempts = log.filter((l) => l.peer === 'drachtio-server').length;
  t.ok(attempts > refused.length, `${attempts} attempts logged, most at debug`);
});

t.test('on a terminal: readable lines with the level word, not JSON', async (t) => {
  // util-linux's script gives the gateway a pseudo-terminal as stdout
  const script = requireBinary('script', 'bsdutils');
  ensureBuilt();
  const dir = tempDir('calltrack-first-start-tty-');
  writeFileSync(join(dir, 'customers.yaml'), CUSTOMERS);
  const env = {
    DIALPLAN_DIR: dir,
    DRACHTIO_PORT: String(await freeTcpPort()),
    HTTP_PORT: String(await freeTcpPort()),
    RECORD_SINK: 'log',
  };
  // the gateway is stopped (SIGINT drains and exits) once it answers /healthz, not after a fixed
  // time: a busy machine may take longer than any guess to start it, and an early SIGINT kills it
  // before it has a handler (no output at all)
  const healthz = `http://127.0.0.1:${env.HTTP_PORT}/healthz`;
  const poll = `for(;;){try{if((await fetch('${healthz}')).ok)break}catch{}await new Promise(r=>setTimeout(r,50))}`;
  const runner = join(dir, 'run.sh');
  writeFileSync(
    runner,
    [
      `env ${Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} ${process.execPath} ${startArgs().join(' ')} &`,
      'gateway=$!',
      `timeout 15 ${process.execPath} --input-type=module -e "${poll}"`,
      'kill -INT $gateway',
      'wait $gateway',
    ].join('\n'),
  );
  const command = `bash ${runner}`;
  const r = spawnSync(script, ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '', TERM: 'xterm' },
  });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's colour codes
  const out = r.stdout.replace(/\u001b\[[0-9;]*m/g, '');
  t.match(out, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: calltrack started /m, 'time, level word, message');
  t.match(out, /\] WARN: no drachtio-server at 127\.0\.0\.1:\d+: set DRACHTIO_HOST/);
  t.match(out, /\] INFO: drained; exiting/, 'the last line before the exit written');
  t.notMatch(out, /^\{"level"/m, 'no JSON line');
});
