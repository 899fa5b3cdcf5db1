// `npm run standin` as a process: one ready line, serves an unmodified drachtio-srf app, and
// sipp's built-in uac scenario completes every call against it; SIGTERM ends it cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import t from 'tap';
import { freeSipPort, freeTcpPort } from '../helpers/ports.js';
import { runSipp } from '../helpers/sipp.js';
import { connectApp, disconnectApp, newApp, SDP } from '../helpers/srf-app.js';
import { SECRET } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

t.test('the command line stand-in serves an app and 10 sipp calls', async (t) => {
  const [sipPort, adminPort] = [await freeSipPort(), await freeTcpPort()];
  const args = ['--import', 'tsx', 'test/standin/cli.ts'];
  args.push(
    '--sip',
    `127.0.0.1:${sipPort}`,
    '--admin',
    `127.0.0.1:${adminPort}`,
    '--secret',
    SECRET,
  );
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  await waitFor(() => (stdout.includes('\n') ? stdout : undefined), 15_000, 'ready line');
  t.equal(
    stdout,
    `drachtio stand-in ready: sip udp,tcp/127.0.0.1:${sipPort} admin tcp/127.0.0.1:${adminPort}\n`,
  );

  const app = newApp();
  t.teardown(() => disconnectApp(app));
  app.invite((req, res) => {
    app.createUAS(req, res, { localSdp: SDP }).catch(() => {});
  });
  t.equal(
    await connectApp(app, { address: '127.0.0.1', port: adminPort }, SECRET),
    `tcp/127.0.0.1:${sipPort},udp/127.0.0.1:${sipPort}`,
  );

  const result = await runSipp({
    scenario: 'sn:uac',
    remote: { address: '127.0.0.1', port: sipPort },
    calls: 10,
    rate: 20,
  });
  t.equal(result.exitCode, 0, `sipp: ${result.errors}`);
  t.same(result.counts, { created: 10, successful: 10, failed: 0 });

  disconnectApp(app);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'exits 0 on SIGTERM');
});
