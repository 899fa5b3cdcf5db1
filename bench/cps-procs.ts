/**
 * The processes of `bench/cps`: sipp dealer and caller, the gateway as `npm start` runs it, the
 * baseline B2BUA. Every child and temp dir is registered and removed on exit, whatever the cause.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '../test/helpers/binaries.js';
import { ensureBuilt, ROOT, startArgs } from '../test/helpers/built.js';
import {
  freeTcpPort,
  freeUdpPort,
  freeUdpPortBlock,
  udpPortIsFree,
} from '../test/helpers/ports.js';
import { parseStats } from '../test/helpers/sipp.js';
import type { Endpoint } from '../test/standin/index.js';

const CALLER_SCENARIO = join(import.meta.dirname, 'scenarios', 'bench-uac-short-call.xml');
const DEALER_SCENARIO = join(import.meta.dirname, 'scenarios', 'bench-uas-answer.xml');

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

/** Kills every child still running and removes every temp dir (synchronous: safe in 'exit'). */
export function cleanUp(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
process.once('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

export interface Proc {
  child: ChildProcess;
  /** The last 8 KB the process wrote to stdout and stderr. */
  output(): string;
  exited: Promise<number | null>;
  /** SIGKILL (if still running) and wait for the exit. */
  stop(): Promise<void>;
  /**
   * SIGTERM and wait for the exit, SIGKILL after `graceMs`: for a gateway that must write
   * something as it exits (a `--cpu-prof` profile is written only by a process that exits itself).
   */
  terminate(graceMs: number): Promise<void>;
  /** The gateway's metrics/health port. */
  httpPort?: number;
}

function track(cmd: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  return trackChild(spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Registers a child (killed on exit) and keeps the tail of its output. */
export function trackChild(child: ChildProcess): Proc {
  children.add(child);
  let output = '';
  const keep = (c: Buffer) => {
    output = (output + c.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const proc: Proc = {
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    terminate: async (graceMs) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return proc;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU time (user + system) a running child has used so far, in ms, from /proc (Linux). */
export function cpuMs(proc: Proc): number {
  return statCpuMs(readFileSync(`/proc/${proc.child.pid}/stat`, 'utf8'));
}

/**
 * The same of its main thread alone (the thread whose id is the process's): JavaScript and the
 * event loop. The rest are V8's helpers (parallel scavenges, concurrent marking and sweeping,
 * the optimising compiler), which a `--cpu-prof` profile does not see.
 */
export function mainThreadCpuMs(proc: Proc): number {
  const pid = proc.child.pid;
  return statCpuMs(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
}

/** utime + stime of a `stat` line, in ms. */
export function statCpuMs(stat: string): number {
  // fields after the `(comm)`, which may hold spaces and parentheses: utime is field 14, stime 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`not a /proc stat line: ${stat.slice(0, 80)}`);
  return (ticks * 1000) / CLOCK_TICKS;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sippPorts(): Promise<string[]> {
  const port = await freeUdpPort();
  const media = await freeUdpPortBlock(4);
  return ['-i', '127.0.0.1', '-p', String(port), '-mp', String(media)];
}

/**
 * A sipp dealer that answers every call and waits for its BYE, for as long as it runs; started
 * again on other ports if another process took its port between the check and sipp's bind.
 */
export async function startDealer(backstopS = 600): Promise<Proc & { address: Endpoint }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDealerOnce(backstopS);
    } catch (err) {
      if (attempt >= 3 || !/Unable to bind/.test(String(err))) throw err;
    }
  }
}

async function startDealerOnce(backstopS: number): Promise<Proc & { address: Endpoint }> {
  const sipp = requireBinary('sipp', 'sip-tester');
  const args = await sippPorts();
  const port = Number(args[3]);
  const dir = tempDir('calltrack-bench-dealer-');
  // biome-ignore format: flag/value pairs read best side by side
  const proc = track(sipp, [
    '-sf', DEALER_SCENARIO, ...args, '-m', '100000000', '-nostdin',
    // a backstop should this process be SIGKILLed: longer than the whole bench (bench/soak
    // passes its own duration)
    '-timeout', `${backstopS}s`,
  ], { cwd: dir });
  for (let i = 0; i < 100 && (await udpPortIsFree(port)); i++) {
    if (proc.child.exitCode !== null) break;
    await sleep(20);
  }
  // exited: the port may be bound, but by some other process
  if (proc.child.exitCode !== null || (await udpPortIsFree(port)))
    throw new Error(`sipp dealer did not start:\n${proc.output()}`);
  return { ...proc, address: { address: '127.0.0.1', port } };
}

export interface CallerResult {
  exitCode: number | null;
  created: number;
  successful: number;
  failed: number;
  /** From spawning sipp to its exit. */
  wallMs: number;
  /** sipp error-log events other than late retransmissions to calls already ended. */
  errors: number;
  /** First line of the first of them, if any. */
  firstError: string;
  /** INVITE sent → 200 received, ms (sipp's clock), one per answered call. */
  answerMs: number[];
}

export type CallerOptions = {
  /** Default: the short call of `bench/cps`. */
  scenario?: string;
  /** How long one call lasts when all is well (answer, hold, BYE), ms. */
  callMs?: number;
};

/** sipp's exit code for "cannot bind a socket": a port taken between the check and the bind. */
const BIND_FAILED = 254;

/**
 * Runs `rate × seconds` calls at `rate` calls/s to `target`, dialling `called`; started again on
 * other ports if sipp could not bind.
 */
export async function runCaller(
  target: Endpoint,
  called: string,
  rate: number,
  seconds: number,
  opts: CallerOptions = {},
): Promise<CallerResult> {
  for (let attempt = 1; ; attempt++) {
    const r = await runCallerOnce(target, called, rate, seconds, opts);
    if (r.exitCode !== BIND_FAILED || r.created > 0 || attempt >= 3) return r;
  }
}

async function runCallerOnce(
  target: Endpoint,
  called: string,
  rate: number,
  seconds: number,
  opts: CallerOptions,
): Promise<CallerResult> {
  const sipp = requireBinary('sipp', 'sip-tester');
  const dir = tempDir('calltrack-bench-caller-');
  const calls = Math.round(rate * seconds);
  // a call that gets stuck fails after 3 s without a message (-recv_timeout), so sipp is done
  // within `seconds` + the call + 2 × 3 s (INVITE, BYE) unless it cannot keep up at all
  const limitS = seconds + Math.ceil((opts.callMs ?? 0) / 1000) + 8;
  // biome-ignore format: flag/value pairs read best side by side
  const args = [
    `${target.address}:${target.port}`, '-sf', opts.scenario ?? CALLER_SCENARIO,
    ...(await sippPorts()),
    '-key', 'called', called,
    '-r', String(rate), '-m', String(calls),
    // open calls allowed: 10 s of calls, so a slow app shows as late or failed calls
    '-l', String(rate * 10),
    '-recv_timeout', '3000',
    '-nostdin',
    '-trace_stat', '-stf', join(dir, 'stat.csv'),
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    // every call's response time (rtd="true" on the 200) into <scenario>_<pid>_rtt.csv in cwd
    '-trace_rtt', '-rtt_freq', '1',
    '-timeout', `${limitS}s`, '-timeout_error',
  ];
  const started = performance.now();
  const proc = track(sipp, args, { cwd: dir });
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), (limitS + 5) * 1000);
  const exitCode = await proc.exited;
  clearTimeout(timer);
  const wallMs = performance.now() - started;
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');
  const counts = parseStats(read('stat.csv'));
  // events are `date\ttime\tepoch: text`, not always newline-terminated; late 200
  // retransmissions to calls that already ended are harmless
  const events = read('errors.log')
    .split(/\d{4}-\d\d-\d\d\t[^\t]*\t[\d.]+: /)
    .map((e) => e.trim().split('\n')[0] ?? '')
    .filter((e) => e && !e.startsWith('Dead call') && !e.startsWith('The following'));
  const rtt = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
  const answerMs = (rtt ? read(rtt) : '')
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(';')[1]))
    .filter((ms) => Number.isFinite(ms) && ms >= 0);
  removeDir(dir);
  if (counts.created === 0 && exitCode !== 0 && exitCode !== 1 && exitCode !== BIND_FAILED)
    throw new Error(`sipp caller did not run (exit ${exitCode}):\n${proc.output()}`);
  return {
    exitCode,
    ...counts,
    wallMs,
    errors: events.length,
    firstError: (events[0] ?? '').trim().slice(0, 200),
    answerMs,
  };
}

/**
 * The gateway from dist/ with `dialplans` as DIALPLAN_DIR and `env` on top (and `nodeFlags`
 * before the script, for V8 flags NODE_OPTIONS refuses); resolves once /readyz says 200 (with
 * FREESWITCH set, that needs a media server connected). Without `env` it writes no records and
 * logs errors only; a variable set to `undefined` in `env` is left unset, so the gateway's own
 * default applies (`bench/cps` runs it so: records to Redis, the default log level). `root` is
 * the checkout whose `dist/` runs (`bench/cps-ab` runs another one beside this one).
 */
export async function startGateway(
  admin: Endpoint,
  secret: string,
  dialplans: string,
  trunk: Endpoint,
  env: Record<string, string | undefined> = {},
  nodeFlags: string[] = [],
  root: string = ROOT,
): Promise<Proc & { httpPort: number }> {
  if (root === ROOT) ensureBuilt();
  else if (!existsSync(join(root, 'dist', 'src', 'main.js')))
    throw new Error(`${root}: no dist/src/main.js (build that checkout: npm ci && npm run build)`);
  const httpPort = await freeTcpPort();
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '',
    DIALPLAN_DIR: dialplans,
    DRACHTIO_HOST: admin.address,
    DRACHTIO_PORT: String(admin.port),
    DRACHTIO_SECRET: secret,
    HTTP_PORT: String(httpPort),
    OUTBOUND_TRUNK: `sip:${trunk.address}:${trunk.port}`,
    RECORD_SINK: 'log',
    LOG_LEVEL: 'error',
    NODE_ID: 'bench',
    // the node's own limits must not be what the ladder measures
    MAX_CALLS_PER_SECOND: '100000',
    MAX_CONCURRENT_CALLS: '100000',
    ...env,
  };
  const proc = track(process.execPath, [...nodeFlags, ...startArgs()], {
    cwd: root,
    env: Object.fromEntries(
      Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  });
  for (let i = 0; i < 200; i++) {
    if (proc.child.exitCode !== null)
      throw new Error(`gateway exited with ${proc.child.exitCode}:\n${proc.output()}`);
    const ok = await fetch(`http://127.0.0.1:${httpPort}/readyz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return Object.assign(proc, { httpPort });
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`gateway not ready after 10 s:\n${proc.output()}`);
}

/** bench/baseline-b2bua.ts, forwarding to `dealer`; resolves once it reports `ready`. */
export async function startBaseline(
  admin: Endpoint,
  secret: string,
  dealer: Endpoint,
  flags: readonly string[] = [],
): Promise<Proc> {
  const script = join(import.meta.dirname, 'baseline-b2bua.ts');
  // biome-ignore format: one argument per role
  const proc = track(process.execPath, [
    ...flags, '--import', 'tsx', script,
    admin.address, String(admin.port), secret, `${dealer.address}:${dealer.port}`,
    // PATH alone, not the bench's environment (npm adds ~40 variables; the gateway gets ~15):
    // drachtio-srf reads process.env for every SIP header, and each read scans the environment
  ], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
  for (let i = 0; i < 200; i++) {
    if (proc.output().includes('ready\n')) return proc;
    if (proc.child.exitCode !== null) break;
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`baseline B2BUA not ready:\n${proc.output()}`);
}
