// Runs this project's sipp scenarios (test/e2e/scenarios/*.xml, named by outcome) as caller (uac)
// or dealer (uas) on free loopback ports, and reports exit code, call counts and every message
// sipp sent or received. Every sipp started here is killed at teardown or timeout at the latest.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { requireBinary } from './binaries.js';
import {
  freeTcpPort,
  freeUdpPort,
  freeUdpPortBlock,
  tcpPortIsFree,
  udpPortIsFree,
} from './ports.js';

export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'e2e', 'scenarios');

export interface SippOptions {
  /** File name in test/e2e/scenarios, an absolute path, or `sn:<name>` for sipp's built-in one. */
  scenario: string;
  /** Target for a caller; omit for a dealer, which waits for the call. */
  remote?: { address: string; port: number };
  /** `-m`: calls before sipp exits (default 1). */
  calls?: number;
  /** `-r`: calls per second. */
  rate?: number;
  /** `-key name value` for each entry, used as `[name]` in the scenario. */
  keys?: Record<string, string>;
  /** Hard limit; sipp is killed and the run reported as timed out (default 30 s). */
  timeoutMs?: number;
  /** `tcp`: SIP over one TCP connection (`-t t1`), listening on its port as a dealer; else UDP. */
  transport?: 'tcp';
  extraArgs?: string[];
}

export interface SippMessage {
  dir: 'sent' | 'received';
  firstLine: string;
  text: string;
  /** When sipp sent or received it (ms since the epoch, from the log's local-time stamp). */
  at: number;
}

export interface SippResult {
  exitCode: number | null;
  timedOut: boolean;
  counts: { created: number; successful: number; failed: number };
  messages: SippMessage[];
  /** sipp's error log (unexpected messages, aborted calls). */
  errors: string;
  stderr: string;
}

export interface SippRun {
  /** The port sipp listens and sends on (UDP, or TCP with `transport: 'tcp'`). */
  port: number;
  /** sipp's process id (the demo lists what it started; tests check it is gone). */
  pid: number | undefined;
  done: Promise<SippResult>;
  kill(): void;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** sipp's exit code for "cannot bind a socket". */
const BIND_FAILED = 254;
const BIND_ATTEMPTS = 3;

/**
 * Starts sipp; for a dealer, resolves once its SIP port is bound. A free port can be taken by a
 * test running beside this one between the check and sipp's bind: sipp then exits at once with
 * 254, and is started again on other ports.
 */
export async function startSipp(options: SippOptions): Promise<SippRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await startSippOnce(options);
    // a dealer that could not bind exits before it is ready; a caller is retried by runSipp
    if (options.remote || !run.exitedAtStart || attempt >= BIND_ATTEMPTS) return run;
    if ((await run.done).exitCode !== BIND_FAILED) return run;
  }
}

async function startSippOnce(options: SippOptions): Promise<SippRun & { exitedAtStart: boolean }> {
  const sippPath = requireBinary('sipp', 'sip-tester');
  const tcp = options.transport === 'tcp';
  const port = await (tcp ? freeTcpPort() : freeUdpPort());
  const mediaPort = await freeUdpPortBlock(4);
  const dir = mkdtempSync(join(tmpdir(), 'sipp-'));
  const child = spawn(sippPath, buildArgs(options, port, mediaPort, dir), {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8192);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);
  const done = new Promise<SippResult>((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ ...readResults(dir), exitCode: code, timedOut, stderr });
      rmSync(dir, { recursive: true, force: true });
    });
  });
  if (!options.remote) {
    await waitForBind(port, child, tcp ? tcpPortIsFree : udpPortIsFree);
    // the media ports are bound right after the SIP port; a failure there ends sipp at once
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    pid: child.pid,
    done,
    kill: () => child.kill('SIGKILL'),
    exitedAtStart: child.exitCode !== null,
  };
}

