/**
 * Where a process's CPU goes, per call, by who caused it: a `perf record -g` profile (Debian:
 * linux-perf) of a node process started with `perfNodeFlags` (V8 writes the code it compiles, with
 * the time, to a jitdump file that `perf inject --jit` turns into a library per piece of code).
 * Every sample, on any thread, goes to GC when it is in a collection (one an allocation started
 * too), else to the innermost project file on its stack (`dist/src/…`, or `bench/…` for the
 * baseline B2BUA), else the innermost package, else to what it is: the optimising compiler,
 * another thread, Node's own JavaScript, native code with no JavaScript frame (the event loop,
 * socket reads).
 *
 * Unlike V8's `--cpu-prof`, which samples the JavaScript thread by the wall clock (a write that
 * blocks looks busy, the GC and compiler threads are not seen), this counts CPU where it is
 * spent, and the kernel's part of a write goes to the code that wrote.
 *
 * Not `--perf-basic-prof`: its map names address ranges without times, and V8 reuses the memory
 * of code that died for new code, so a quarter of the gateway's JavaScript frames fell on ranges
 * the map gave two or three names; perf kept one by its own rules. A hot function of the call
 * path could be named after start-up code, and a frame under every socket read or promise job
 * after a function of ours, taking all the samples above it (drachtio-srf's went to
 * `records/anonymise.js`, 443 µs a call). The jitdump says which code was where when.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '../test/helpers/binaries.js';

export type Owners = { samples: number; owners: Map<string, number> };

/**
 * The flags the profiled node process needs: V8 writes `jit-<pid>.dump` in the process's working
 * directory (this V8 has no flag for where), and with it a log of its own, sent to `dir`.
 */
export function perfNodeFlags(dir: string): string[] {
  return ['--perf-prof', '--no-logfile-per-isolate', `--logfile=${join(dir, 'v8-%p.log')}`];
}

/** Sampling rate of `recordCpu`, per second and thread. */
export const PERF_HZ = 999;

/**
 * `perf record -g` of process `pid` until `stop()`: perf writes its file when it exits, which
 * `stop()` waits for.
 */
