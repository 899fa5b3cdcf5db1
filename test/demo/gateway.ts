/**
 * The built gateway as `npm start` runs it (dist/src/main.js), pointed at the demo's stand-in,
 * dealer and record sink, with every file it writes in the demo's temp dir (never the checkout).
 */
import { join } from 'node:path';
import { ROOT, startArgs } from '../helpers/built.js';
import { freeTcpPort } from '../helpers/ports.js';
import type { Processes } from './procs.js';

export type DemoGateway = {
  pid: number;
  httpPort: number;
  logs(): string;
  readyz(): Promise<string>;
};

export type GatewaySetup = {
  dir: string;
  drachtioPort: number;
  secret: string;
  dealerPort: number | undefined;
  hoursClockStart: string;
  recordEnv: Record<string, string>;
};

export async function startDemoGateway(procs: Processes, s: GatewaySetup): Promise<DemoGateway> {
  const httpPort = await freeTcpPort();
  const env = {
    PATH: process.env.PATH ?? '',
    DIALPLAN_DIR: join(ROOT, 'dialplans'),
    CARRIERS_FILE: join(ROOT, 'config', 'carriers.yaml'),
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: String(s.drachtioPort),
    DRACHTIO_SECRET: s.secret,
    HTTP_PORT: String(httpPort),
    // E.164 destinations go to the dealer sipp, as to a carrier trunk
    OUTBOUND_TRUNK: `sip:127.0.0.1:${s.dealerPort ?? 9}`,
    HOURS_CLOCK_START: s.hoursClockStart,
    NODE_ID: 'demo',
    LOG_LEVEL: 'info',
    READYZ_DETAIL: 'on',
    DRAIN_TIMEOUT_MS: '2000',
    DIALPLAN_CACHE_DIR: join(s.dir, 'dialplan-cache'),
    RECORDING_DIR: join(s.dir, 'recordings'),
    VOICEMAIL_DIR: join(s.dir, 'voicemail'),
    ...s.recordEnv,
  };
  // run from the temp dir, so whatever it writes by a relative path lands there too
  const args = startArgs().map((a) => (a.endsWith('.js') ? join(ROOT, a) : a));
  const started = procs.spawn('gateway', process.execPath, args, { cwd: s.dir, env });
  let output = '';
  const keep = (c: Buffer) => {
    output = (output + c.toString('utf8')).slice(-64_000);
  };
  started.child.stdout?.on('data', keep);
  started.child.stderr?.on('data', keep);
  const readyz = () =>
    fetch(`http://127.0.0.1:${httpPort}/readyz`).then(async (r) => `${r.status} ${await r.text()}`);
  for (let i = 0; ; i++) {
    if (started.child.exitCode !== null)
      throw new Error(`the gateway exited with ${started.child.exitCode}:\n${output}`);
    if ((await readyz().catch(() => '')).startsWith('200')) break;
    if (i >= 300) throw new Error(`the gateway was not ready after 15 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: started.child.pid ?? 0, httpPort, logs: () => output, readyz };
}