/** Waits for a sipp run and asserts it passed its scenario, naming `who` and sipp's errors. */
export async function passed(t: Test, run: SippRun, who: string): Promise<SippResult> {
  const result = await run.done;
  t.match(result, { exitCode: 0 }, `${who}: ${result.errors}`);
  return result;
}

/** Runs sipp to completion; started again on other ports when it could not bind. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await (await startSipp(options)).done;
    if (result.exitCode !== BIND_FAILED || result.counts.created > 0 || attempt >= BIND_ATTEMPTS)
      return result;
  }
}

export function killAllSipp(): void {
  for (const child of live) child.kill('SIGKILL');
}

function buildArgs(options: SippOptions, port: number, mediaPort: number, dir: string): string[] {
  const builtin = /^sn:(\w+)$/.exec(options.scenario)?.[1];
  const file = isAbsolute(options.scenario)
    ? options.scenario
    : join(SCENARIO_DIR, options.scenario);
  const scenario = builtin ? ['-sn', builtin] : ['-sf', file];
  const timeoutSeconds = Math.ceil((options.timeoutMs ?? 30_000) / 1000);
  // biome-ignore format: flag/value pairs read best side by side
  const args = [
    ...(options.remote ? [`${options.remote.address}:${options.remote.port}`] : []),
    ...scenario,
    '-i', '127.0.0.1',
    '-p', String(port),
    '-mp', String(mediaPort),
    '-m', String(options.calls ?? 1),
    '-nostdin',
    '-trace_msg', '-message_file', join(dir, 'messages.log'),
    '-trace_stat', '-stf', join(dir, 'stat.csv'),
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    '-timeout', `${timeoutSeconds}s`, '-timeout_error',
  ];
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.transport === 'tcp') args.push('-t', 't1');
  for (const [name, value] of Object.entries(options.keys ?? {})) args.push('-key', name, value);
  return [...args, ...(options.extraArgs ?? [])];
}

async function waitForBind(
  port: number,
  child: ChildProcess,
  isFree: (port: number) => Promise<boolean>,
): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return;
    if (!(await isFree(port))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`sipp did not bind 127.0.0.1:${port}`);
}

function readResults(dir: string): Omit<SippResult, 'exitCode' | 'timedOut' | 'stderr'> {
  return {
    counts: parseStats(readOr(join(dir, 'stat.csv'))),
    messages: parseMessages(readOr(join(dir, 'messages.log'))),
    errors: readOr(join(dir, 'errors.log')),
  };
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Cumulative counters from the last line of sipp's `-trace_stat` CSV. */
export function parseStats(csv: string): SippResult['counts'] {
  const lines = csv.trim().split('\n');
  const header = lines[0]?.split(';') ?? [];
  const last = lines.length > 1 ? (lines[lines.length - 1]?.split(';') ?? []) : [];
  const column = (name: string) => Number(last[header.indexOf(name)] ?? 0) || 0;
  return {
    created: column('TotalCallCreated'),
    successful: column('SuccessfulCall(C)'),
    failed: column('FailedCall(C)'),
  };
}

/** Messages from sipp's `-trace_msg` log, in order. */
export function parseMessages(log: string): SippMessage[] {
  const messages: SippMessage[] = [];
  // split with the stamp captured: [before, stamp, block, stamp, block, ...]
  const parts = log.split(/^-{20,} (.*)$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const m = /^\s*\S+ message (sent|received)[^\n]*\n\n([\s\S]*)$/.exec(parts[i + 1] ?? '');
    if (!m?.[1] || m[2] === undefined) continue;
    const text = m[2].replace(/\n+$/, '\n');
    messages.push({
      dir: m[1] as SippMessage['dir'],
      firstLine: text.split('\n')[0]?.trim() ?? '',
      text,
      at: stampMs(parts[i] ?? ''),
    });
  }
  return messages;
}

/** sipp's `2026-12-02 07:54:56.478781`, local time (sipp runs with this process's TZ). */
function stampMs(stamp: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)\s+(\d\d):(\d\d):(\d\d)\.(\d{3})/.exec(stamp.trim());
  if (!m) return Number.NaN;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}