export function recordCpu(pid: number, file: string): { stop(): Promise<void> } {
  const perf = requireBinary('perf', 'linux-perf');
  // -k mono: the jitdump's times are CLOCK_MONOTONIC, and inject matches perf's times to them
  const record = ['record', '-k', 'mono', '--no-buildid-cache', '-F', String(PERF_HZ), '-g'];
  const child: ChildProcess = spawn(perf, [...record, '-p', String(pid), '-o', file, '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (c: Buffer) => {
    errors = (errors + c.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<string>((resolve) =>
    child.once('close', (code, signal) => resolve(code === null ? String(signal) : String(code))),
  );
  return {
    stop: async () => {
      child.kill('SIGINT');
      // perf writes its file on SIGINT and then ends by that signal, or exits with 0
      const how = await exited;
      if (how !== '0' && how !== 'SIGINT')
        throw new Error(`perf record ended with ${how}: ${errors}`);
    },
  };
}

/**
 * The samples of a perf.data file by owner (`grain`: see `ownersOf`); `pid` is the main thread's
 * id, `cwd` the working directory it ran in (where its jitdump is). What inject makes (the
 * injected copy, a library per piece of code beside the jitdump, build ids) is removed again, and
 * the jitdump with it.
 */
export function ownersOfFile(
  file: string,
  pid: number,
  cwd: string,
  grain: Grain = 'file',
): Owners {
  const perf = requireBinary('perf', 'linux-perf');
  const injected = `${file}.jit`;
  // perf keeps a copy of every library it meets (inject: each piece of code) under ~/.debug
  // unless given a directory of its own (PERF_BUILDID_DIR did not keep inject out of ~/.debug)
  const buildIds = mkdtempSync(join(tmpdir(), 'calltrack-perf-'));
  const run = (args: string[]) => {
    const out = spawnSync(perf, ['--buildid-dir', buildIds, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    if (out.status !== 0) throw new Error(`perf ${args[0]}: ${out.stderr}`);
    return out.stdout;
  };
  try {
    run(['inject', '--jit', '-i', file, '-o', injected]);
    return ownersOf(run(['script', '-F', 'tid,ip,sym', '-i', injected]), String(pid), grain);
  } finally {
    rmSync(injected, { force: true });
    rmSync(buildIds, { recursive: true, force: true });
    removeJitFiles(cwd, pid);
  }
}

/**
 * What V8 (`--perf-prof`) and inject leave of process `pid` in its working directory `cwd`: its
 * jitdump and a library per piece of code. A bench that stops before it reads its profile (a
 * failed call) removes them too: they would stay in the checkout.
 */
export function removeJitFiles(cwd: string, pid: number): void {
  for (const name of readdirSync(cwd))
    if (name === `jit-${pid}.dump` || name.startsWith(`jitted-${pid}-`))
      rmSync(join(cwd, name), { force: true });
}

/**
 * How finely samples are owned: by file and package (`file`: how big each part of the gateway
 * is), or by function (`function`: the innermost function of ours, or of the package, with its
 * file and line, so an anonymous closure is told apart; what within a part costs).
 */
export type Grain = 'file' | 'function';

/** `BENCH_PERF_BY`: unset is `file`; anything else but the two stops the bench before it starts. */
export function grainOf(text: string | undefined): Grain {
  if (text === undefined || text === '' || text === 'file') return 'file';
  if (text === 'function') return 'function';
  throw new Error(`BENCH_PERF_BY=${text}: expected file or function`);
}

/**
 * `perf script -F tid,ip,sym` text by owner: one block per sample, its first line the thread id,
 * then one frame per line (address, symbol), innermost first. `main` is the id of the process's
 * main thread (its pid).
 */
export function ownersOf(script: string, main: string, grain: Grain = 'file'): Owners {
  const owners = new Map<string, number>();
  let samples = 0;
  for (const block of script.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const tid = lines[0]?.trim().split(/\s+/)[0];
    if (!tid) continue;
    const frames = lines.slice(1).map((l) => l.trim().replace(/^\S+\s+/, ''));
    const owner = ownerOf(frames, tid === main, grain);
    owners.set(owner, (owners.get(owner) ?? 0) + 1);
    samples++;
  }
  return { samples, owners };
}

// a JIT frame: `JS:<tier mark><name> <url>:<line>:<column>` (the name is empty for a closure)
const OWN = /^JS:[*~^+]?(\S*)\s+\S*\/(?:dist\/src|bench)\/([^:]+):(\d+)/;
const PACKAGE = /^JS:[*~^+]?(\S*)\s+\S*node_modules\/((?:@[^/]+\/)?[^/]+)\/([^:]+):(\d+)/;

const GC = /Scaveng|MarkCompact|Heap::|Sweeper|Marking|Evacuat/;

/** What a function-grain owner adds to its file or package: where, and the name. */
function functionPart(grain: Grain, name: string | undefined, where: string): string {
  return grain === 'function' ? `${where} ${name || '(anonymous)'}` : '';
}

function ownerOf(frames: readonly string[], mainThread: boolean, grain: Grain): string {
  // a collection an allocation started runs on the allocating code's stack: GC all the same, or
  // each scavenge would land on whichever line happened to fill the young generation
  const firstJs = frames.findIndex((f) => f.startsWith('JS:'));
  const native = firstJs < 0 ? frames.slice(0, 12) : frames.slice(0, firstJs);
  if (native.some((f) => GC.test(f))) return 'GC';
  for (const frame of frames) {
    const own = OWN.exec(frame);
    if (own) return `own: ${own[2]}${functionPart(grain, own[1], `:${own[3]}`)}`;
  }
  for (const frame of frames) {
    const pkg = PACKAGE.exec(frame);
    if (pkg) return `package: ${pkg[2]}${functionPart(grain, pkg[1], ` ${pkg[3]}:${pkg[4]}`)}`;
  }
  if (native.some((f) => /compiler::|OptimizingCompileDispatcher|Compile/.test(f)))
    return 'optimising compiler';
  if (!mainThread) return 'other threads';
  if (frames.some((f) => /^JS:\S*\s+node:/.test(f))) return "Node's JavaScript";
  return 'native, no JavaScript (event loop, I/O)';
}

/**
 * Two profiles side by side in µs per call (a sample is 1/PERF_HZ s): every owner either has, the
 * biggest difference first. `names` label the two columns.
 */
export function formatOwners(
  names: readonly [string, string],
  a: Owners & { calls: number },
  b: Owners & { calls: number },
  rows = 30,
): string {
  const us = (o: Owners & { calls: number }, owner?: string) =>
    ((owner === undefined ? o.samples : (o.owners.get(owner) ?? 0)) * 1e6) / PERF_HZ / o.calls;
  const all = [...new Set([...a.owners.keys(), ...b.owners.keys()])];
  all.sort((x, y) => Math.abs(us(b, y) - us(a, y)) - Math.abs(us(b, x) - us(a, x)));
  const cell = (n: number) => n.toFixed(1).padStart(8);
  const lines = [
    `${'µs/call'.padStart(8)} ${names[0].padStart(8)} ${names[1].padStart(8)}  owner (difference first)`,
    `${cell(us(a) - us(b))} ${cell(us(a))} ${cell(us(b))}  all`,
  ];
  for (const owner of all.slice(0, rows))
    lines.push(
      `${cell(us(a, owner) - us(b, owner))} ${cell(us(a, owner))} ${cell(us(b, owner))}  ${owner}`,
    );
  return `${lines.join('\n')}\n`;
}
