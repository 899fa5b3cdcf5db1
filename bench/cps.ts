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
 * - The rate rising step by step, the two apps taking turns at each rate (the order alternates),
 *   so a noisy moment on this shared machine does not fall on one app's whole ladder. A step
 *   fails when a call fails or the step does not finish in time (sipp could not keep the rate,
 *   or calls queued up); a failed step is tried once more before it counts. The figure is the
 *   highest rate below the first step that failed twice.
 *
 * Progress goes to stderr; figures to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Endpoint, type StandinHandle, start } from '../test/standin/index.js';
import { type LatencyProbe, percentile, probeInviteLatency } from './cps-latency.js';
import {
  type CallerResult,
  cleanUp,
  cpuMs,
  type Proc,
  runCaller,
  startBaseline,
  startDealer,
  startGateway,
  tempDir,
} from './cps-procs.js';
import { callBenchDialplan } from './fixtures.js';
import { callFaults, climb, highest, stepTwice } from './ladder.js';
import { figure } from './report.js';

const SECRET = 'cymru';
const TRACKING_NUMBER = '+493025550101';
const STEP_SECONDS = Number(process.env.BENCH_CPS_STEP_SECONDS ?? 3);
const STEPS = (process.env.BENCH_CPS_STEPS ?? '50,100,200,300,400,500,600,700,800,900,1000,1200')
  .split(',')
  .map(Number);
const LATENCY_RATE = 100;
const LATENCY_SECONDS = 10;
/** A step passes only if its last call ends within this much after the last call started. */
const LATE_MS = 1000;
const HOLD_MS = 200;

const DIALPLAN = callBenchDialplan([{ number: TRACKING_NUMBER }]);

type App = 'gateway' | 'baseline';

interface Stack {
  app: App;
  standin: StandinHandle;
  probe: LatencyProbe;
  procs: Proc[];
  appProc?: Proc;
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

function call(stack: Stack, rate: number, seconds: number): Promise<CallerResult> {
  return runCaller(stack.standin.sipAddress, TRACKING_NUMBER, rate, seconds);
}

async function startApp(app: App, standin: StandinHandle, dealer: Endpoint): Promise<Proc> {
  if (app === 'baseline') return startBaseline(standin.adminAddress, SECRET, dealer);
  const dir = tempDir('calltrack-bench-cps-');
  const dialplans = join(dir, 'dialplans');
  mkdirSync(dialplans);
  writeFileSync(join(dialplans, 'bench.yaml'), DIALPLAN);
  return startGateway(standin.adminAddress, SECRET, dialplans, dealer);
}

/** Stand-in, dealer and app; pushed onto `stacks` first, so a half-built one is torn down too. */
async function setUp(app: App, stacks: Stack[]): Promise<Stack> {
  const standin = await start({ sipPort: 0, adminPort: 0, secret: SECRET });
  const stack: Stack = { app, standin, probe: probeInviteLatency(standin.trace), procs: [] };
  stacks.push(stack);
  const dealer = await startDealer();
  stack.procs.push(dealer);
  stack.appProc = await startApp(app, standin, dealer.address);
  stack.procs.push(stack.appProc);
  return stack;
}

async function tearDown(stack: Stack): Promise<void> {
  for (const p of [...stack.procs].reverse()) await p.stop();
  await stack.standin.close();
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
  const q = (quantile: string) =>
    Number(
      new RegExp(`^calltrack_dial_delay_seconds\\{quantile="${quantile}"\\} (\\S+)$`, 'm').exec(
        text,
      )?.[1] ?? Number.NaN,
    ) * 1000;
  return { p50: q('0.5'), p99: q('0.99') };
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
try {
  const gateway = await setUp('gateway', stacks);
  const baseline = await setUp('baseline', stacks);
  const gw = await latency(gateway);
  const base = await latency(baseline);
  const passed = await climb([gateway, baseline], STEPS, step);
  const gwMax = highest(passed.get(gateway));
  const baseMax = highest(passed.get(baseline));
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
  figure('cps', 'standin-cpu-per-call', (gw.standinCpuPerCall + base.standinCpuPerCall) / 2, 'us');
} catch (err) {
  process.stderr.write(`bench cps: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  for (const stack of stacks) await tearDown(stack).catch(() => undefined);
  cleanUp();
}
