/**
 * Call rate: sipp callers drive short calls (answer, 200 ms, BYE) through the drachtio stand-in
 * and an app to a sipp dealer. Two stacks (stand-in, sipp dealer, app) are up side by side: the
 * gateway (dist/, as `npm start` runs it) and a minimal drachtio-srf B2BUA
 * (bench/baseline-b2bua.ts). Only one of them carries calls at a time.
 *
 * - The INVITE-to-INVITE time at 100 calls/s (caller's INVITE handed to the app → the app's
 *   dealer-leg INVITE back at the stand-in), p50 and p99, after a 2 s warm-up.
 * - In the same 100 calls/s run, CPU time per call of the app and of the stand-in (this
 *   process). On 2 cores the stand-in, the app and sipp share the machine, so this is the
 *   steadier comparison.
 * - CPU per call again in `BENCH_CPS_CPU_ROUNDS` (5) rounds of 4 s at each of
 *   `BENCH_CPS_CPU_RATES` (100 and 300 calls/s), the two apps alternating (bench/cps-cpu.ts), after
 *   `BENCH_CPS_WARMUP_S` (30) s of calls each at the highest of those rates, in alternating
 *   blocks of a round's length (`warmUp`): the
 *   median of the per-round ratios is the figure to compare changes by; the single block above
 *   moves by ±20 % on this shared machine. Figures at rates after the first end in `-at-<rate>`.
 * - The rate rising step by step, the two apps taking turns at each rate (the order alternates),
 *   so a noisy moment on this shared machine does not fall on one app's whole ladder. A step
 *   fails when a call fails or the step does not finish in time (sipp could not keep the rate,
 *   or calls queued up); a failed step is tried once more before it counts. The figure is the
 *   highest rate below the first step that failed twice.
 *
 * The gateway runs as production does: records to Redis (a redis-server of the bench's own), the
 * default log level (info), its JSON log on stdout into a pipe this process reads, as a log
 * collector does. After the ladder the stream must hold exactly one record per call the gateway
 * was handed, or the bench fails. `BENCH_CPU_PROF=<dir>` runs both apps under `--cpu-prof`
 * (`<dir>/gateway`, `<dir>/baseline`; stopped with SIGTERM so the profiles are written) and prints
 * each profile's top entries and its time by who caused it; its
 * sampling costs CPU, so compare CPU figures only between runs without it.
 *
 * Progress goes to stderr; figures to stdout.
 */
import { join, resolve } from 'node:path';
import { type Endpoint, type StandinHandle, start } from '../test/standin/index.js';
import { type CpuRounds, cpuRounds, median, WARMUP_SECONDS, warmUp } from './cps-cpu.js';
import { startProductionGateway } from './cps-gateway.js';
import { type LatencyProbe, percentile, probeInviteLatency } from './cps-latency.js';
import {
  type CallerResult,
  cleanUp,
  cpuMs,
  type Proc,
  runCaller,
  startBaseline,
  startDealer,
} from './cps-procs.js';
import { checkRecords, type RecordsCheck } from './cps-records.js';
import { topOf } from './cpu-top.js';
import { callBenchDialplan } from './fixtures.js';
import { histogramQuantile } from './histogram-quantile.js';
import { callFaults, climb, highest, stepTwice } from './ladder.js';
import { type BenchRedis, startBenchRedis } from './redis-server.js';
import { figure } from './report.js';
import { udpReceiveBufferDrops } from './udp-drops.js';

const SECRET = 'cymru';
const TRACKING_NUMBER = '+493025550101';
const STEP_SECONDS = Number(process.env.BENCH_CPS_STEP_SECONDS ?? 3);
const STEPS = rates('BENCH_CPS_STEPS', '50,100,200,300,400,500,600,700,800,900,1000,1200');
const LATENCY_RATE = 100;
const LATENCY_SECONDS = 10;
/** A step passes only if its last call ends within this much after the last call started. */
const LATE_MS = 1000;
const HOLD_MS = 200;
/** Alternating CPU rounds after the latency runs (bench/cps-cpu.ts); 0 leaves them out. */
const CPU_ROUNDS = Number(process.env.BENCH_CPS_CPU_ROUNDS ?? 5);
const CPU_ROUND_SECONDS = 4;
/**
 * The rates of the CPU rounds: 100 calls/s, as this bench always measured, and 300 calls/s, the
 * rate issue 16 compared the gateway with a bare B2BUA at on a real drachtio-server.
 */
