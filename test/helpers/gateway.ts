/**
 * The gateway as production runs it (`npm start`: node dist/src/main.js), against a drachtio
 * stand-in on free ports, with its own dialplan directory, a JSON-lines record file and captured
 * logs. Torn down with the test; the process is killed if it is still running.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { StandinHandle, StandinOptions } from '../standin/index.js';
import { ensureBuilt, ROOT, startArgs } from './built.js';
import { startDrachtio } from './drachtio-peer.js';
import { freeTcpPort } from './ports.js';
import { killAllSipp } from './sipp.js';
import { waitFor } from './wait.js';

const SECRET = 'cymru';

export type Gateway = {
  standin: StandinHandle;
  sip: { address: string; port: number };
  httpPort: number;
  dir: string;
  /** DIALPLAN_DIR of the running gateway: edit, add or delete files here to reload it. */
  dialplans: string;
  proc: ChildProcess;
  /** Everything the gateway wrote to stdout and stderr so far. */
  logs(): string;
  /** Call records written so far; waits until at least `count` are there. */
  records(count?: number): Promise<Record<string, unknown>[]>;
  metrics(): Promise<string>;
  exited: Promise<number | null>;
};

export async function startGateway(
  t: Test,
  files: Record<string, string>,
  env: Record<string, string> = {},
  /** How to start its drachtio peer, or `server`: one the test started (and closes) itself. */
  peer: Partial<StandinOptions> | { server: StandinHandle } = {},
  /** `healthy`: do not wait for readiness (a gateway that starts without a valid dialplan). */
  until: 'ready' | 'healthy' = 'ready',
): Promise<Gateway> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-gw-'));
  const dialplans = join(dir, 'dialplans');
  spawnSync('mkdir', ['-p', dialplans]);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dialplans, name), text);
  const recordFile = join(dir, 'records.jsonl');
  const given = 'server' in peer ? peer.server : undefined;
  const standin = given ?? (await startDrachtio(SECRET, peer as Partial<StandinOptions>));
  const httpPort = await freeTcpPort();
  let output = '';
  const proc = spawn(process.execPath, startArgs(), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      DIALPLAN_DIR: dialplans,
      // DRACHTIO in `env` (a list of servers) replaces the one-server form: both are refused
      ...(env.DRACHTIO === undefined && {
        DRACHTIO_HOST: '127.0.0.1',
        DRACHTIO_PORT: String(standin.adminAddress.port),
      }),
      DRACHTIO_SECRET: SECRET,
      HTTP_PORT: String(httpPort),
      OUTBOUND_TRUNK: 'sip:127.0.0.1:9',
      RECORD_SINK: `file:${recordFile}`,
      LOG_LEVEL: 'debug',
      NODE_ID: 'e2e',
      ...env,
    },
  });
  proc.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  proc.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  t.teardown(async () => {
    killAllSipp();
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await exited;
    if (!given) await standin.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await waitReady(httpPort, proc, () => output, until === 'ready' ? '/readyz' : '/healthz');
  const records = async (count = 1) => {
    for (let i = 0; i < 200; i++) {
      // complete lines only: the gateway may be writing the last one as the test reads
      const lines = existsSync(recordFile)
        ? readFileSync(recordFile, 'utf8').split('\n').slice(0, -1).filter(Boolean)
        : [];
      if (lines.length >= count) return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`fewer than ${count} call records after 5 s`);
  };
  const metrics = async () => (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return {
    standin,
    sip: standin.sipAddress,
    httpPort,
    dir,
    dialplans,
    proc,
    logs: () => output,
    records,
    metrics,
    exited,
  };
}

async function waitReady(
  port: number,
  proc: ChildProcess,
  logs: () => string,
  path: '/readyz' | '/healthz',
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`gateway exited with ${proc.exitCode}:\n${logs()}`);
    const ok = await fetch(`http://127.0.0.1:${port}${path}`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gateway not ready after 10 s:\n${logs()}`);
}

/** Dialplan reloads with this result so far (`calltrack_dialplan_reloads_total`). */
export async function reloads(gw: Gateway, result: 'loaded' | 'rejected'): Promise<number> {
  const m = new RegExp(`^calltrack_dialplan_reloads_total\\{result="${result}"\\} (\\d+)$`, 'm');
  return Number(m.exec(await gw.metrics())?.[1] ?? 0);
}

/**
 * Asserts a line of the gateway's log. The record file and the log are two writes, the log read
 * through a pipe: a line may come a moment after the record the test already read.
 */
export async function logged(t: Test, gw: Gateway, line: RegExp, what = 'logged'): Promise<void> {
  await waitFor(() => line.test(gw.logs()) || undefined, 3000, 'the log line').catch(() => {});
  t.match(gw.logs(), line, what);
}
