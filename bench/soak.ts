/**
 * Soak: calls at a steady rate for `BENCH_SOAK_SECONDS` (600) at `BENCH_SOAK_CPS` (50) calls/s,
 * each held 5 s (bench/scenarios/bench-uac-held-call.xml), so about rate × 5 calls are up at any
 * moment, through the drachtio stand-in and the gateway (dist/, records to Redis as production,
 * the default log level; only V8's --trace-gc added, one line per GC) to a sipp dealer. Every
 * 5 s the gateway's own /metrics (prom-client's default metrics) give RSS, open fds, heap used,
 * active calls and the event-loop delay p99 of the last 5 s.
 *
 * - rss-slope: least squares over the second half of the run (the first half is warm-up: JIT,
 *   pools, V8 growing its heap), kB per minute. Flat is the goal.
 * - rss-start, fds-start: idle, before the first call; rss-end, fds-end: the last sample while
 *   calls run; fds-max over every sample.
 * - eventloop-p99: the largest of the 5 s windows' p99 while calls run. prom-client samples the
 *   loop every 10 ms and Node counts that interval into each delay, so an idle loop reads about
 *   10 ms: eventloop-p99-idle (the last idle window) is the floor to subtract.
 * - heap-per-active-call: (mean heap used over the second half − mean heap used idle before the
 *   first call) / mean active calls over the second half. The gateway cannot be made to collect
 *   garbage from outside, so this counts the garbage a steady rate keeps between collections
 *   too: an upper bound. Goal: under 20 kB.
 * - live-heap-per-active-call: the same with the live heap after each full GC in the second half
 *   (V8 --trace-gc on the gateway) in place of heap used, against the live heap after the first
 *   full GC once the calls have ended (V8's memory reducer runs one when allocation stops; an
 *   idle gateway before the first call runs none). Printed only when both GCs happened.
 * - live-heap-slope: least squares over the live heap after each full GC in the second half,
 *   kB per minute (at least three GCs): what a leak would grow, without the allocator's and
 *   V8's own sizing that RSS also shows.
 * - udp-receive-buffer-drops: datagrams the kernel dropped for a full socket buffer while the
 *   calls ran, machine-wide (bench/udp-drops.ts): each costs a retransmission, and the calls it
 *   delays stay up longer (mean-active-calls above rate × 5 s).
 *
 * Afterwards the stream must hold exactly one record per call the gateway was handed, or the
 * bench fails (a gateway that drops records would look lighter than it is).
 *
 * `BENCH_DRACHTIO_BIN=<path>` runs the soak on that drachtio-server binary instead of the stand-in
 * (bench/drachtio-server.ts): the real peer holds its own state per call, and what the gateway
 * keeps between the two is what a leak would grow. It keeps no trace of what it handed on, so
 * the gateway connects through a proxy that counts the calls handed from the frames it passes
 * (test/helpers/recording-proxy.ts, as in bench/faults).
 * Progress goes to stderr; figures to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { observingProxy, type RecordingProxy } from '../test/helpers/recording-proxy.js';
import type { Endpoint } from '../test/standin/index.js';
import { probeInviteLatency } from './cps-latency.js';
import {
  type CallerResult,
  cleanUp,
  type Proc,
  runCaller,
  startDealer,
  startGateway,
  tempDir,
} from './cps-procs.js';
import { checkRecords } from './cps-records.js';
import { drachtioBinary, type SipServer, serverName, startSipServer } from './drachtio-server.js';
import { callBenchDialplan } from './fixtures.js';
import { onFullGc } from './gc-trace.js';
import { type BenchRedis, startBenchRedis } from './redis-server.js';
import { figure } from './report.js';
import { mean, type Sample, scrape, slope } from './soak-samples.js';
import { udpReceiveBufferDrops } from './udp-drops.js';

const SECRET = 'cymru';
const TRACKING_NUMBER = '+493025550101';
const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const RATE = Number(process.env.BENCH_SOAK_CPS ?? 50);
const HOLD_MS = 5000;
const SAMPLE_MS = 5000;
const IDLE_SAMPLES = 3;
const SCENARIO = join(import.meta.dirname, 'scenarios', 'bench-uac-held-call.xml');
const DRACHTIO_BIN = drachtioBinary(process.env.BENCH_DRACHTIO_BIN);

const log = (line: string) => process.stderr.write(`soak: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => bytes / 2 ** 20;
const kb = (bytes: number) => bytes / 2 ** 10;

async function startGatewayAsProduction(app: Endpoint, dealer: Endpoint, redisUrl: string) {
  const dir = tempDir('calltrack-bench-soak-');
  const dialplans = join(dir, 'dialplans');
  mkdirSync(dialplans);
  writeFileSync(join(dialplans, 'bench.yaml'), callBenchDialplan([{ number: TRACKING_NUMBER }]));
  return startGateway(
    app,
    SECRET,
    dialplans,
    dealer,
    {
      RECORD_SINK: 'redis',
      REDIS_URL: redisUrl,
      RECORD_SPOOL_DIR: join(dir, 'spool'),
      // unset: the gateway's default level (info), every per-call line written and read
      LOG_LEVEL: undefined,
    },
    ['--trace-gc'],
  );
}

/** The live heap after each full GC (gc-trace.ts), `t` as in Sample. */
function fullGcs(proc: Proc, now: () => number): { t: number; liveMB: number }[] {
  const seen: { t: number; liveMB: number }[] = [];
  onFullGc(proc, (liveMB) => seen.push({ t: now(), liveMB }));
  return seen;
}