const CPU_RATES = rates('BENCH_CPS_CPU_RATES', '100,300');
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;

const DIALPLAN = callBenchDialplan([{ number: TRACKING_NUMBER }]);

type App = 'gateway' | 'baseline';

/** A list of call rates from the environment; a typo stops the bench before anything starts. */
function rates(name: string, fallback: string): number[] {
  const text = process.env[name] ?? fallback;
  const list = text.split(',').map((part) => Number(part.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error(
      `${name}=${text}: expected calls per second, whole numbers above 0, comma-separated`,
    );
  return list;
}

interface Stack {
  app: App;
  standin: StandinHandle;
  probe: LatencyProbe;
  procs: Proc[];
  appProc?: Proc;
  /** Calls sipp started against this stack, in every run. */
  placed: number;
}

interface LatencyFigures {
  p50: number;
  p99: number;
  /** µs of CPU per call: the app's, and the stand-in's while serving it. */
  cpuPerCall: number;
  standinCpuPerCall: number;
  /** The gateway's own dial delay, from its metrics. */
  inside?: { p50: number; p99: number };
}

const log = (line: string) => process.stderr.write(`cps: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(stack: Stack, rate: number, seconds: number): Promise<CallerResult> {
  const r = await runCaller(stack.standin.sipAddress, TRACKING_NUMBER, rate, seconds);
  stack.placed += r.created;
  return r;
}

async function startApp(
  app: App,
  standin: StandinHandle,
  dealer: Endpoint,
  redisUrl: string,
): Promise<Proc> {
  const flags = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', join(CPU_PROF, app)] : [];
  if (app === 'baseline') return startBaseline(standin.adminAddress, SECRET, dealer, flags);
  const admin = standin.adminAddress;
  return startProductionGateway({
    admin,
    secret: SECRET,
    dealer,
    redisUrl,
    dialplan: DIALPLAN,
    nodeFlags: flags,
  });
}

/** Stand-in, dealer and app; pushed onto `stacks` first, so a half-built one is torn down too. */
async function setUp(app: App, stacks: Stack[], redisUrl: string): Promise<Stack> {
  const standin = await start({ sipPort: 0, adminPort: 0, secret: SECRET });
  const probe = probeInviteLatency();
  standin.traceTo(probe.observe);
  const stack: Stack = { app, standin, probe, procs: [], placed: 0 };
  stacks.push(stack);
  const dealer = await startDealer();
  stack.procs.push(dealer);
  stack.appProc = await startApp(app, standin, dealer.address, redisUrl);
  stack.procs.push(stack.appProc);
  return stack;
}

/** The app first; a profiled app is let exit by itself, so that it writes its profile. */
async function tearDown(stack: Stack): Promise<void> {
  for (const p of [...stack.procs].reverse())
    await (CPU_PROF && p === stack.appProc ? p.terminate(30_000) : p.stop());
  await stack.standin.close();
}

/** One record per call handed to the gateway, none twice: else the bench fails. */
async function records(stack: Stack, redis: BenchRedis): Promise<RecordsCheck> {
  const handed = stack.probe.handed();
  const check = await checkRecords(redis.client, stack.appProc!.httpPort!, handed);
  log(
    `gateway records: ${check.written} in the stream, ${handed} calls handed to it, ${stack.placed} placed by sipp${check.inProgress ? `, ${check.inProgress} still in progress` : ''}`,
  );
  return check;
}

function checkAlive(stack: Stack): void {
  const dead = stack.procs.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
  if (dead) throw new Error(`${stack.app}: a process exited:\n${dead.output()}`);
}

/**
 * The gateway's own view of the same calls: `calltrack_dial_delay_seconds`, from its INVITE
 * handler to the dealer INVITE handed to drachtio-srf, without the stand-in's and the loopback's
 * share of the wire figure.
 */
async function dialDelay(port: number): Promise<{ p50: number; p99: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const q = (quantile: number) =>
    histogramQuantile(text, 'calltrack_dial_delay_seconds', quantile) * 1000;
  return { p50: q(0.5), p99: q(0.99) };
}

async function latency(stack: Stack): Promise<LatencyFigures> {
  const { app, probe } = stack;
  const appProc = stack.appProc!;
  const warm = callFaults(await call(stack, LATENCY_RATE, 2), LATENCY_RATE, 2, HOLD_MS, LATE_MS);
  if (warm.length) log(`${app} warm-up at ${LATENCY_RATE}/s: ${warm.join('; ')}`);
  await sleep(300);

  probe.start();
  const cpu0 = { app: cpuMs(appProc), standin: process.cpuUsage() };
  const timed = await call(stack, LATENCY_RATE, LATENCY_SECONDS);
  const standinCpu = process.cpuUsage(cpu0.standin);
  const appCpuMs = cpuMs(appProc) - cpu0.app;
  const { samples, callerInvites } = probe.stop();
  const faults = callFaults(timed, LATENCY_RATE, LATENCY_SECONDS, HOLD_MS, LATE_MS);
  if (faults.length) log(`${app} latency run at ${LATENCY_RATE}/s: ${faults.join('; ')}`);
  checkAlive(stack);
  if (samples.length < callerInvites * 0.9)
    throw new Error(`${app}: only ${samples.length} of ${callerInvites} INVITEs paired`);
  const ms = (q: number) => percentile(samples, q).toFixed(3);
  log(
    `${app} INVITE→INVITE at ${LATENCY_RATE}/s, ${samples.length} calls: p50 ${ms(0.5)}, p90 ${ms(0.9)}, p99 ${ms(0.99)}, max ${ms(1)} ms`,
  );
  await sleep(300);
  const inside = appProc.httpPort ? await dialDelay(appProc.httpPort) : undefined;
  return {
    ...(inside && { inside }),
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    cpuPerCall: (appCpuMs * 1000) / timed.successful,
    standinCpuPerCall: (standinCpu.user + standinCpu.system) / timed.successful,
  };
}

/** Runs a step, and once more if it failed; true when one of the two attempts was clean. */
/** One rate for one app, tried twice at most: true when an attempt was clean. */
function step(stack: Stack, rate: number): Promise<true | undefined> {
  return stepTwice(
    `${stack.app} ${rate}/s × ${STEP_SECONDS} s`,
    log,
    async () => {
      const r = await call(stack, rate, STEP_SECONDS);
      return {
        faults: callFaults(r, rate, STEP_SECONDS, HOLD_MS, LATE_MS),
        result: true as const,
        note: `ok in ${Math.round(r.wallMs)} ms`,
      };
    },
    () => checkAlive(stack),
  );
}

const stacks: Stack[] = [];
let redis: BenchRedis | undefined;
try {
  redis = await startBenchRedis('cps');
  const gateway = await setUp('gateway', stacks, redis.url);
  const baseline = await setUp('baseline', stacks, redis.url);
  const gw = await latency(gateway);
  const base = await latency(baseline);
  const contender = (stack: Stack) => ({
    proc: stack.appProc!,
    call: (rate: number, seconds: number) => call(stack, rate, seconds),
  });
  const rounds = new Map<number, CpuRounds>();
  if (CPU_ROUNDS > 0 && WARMUP_SECONDS > 0) {
    const rate = Math.max(...CPU_RATES);
    const stacks = [gateway, baseline] as const;
    const warmed = await warmUp(
      contender(stacks[0]),
      contender(stacks[1]),
      rate,
      WARMUP_SECONDS,
      CPU_ROUND_SECONDS,
    );
    for (const [i, r] of warmed.entries())
      log(`${stacks[i]!.app} warm-up: ${r.successful} calls at ${rate}/s, ${r.failed} failed`);
  }
  for (const rate of CPU_RATES) {
    const r = await cpuRounds(
      contender(gateway),
      contender(baseline),
      CPU_ROUNDS,
      rate,
      CPU_ROUND_SECONDS,
    );
    rounds.set(rate, r);
    if (CPU_ROUNDS > 0)
      log(
        `CPU rounds at ${rate}/s, gateway/baseline µs per call: ${r.ratios.map((x, i) => `${Math.round(r.first[i]!)}/${Math.round(r.second[i]!)}=${x.toFixed(2)}`).join(', ')}`,
      );
  }
  const drops0 = udpReceiveBufferDrops();
  const passed = await climb([gateway, baseline], STEPS, step);
  const ladderDrops = udpReceiveBufferDrops() - drops0;
  const gwMax = highest(passed.get(gateway));
  const baseMax = highest(passed.get(baseline));
  const { written, inProgress } = await records(gateway, redis);
  figure('cps', 'gateway-max-rate', gwMax, 'calls/s');
  figure('cps', 'baseline-max-rate', baseMax, 'calls/s');
  figure('cps', 'ratio-to-baseline', gwMax / baseMax, 'x');
  figure('cps', 'invite-to-invite-p50', gw.p50, 'ms');
  figure('cps', 'invite-to-invite-p99', gw.p99, 'ms');
  if (gw.inside) {
    figure('cps', 'gateway-own-dial-delay-p50', gw.inside.p50, 'ms');
    figure('cps', 'gateway-own-dial-delay-p99', gw.inside.p99, 'ms');
  }
  figure('cps', 'baseline-invite-to-invite-p50', base.p50, 'ms');
  figure('cps', 'baseline-invite-to-invite-p99', base.p99, 'ms');
  figure('cps', 'gateway-cpu-per-call', gw.cpuPerCall, 'us');
  figure('cps', 'baseline-cpu-per-call', base.cpuPerCall, 'us');
  figure('cps', 'cpu-ratio-to-baseline', gw.cpuPerCall / base.cpuPerCall, 'x');
  if (CPU_ROUNDS > 0)
    for (const [rate, r] of rounds) {
      // the first rate keeps the names these figures always had
      const at = rate === CPU_RATES[0] ? '' : `-at-${rate}`;
      figure('cps', `gateway-cpu-per-call-median${at}`, median(r.first), 'us');
      figure('cps', `baseline-cpu-per-call-median${at}`, median(r.second), 'us');
      figure('cps', `cpu-ratio-to-baseline-median${at}`, median(r.ratios), 'x');
    }
  figure('cps', 'standin-cpu-per-call', (gw.standinCpuPerCall + base.standinCpuPerCall) / 2, 'us');
  figure('cps', 'records-written', written, 'records');
  // every caller is done a minute ago: a call still up lost its BYE somewhere, most likely in
  // a full receive buffer during the ladder's overload steps (the figure after it)
  figure('cps', 'calls-still-up', inProgress, 'calls');
  figure('cps', 'ladder-udp-receive-buffer-drops', ladderDrops, 'datagrams');
} catch (err) {
  process.stderr.write(`bench cps: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  for (const stack of stacks) await tearDown(stack).catch(() => undefined);
  redis?.client.disconnect();
  redis?.stop();
  cleanUp();
}
if (CPU_PROF) {
  try {
    for (const app of ['gateway', 'baseline'] as const)
      process.stderr.write(`cps: ${app} CPU profile, top self time\n${topOf(join(CPU_PROF, app))}`);
  } catch (err) {
    process.stderr.write(`bench cps: no profile: ${err instanceof Error ? err.message : err}\n`);
    process.exitCode = 1;
  }
}
