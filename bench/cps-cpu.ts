/**
 * CPU per call of two apps in alternating rounds at one rate: the gateway, then the baseline,
 * then the baseline first, and so on. On this shared machine one 10 s block per app is at the
 * mercy of what the other processes do meanwhile (a run-to-run spread of ±20 %); the median of
 * per-round ratios, each from two blocks seconds apart, moves far less.
 */
import { type CallerResult, cpuMs, type Proc } from './cps-procs.js';

export type CpuContender = {
  proc: Proc;
  /** Places `rate × seconds` calls through this app. */
  call: (rate: number, seconds: number) => Promise<CallerResult>;
};

export type PerCall = {
  /** µs of CPU per successful call, one per round. */
  first: number[];
  second: number[];
  /** first / second, one per round. */
  ratios: number[];
};

export type CpuRounds = PerCall & {
  /** The same of a part of each process (`cpuTogether`'s `part`: its main thread). */
  part?: PerCall;
};

/** ms of CPU a process has used so far. */
export type CpuReader = (proc: Proc) => number;

/** µs of the app's CPU per successful call over one block of calls. */
async function block(
  c: CpuContender,
  rate: number,
  seconds: number,
  cpu: CpuReader,
): Promise<number> {
  const before = cpu(c.proc);
  const r = await c.call(rate, seconds);
  return ((cpu(c.proc) - before) * 1000) / Math.max(1, r.successful);
}

export async function cpuRounds(
  first: CpuContender,
  second: CpuContender,
  rounds: number,
  rate: number,
  seconds: number,
  cpu: CpuReader = cpuMs,
): Promise<CpuRounds> {
  const out: CpuRounds = { first: [], second: [], ratios: [] };
  for (let i = 0; i < rounds; i++) {
    const [a, b] = i % 2 === 0 ? [first, second] : [second, first];
    const x = await block(a, rate, seconds, cpu);
    const y = await block(b, rate, seconds, cpu);
    const [f, s] = a === first ? [x, y] : [y, x];
    out.first.push(f);
    out.second.push(s);
    out.ratios.push(f / s);
  }
  return out;
}

/**
 * CPU per call of two apps taking calls at the same time, `windows` times: both see the same
 * machine in the same seconds, so what the other processes do meanwhile weighs on both alike.
 * Taken in turns, the per-round ratio of two identical gateways spread by about ±0.08 here; side
 * by side, by about ±0.02. Which app's calls start first alternates from one window to the next.
 * `part` reads a part of each process's CPU over the same windows (`bench/cps-ab`: the main
 * thread, so that what V8's helper threads take shows as the rest).
 */
export async function cpuTogether(
  first: CpuContender,
  second: CpuContender,
  windows: number,
  rate: number,
  seconds: number,
  cpu: CpuReader = cpuMs,
  part?: CpuReader,
): Promise<CpuRounds> {
  const out: CpuRounds = { first: [], second: [], ratios: [] };
  const readers: [CpuReader, PerCall][] = [[cpu, out]];
  if (part) {
    out.part = { first: [], second: [], ratios: [] };
    readers.push([part, out.part]);
  }
  const apps = [first, second] as const;
  for (let i = 0; i < windows; i++) {
    const before = readers.map(([read]) => apps.map((a) => read(a.proc)));
    const order = i % 2 === 0 ? apps : ([second, first] as const);
    const [x, y] = await Promise.all(order.map((a) => a.call(rate, seconds)));
    const results = order[0] === first ? [x!, y!] : [y!, x!];
    readers.forEach(([read, into], r) => {
      const [f, s] = apps.map(
        (a, k) => ((read(a.proc) - before[r]![k]!) * 1000) / Math.max(1, results[k]!.successful),
      ) as [number, number];
      into.first.push(f);
      into.second.push(s);
      into.ratios.push(f / s);
    });
  }
  return out;
}

/** Calls of one app's warm-up, all its blocks together. */
export type WarmedUp = { successful: number; failed: number };

/**
 * Each app takes `seconds` of calls at `rate` before the rounds, in blocks of `blockSeconds`
 * taken in turn, the second app's last: the first round then finds each app as every later
 * round does, idle for one block at most. Warmed up one after the other, the first app waited
 * the second's whole warm-up: after 30 s (or 120 s) without calls, the gateway's first round
 * took up to twice the CPU per call of its later ones (~4,600 page faults a second against
 * ~1,000, as V8 regrew the heap it had given back), and that round's ratio read 2.04 to 2.09 in
 * three runs whose other rounds read 1.04 to 1.59.
 */
export async function warmUp(
  first: CpuContender,
  second: CpuContender,
  rate: number,
  seconds: number,
  blockSeconds: number,
): Promise<[WarmedUp, WarmedUp]> {
  const out: [WarmedUp, WarmedUp] = [
    { successful: 0, failed: 0 },
    { successful: 0, failed: 0 },
  ];
  for (let done = 0; done < seconds; done += blockSeconds) {
    const block = Math.min(blockSeconds, seconds - done);
    for (const [i, app] of [first, second].entries()) {
      const r = await app.call(rate, block);
      out[i]!.successful += r.successful;
      out[i]!.failed += r.failed;
    }
  }
  return out;
}

/**
 * A whole number from the environment (`fallback` when unset); anything else stops the bench
 * before anything starts, naming the variable.
 */
export function wholeFromEnv(name: string, fallback: number, least = 1): number {
  const text = process.env[name];
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < least)
    throw new Error(`${name}=${text}: expected a whole number of at least ${least}`);
  return n;
}

/**
 * Seconds of calls each app takes at the rounds' rate before the first round
 * (`BENCH_CPS_WARMUP_S`, default 30, 0 for none): V8 optimises a function only once it has run
 * often, and the gateway has far more code than the bare B2BUA. With 2 s of warm-up, rounds at
 * 300 calls/s still spent ~90 µs per call in the gateway's optimising compiler (perf); after 40 s,
 * 16 µs, as the B2BUA. CPU per call is a figure for a gateway that runs for days: measured warm.
 */
export const WARMUP_SECONDS = wholeFromEnv('BENCH_CPS_WARMUP_S', 30, 0);

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The mean of `values` and its standard error (the sample deviation over √n): how far the mean
 * of another run of as many rounds would likely stray, for a reader weighing a change of a few
 * per cent. A single value has no spread to tell: its error is NaN.
 */
export function meanAndError(values: readonly number[]): { mean: number; stderr: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, stderr: Math.sqrt(variance / n) };
}