function checkAlive(procs: Proc[]): void {
  const dead = procs.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
  if (dead) throw new Error(`a process exited:\n${dead.output()}`);
}

function describe(s: Sample): string {
  return `t=${Math.round(s.t)} s: rss ${mb(s.rssBytes).toFixed(1)} MB, heap ${mb(s.heapUsedBytes).toFixed(1)} MB, fds ${s.openFds}, active ${s.activeCalls}, loop p99 ${s.eventLoopP99Ms.toFixed(1)} ms`;
}

let redis: BenchRedis | undefined;
let server: SipServer | undefined;
let relay: RecordingProxy | undefined;
const procs: Proc[] = [];
try {
  if (!(SECONDS >= 20) || !(RATE > 0))
    throw new Error('BENCH_SOAK_SECONDS ≥ 20 and BENCH_SOAK_CPS > 0');
  redis = await startBenchRedis('soak');
  // counts the calls handed; the stand-in keeps no trace of the run
  const probe = probeInviteLatency();
  const sip = await startSipServer(DRACHTIO_BIN, SECRET, probe.observe);
  server = sip;
  // the real server keeps no trace: the relay's frames go to the probe
  if (!sip.standin) relay = await observingProxy(sip.adminAddress, probe.observe);
  log(`on ${serverName(DRACHTIO_BIN)}`);
  const dealer = await startDealer(SECONDS + 180);
  procs.push(dealer);
  const gateway = await startGatewayAsProduction(
    relay?.address ?? sip.adminAddress,
    dealer.address,
    redis.url,
  );
  procs.push(gateway);
  let began = Number.POSITIVE_INFINITY;
  const gcs = fullGcs(gateway, () => (performance.now() - began) / 1000);

  const idle: Sample[] = [];
  for (let i = IDLE_SAMPLES; i > 0; i--) {
    await sleep(2000);
    idle.push(await scrape(gateway.httpPort, (-i * 2000) / 1000));
  }
  log(`idle: ${describe(idle.at(-1)!)}`);

  log(`${RATE} calls/s held ${HOLD_MS / 1000} s for ${SECONDS} s`);
  began = performance.now();
  const drops0 = udpReceiveBufferDrops();
  let result: CallerResult | undefined;
  const caller = runCaller(server.sipAddress, TRACKING_NUMBER, RATE, SECONDS, {
    scenario: SCENARIO,
    callMs: HOLD_MS + 500,
  }).then((r) => {
    result = r;
  });
  const load: Sample[] = [];
  for (let n = 1; result === undefined; n++) {
    await Promise.race([caller, sleep(began + n * SAMPLE_MS - performance.now())]);
    if (result !== undefined) break;
    checkAlive(procs);
    const s = await scrape(gateway.httpPort, (performance.now() - began) / 1000);
    if (s.t <= SECONDS) load.push(s);
    if (n % 6 === 0) log(describe(s));
  }
  const calls = result!;
  const drops = udpReceiveBufferDrops() - drops0;
  log(
    `caller: ${calls.created} placed, ${calls.successful} answered and ended, ${calls.failed} failed${calls.errors ? `, ${calls.errors} errors, first: ${calls.firstError}` : ''}`,
  );
  checkAlive(procs);

  const check = await checkRecords(redis.client, gateway.httpPort, probe.handed());
  const after = await scrape(gateway.httpPort, (performance.now() - began) / 1000);
  log(`after the calls: ${describe(after)}; ${check.written} records in the stream`);
  // V8's memory reducer runs a full GC some seconds after the allocation rate drops: the live
  // heap with no call up, as the baseline for the live heap under load
  const drained = after.t;
  for (let i = 0; i < 60 && !gcs.some((g) => g.t >= drained); i++) await sleep(500);
  const idleLive = gcs.find((g) => g.t >= drained);

  const steady = load.filter((s) => s.t >= SECONDS / 2);
  if (steady.length < 3) throw new Error(`only ${steady.length} samples in the second half`);
  const rssSlope = slope(steady.map((s) => ({ x: s.t / 60, y: kb(s.rssBytes) })));
  const idleHeap = mean(idle.map((s) => s.heapUsedBytes));
  const steadyHeap = mean(steady.map((s) => s.heapUsedBytes));
  const active = mean(steady.map((s) => s.activeCalls));
  const all = [...idle, ...load, after];
  figure('soak', 'rss-slope', rssSlope, 'kB/min');
  figure('soak', 'rss-start', mb(idle.at(-1)!.rssBytes), 'MB');
  figure('soak', 'rss-end', mb(load.at(-1)!.rssBytes), 'MB');
  figure('soak', 'fds-start', idle.at(-1)!.openFds, 'fds');
  figure('soak', 'fds-end', load.at(-1)!.openFds, 'fds');
  figure('soak', 'fds-max', Math.max(...all.map((s) => s.openFds)), 'fds');
  figure('soak', 'eventloop-p99', Math.max(...load.map((s) => s.eventLoopP99Ms)), 'ms');
  figure('soak', 'eventloop-p99-idle', idle.at(-1)!.eventLoopP99Ms, 'ms');
  figure('soak', 'mean-active-calls', active, 'calls');
  figure('soak', 'heap-per-active-call', kb(steadyHeap - idleHeap) / active, 'kB');
  const steadyGcs = gcs.filter((g) => g.t >= SECONDS / 2 && g.t <= SECONDS);
  log(
    `full GCs: ${gcs.filter((g) => g.t >= 0 && g.t <= SECONDS).length} under load, ${steadyGcs.length} in the second half; live heap after the calls: ${idleLive ? `${idleLive.liveMB} MB` : 'no full GC within 30 s'}`,
  );
  // RSS also moves with the allocator and V8's heap sizing; the live heap is what a leak grows
  if (steadyGcs.length >= 3)
    figure(
      'soak',
      'live-heap-slope',
      slope(steadyGcs.map((g) => ({ x: g.t / 60, y: g.liveMB * 1024 }))),
      'kB/min',
    );
  if (steadyGcs.length && idleLive)
    figure(
      'soak',
      'live-heap-per-active-call',
      ((mean(steadyGcs.map((g) => g.liveMB)) - idleLive.liveMB) * 1024) / active,
      'kB',
    );
  figure('soak', 'calls-placed', calls.created, 'calls');
  figure('soak', 'calls-failed', calls.created - calls.successful, 'calls');
  figure('soak', 'records-written', check.written, 'records');
  figure('soak', 'udp-receive-buffer-drops', drops, 'datagrams');
} catch (err) {
  process.stderr.write(`bench soak: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  for (const p of [...procs].reverse()) await p.stop().catch(() => undefined);
  await server?.close().catch(() => undefined);
  await relay?.close();
  redis?.client.disconnect();
  redis?.stop();
  cleanUp();
}
