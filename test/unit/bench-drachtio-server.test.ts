/**
 * The real drachtio-server `bench/cps-ab` can run instead of the stand-in (BENCH_DRACHTIO_BIN):
 * its configuration, the refusal of a binary that is not there, and a binary that never takes
 * connections stopping the bench with what it said. The server itself is not run here: no
 * Debian package has it.
 */
import { spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import t from 'tap';
import {
  diesWithParent,
  drachtioBinary,
  drachtioConfig,
  listensOn,
  startDrachtioServer,
} from '../../bench/drachtio-server.js';
import { waitFor } from '../helpers/wait.js';

t.test('the configuration: loopback ports, the secret, no CDRs, the log in its dir', async (t) => {
  const xml = drachtioConfig({ adminPort: 39022, sipPort: 39060, secret: 'cymru', dir: '/tmp/d' });
  t.match(xml, '<admin port="39022" secret="cymru">127.0.0.1</admin>');
  // production's contact (config/deploy/docker-compose.yml): UDP and TCP on one port
  t.match(xml, '<contact>sip:127.0.0.1:39060;transport=udp,tcp</contact>');
  t.match(xml, '<cdrs>false</cdrs>');
  t.match(xml, '<name>/tmp/d/drachtio.log</name>');
  t.match(xml, '<loglevel>error</loglevel>');
});

t.test(
  'timers, the default refresher and the SIP log go where drachtio-server reads them',
  async (t) => {
    const base = { adminPort: 39022, sipPort: 39060, secret: 'cymru', dir: '/tmp/d' };
    const plain = drachtioConfig(base);
    t.notMatch(plain, '<timers>', 'none unless asked: its defaults');
    t.notMatch(plain, '<session-timers');
    const xml = drachtioConfig({ ...base, t1: 50, t2: 400, defaultRefresher: 'uas', sipLog: true });
    t.match(
      xml,
      /<sip>[\s\S]*<timers><t1>50<\/t1><t1x64>3200<\/t1x64><t2>400<\/t2><\/timers>[\s\S]*<\/sip>/,
    );
    t.match(xml, /<sip>[\s\S]*<session-timers default-refresher="uas"\/>[\s\S]*<\/sip>/);
    t.match(xml, /<logging>\s*<console\/>\s*<loglevel>info<\/loglevel>/, 'every datagram logged');
    t.notMatch(xml, '<file>', 'to stderr, not to a file');
    t.throws(() => drachtioConfig({ ...base, t1: 0 }), /t1 0: expected a whole number of ms/);
    t.throws(() => drachtioConfig({ ...base, t2: 1.5 }), /t2 1\.5/);
  },
);

t.test('a port or secret that cannot go into it is refused, naming it', async (t) => {
  const ok = { adminPort: 39022, sipPort: 39060, secret: 'cymru', dir: '/tmp/d' };
  t.throws(() => drachtioConfig({ ...ok, sipPort: 70000 }), /sipPort 70000: expected a port/);
  t.throws(() => drachtioConfig({ ...ok, adminPort: 0 }), /adminPort 0/);
  t.throws(() => drachtioConfig({ ...ok, secret: 'a"b' }), /secret: letters, digits/);
});

t.test('BENCH_DRACHTIO_BIN: unset runs the stand-in, a missing file stops the bench', async (t) => {
  t.equal(drachtioBinary(undefined), undefined);
  t.equal(drachtioBinary(''), undefined);
  t.equal(drachtioBinary(process.execPath), process.execPath);
  t.throws(
    () => drachtioBinary('/nonexistent/drachtio'),
    /BENCH_DRACHTIO_BIN=\/nonexistent\/drachtio: no such file/,
  );
  t.throws(
    () => drachtioBinary('/nonexistent/drachtio', 'TEST_DRACHTIO_BIN'),
    /^TEST_DRACHTIO_BIN=\/nonexistent\/drachtio: no such file/,
    'named after the variable that gave it',
  );
});

t.test('a binary that exits instead of listening stops the bench with its output', async (t) => {
  // node as a stand-in for a broken binary: `-f <file>` is not an option it knows, it exits
  await t.rejects(
    startDrachtioServer(process.execPath, 'cymru'),
    /did not take connections:\n[\s\S]*bad option: -f/,
  );
});

t.test('listensOn: the port is this process’s own, not another’s that answers there', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as AddressInfo;
  t.ok(listensOn(process.pid, port), 'this process holds it');
  t.notOk(listensOn(process.ppid, port), 'its parent does not');
  t.notOk(listensOn(process.pid, port === 65535 ? 1 : port + 1), 'nor another port');
  t.notOk(listensOn(2 ** 22 + 7, port), 'a process that does not exist holds nothing');
});

t.test('diesWithParent: the child goes when its parent is SIGKILLed', async (t) => {
  const [cmd, args] = diesWithParent('/bin/sleep', ['60']);
  // a parent that starts the child as startDrachtioServer does, says its pid, and waits
  const script = `const c = require('node:child_process').spawn(${JSON.stringify(cmd)}, ${JSON.stringify(args)}, { stdio: 'ignore' }); setTimeout(() => console.log(c.pid), 200); setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = Number(
    await new Promise<string>((resolve) => parent.stdout.once('data', (d) => resolve(String(d)))),
  );
  const alive = (p: number) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  t.ok(alive(pid), 'the child runs');
  parent.kill('SIGKILL');
  const gone = await waitFor(() => !alive(pid) || undefined, 3000, 'the child gone').catch(
    () => false,
  );
  if (!gone) process.kill(pid, 'SIGKILL');
  t.ok(gone, 'killed with its parent: no orphan');
});
