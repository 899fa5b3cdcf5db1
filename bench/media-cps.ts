/**
 * Call rate through the anchored media path, beside the signalling-only path in the same run.
 *
 * Why: a number with a media option (whisper, recording) is anchored in FreeSWITCH: per call two
 * FreeSWITCH legs (the caller's with early media and ringback, the dealer's offered to the
 * dealer), event-socket traffic for each, a whisper, a bridge and the release of both legs. That
 * is far more work per call than forwarding the INVITE, and the rate the anchored path carries
 * cleanly is what sizes a gateway for customers who buy media options. Its ratio to the
 * signalling-only rate, measured on the same machine in the same run, is the figure that travels.
 *
 * The bed: sipp callers → the drachtio stand-in (this process) → the gateway from dist/ (as
 * `npm start` runs it) → a sipp dealer that answers at once. The gateway has FREESWITCH set to the
 * FreeSWITCH stand-in (its own process, bench/media-fsstandin.ts; it moves no audio, so this
 * measures the call control of the anchored path, not RTP). One dialplan holds two numbers: one
 * without options (signalling only) and one with a whisper tone (anchored), so both paths run in
 * the same gateway process. Each call: INVITE, answer (the anchored one after a 183 with early
 * media and a 100 ms whisper to the dealer), 200 ms held, BYE from the caller.
 *
 * The rate rises step by step (3 s a step); at each rate the two paths take turns (the order
 * alternates). A step fails when any of these happens, and a failed step is tried once more
 * before it counts; the figure for a path is the highest rate below its first step that failed
 * twice:
 * - a call fails in sipp: no 200 (for the anchored path: no 183 before it, i.e. not anchored), no
 *   200 to the BYE, an unexpected message, a timeout; or any sipp error-log event other than a
 *   late retransmission to a call already ended;
 * - the step does not finish in time (sipp could not keep the rate, or calls queued up);
 * - anchored: not every call created two FreeSWITCH channels, played its whisper to the end and
 *   was bridged; a FreeSWITCH channel of the step is still up 5 s after the step (the anchored
 *   path must release every channel); a stand-in pitfall; any `calltrack_media_errors_total`;
 * - signalling-only: a FreeSWITCH channel was created;
 * - the gateway's `calltrack_active_calls` not back down 5 s after the step.
 *
 * Beside the rates: the answer time (caller's INVITE → 200, from sipp, whose clock moves in steps
 * of a few ms) p50/p99 at each path's highest rate, and CPU per call of the gateway and of the
 * drachtio stand-in for both paths, and of the FreeSWITCH stand-in, at the anchored path's
 * highest rate (both paths passed it). The stand-ins, sipp and the gateway share two cores, and
 * the FreeSWITCH stand-in spends more CPU per anchored call than the gateway: the anchored
 * figure is a floor for the gateway, and says nothing of a real FreeSWITCH's capacity.
 *
 * Env: BENCH_MEDIA_CPS_STEPS (comma-separated rates), BENCH_MEDIA_CPS_STEP_SECONDS.
 * Progress goes to stderr; figures to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type StandinHandle, start } from '../test/standin/index.js';
import { percentile } from './cps-latency.js';
import {
  type CallerResult,
  cleanUp,
  cpuMs,
  type Proc,
  runCaller,
  startDealer,
  tempDir,
} from './cps-procs.js';
import { callBenchDialplan } from './fixtures.js';
import { type Attempt, callFaults, climb, highest, stepTwice } from './ladder.js';
import {
  FS_SECRET,
  type FsStandin,
  gatewayMetric,
  SECRET,
  startFsStandin,
  startMediaGateway,
  WHISPER_MS,
  WHISPER_TONE,
} from './media-cps-procs.js';
import type { FsStats } from './media-fsstandin.js';
import { figure } from './report.js';

const STEP_SECONDS = Number(process.env.BENCH_MEDIA_CPS_STEP_SECONDS ?? 3);
const STEPS = (
  process.env.BENCH_MEDIA_CPS_STEPS ??
  '20,40,60,80,100,130,160,200,250,300,400,500,600,800,1000,1200,1500'
)
  .split(',')
  .map(Number);
const WARM_UP_RATE = 20;
const WARM_UP_SECONDS = 2;
/** A step passes only if its last call ends within this much after the last call should have. */
const LATE_MS = 1000;
const HOLD_MS = 200;
/** How long after a step its FreeSWITCH channels and the gateway's calls may take to go. */
const SETTLE_MS = 5000;

const SIGNALLING_NUMBER = '+493025550101';
const ANCHORED_NUMBER = '+493025550102';

const DIALPLAN = callBenchDialplan([
  { number: SIGNALLING_NUMBER },
  { number: ANCHORED_NUMBER, options: ['options:', '  whisper:', `    tone: "${WHISPER_TONE}"`] },
]);

type PathName = 'signalling-only' | 'anchored';

interface Path {
  name: PathName;
  number: string;
  scenario: string;
  /** How long one call lasts when all is well, ms (the answer itself is not counted). */
  callMs: number;
}

const PATHS: Path[] = [
  {
    name: 'signalling-only',
    number: SIGNALLING_NUMBER,
    scenario: join(import.meta.dirname, 'scenarios', 'bench-uac-short-call.xml'),
    callMs: HOLD_MS,
  },
  {
    name: 'anchored',
    number: ANCHORED_NUMBER,
    scenario: join(import.meta.dirname, 'scenarios', 'bench-uac-anchored-call.xml'),
    callMs: HOLD_MS + WHISPER_MS,
  },
];

interface Bed {
  standin: StandinHandle;
  fs: FsStandin;
  dealer: Proc;
  gateway: Proc & { httpPort: number };
}

interface StepResult {
  rate: number;
  answerMs: number[];
  /** µs of CPU per call: the gateway's, the FreeSWITCH stand-in's, the drachtio stand-in's. */
  gatewayCpuPerCall: number;
  fsCpuPerCall: number;
  standinCpuPerCall: number;
}

const log = (line: string) => process.stderr.write(`media-cps: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** FreeSWITCH's view of the step: every anchored call fully done there, nothing left behind. */
function mediaFaults(path: Path, calls: number, before: FsStats, after: FsStats): string[] {
  const d = (k: keyof FsStats) => after[k] - before[k];
  const faults: string[] = [];
  if (path.name === 'signalling-only') {
    if (d('created') > 0) faults.push(`${d('created')} FreeSWITCH channels created`);
    return faults;
  }
  if (d('created') !== 2 * calls)
    faults.push(`${d('created')} FreeSWITCH channels created for ${calls} calls`);
  if (d('whispers') < calls || d('whisperFailures') > 0)
    faults.push(`${d('whispers')}/${calls} whispers played, ${d('whisperFailures')} broken off`);
  if (d('bridges') < calls) faults.push(`${d('bridges')}/${calls} calls bridged`);
  if (after.channels > before.channels)
    faults.push(
      `${after.channels - before.channels} FreeSWITCH channels still up ${SETTLE_MS} ms after`,
    );
  if (d('pitfalls') > 0) faults.push(`${d('pitfalls')} stand-in pitfalls`);
  return faults;
}

/**
 * Waits (bounded) until the step's FreeSWITCH channels and gateway calls are gone. The gateway's
 * /metrics is read only once the channels are gone: each read costs it CPU, counted per call.
 */
async function settle(bed: Bed, channels0: number, active0: number) {
  const until = performance.now() + SETTLE_MS;
  for (;;) {
    const fs = await bed.fs.stats();
    const over = performance.now() >= until;
    if (fs.channels <= channels0 || over) {
      const active = await gatewayMetric(bed.gateway.httpPort, 'calltrack_active_calls');
      if (active <= active0 || over) return { fs, active };
    }
    await sleep(50);
  }
}

function checkAlive(bed: Bed): void {
  for (const [what, p] of [
    ['gateway', bed.gateway],
    ['sipp dealer', bed.dealer],
    ['FreeSWITCH stand-in', bed.fs],
  ] as const)
    if (p.child.exitCode !== null || p.child.signalCode !== null)
      throw new Error(`${what} exited:\n${p.output()}`);
}

/** One attempt at `rate`: the faults, or the figures of a clean step. */
async function attempt(
  bed: Bed,
  path: Path,
  rate: number,
  seconds: number,
): Promise<Attempt<StepResult>> {
  const fs0 = await bed.fs.stats();
  const active0 = await gatewayMetric(bed.gateway.httpPort, 'calltrack_active_calls');
  const mediaErrors0 = await gatewayMetric(bed.gateway.httpPort, 'calltrack_media_errors_total');
  const cpu0 = cpuMs(bed.gateway);
  // this process: the drachtio stand-in, and (idle while it waits) the bench itself
  const standinCpu0 = process.cpuUsage();
  const r = await runCaller(bed.standin.sipAddress, path.number, rate, seconds, {
    scenario: path.scenario,
    callMs: path.callMs,
  });
  const { fs, active } = await settle(bed, fs0.channels, active0);
  const gatewayCpuMs = cpuMs(bed.gateway) - cpu0;
  const standinCpu = process.cpuUsage(standinCpu0);
  const mediaErrors =
    (await gatewayMetric(bed.gateway.httpPort, 'calltrack_media_errors_total')) - mediaErrors0;
  const calls = Math.round(rate * seconds);
  const faults = [
    ...callFaults(r, rate, seconds, path.callMs, LATE_MS),
    ...sippFaults(r),
    ...mediaFaults(path, calls, fs0, fs),
  ];
  if (mediaErrors > 0) faults.push(`${mediaErrors} calltrack_media_errors_total`);
  if (active > active0) faults.push(`${active - active0} gateway calls still active`);
  const per = Math.max(1, r.successful);
  return {
    faults,
    note: `ok in ${Math.round(r.wallMs)} ms, answer p50 ${percentile(r.answerMs, 0.5)} p99 ${percentile(r.answerMs, 0.99)} ms`,
    result: {
      rate,
      answerMs: r.answerMs,
      gatewayCpuPerCall: (gatewayCpuMs * 1000) / per,
      fsCpuPerCall: (fs.cpuUs - fs0.cpuUs) / per,
      standinCpuPerCall: (standinCpu.user + standinCpu.system) / per,
    },
  };
}

/** Runs a step, and once more if it failed; the figures of the clean attempt, if one was. */
function step(bed: Bed, path: Path, rate: number): Promise<StepResult | undefined> {
  return stepTwice(
    `${path.name} ${rate}/s × ${STEP_SECONDS} s`,
    log,
    () => attempt(bed, path, rate, STEP_SECONDS),
    () => checkAlive(bed),
  );
}

/** sipp's own complaints: error-log events (late retransmissions excluded), a non-zero exit. */
function sippFaults(r: CallerResult): string[] {
  if (r.errors > 0) return [`${r.errors} sipp errors (${r.firstError})`];
  return r.exitCode === 0 ? [] : [`sipp exit ${r.exitCode}`];
}

async function setUp(parts: Partial<Bed>): Promise<Bed> {
  parts.standin = await start({ sipPort: 0, adminPort: 0, secret: SECRET });
  // kept, the stand-in's trace would be hundreds of MB at these rates
  parts.standin.traceTo('none');
  parts.fs = await startFsStandin(FS_SECRET, `tone_stream://${WHISPER_TONE}`, WHISPER_MS);
  const dealer = await startDealer();
  parts.dealer = dealer;
  const dir = tempDir('calltrack-bench-media-cps-');
  const dialplans = join(dir, 'dialplans');
  mkdirSync(dialplans);
  writeFileSync(join(dialplans, 'bench.yaml'), DIALPLAN);
  parts.gateway = await startMediaGateway(
    parts.standin.adminAddress,
    SECRET,
    dialplans,
    dealer.address,
    `${parts.fs.esl.address}:${parts.fs.esl.port}:${FS_SECRET}`,
  );
  return parts as Bed;
}

const parts: Partial<Bed> = {};
const started = performance.now();
try {
  const bed = await setUp(parts);
  for (const path of PATHS) {
    const { faults } = await attempt(bed, path, WARM_UP_RATE, WARM_UP_SECONDS);
    log(`${path.name} warm-up at ${WARM_UP_RATE}/s: ${faults.join('; ') || 'ok'}`);
    await sleep(300);
  }
  checkAlive(bed);
  const byPath = await climb(PATHS, STEPS, (path, rate) => step(bed, path, rate));
  const passed = (name: PathName) => byPath.get(PATHS.find((p) => p.name === name)!);
  const best = (name: PathName) => {
    const rate = highest(passed(name));
    return { rate, result: passed(name)?.get(rate) };
  };
  const sig = best('signalling-only');
  const anch = best('anchored');
  if (sig.rate === 0) throw new Error(`the signalling-only path failed at ${STEPS[0]} calls/s`);
  for (const [name, { rate }] of [
    ['signalling-only', sig],
    ['anchored', anch],
  ] as const)
    if (rate === STEPS.at(-1))
      log(`${name} passed every step: its highest rate is ${rate} calls/s or more`);
  figure('media-cps', 'signalling-only-max-rate', sig.rate, 'calls/s');
  figure('media-cps', 'anchored-max-rate', anch.rate, 'calls/s');
  figure('media-cps', 'ratio-to-signalling', anch.rate / sig.rate, 'x');
  figure('media-cps', 'step-length', STEP_SECONDS, 's');
  figure('media-cps', 'anchored-calls-per-step', anch.rate * STEP_SECONDS, 'calls');
  if (sig.result) {
    figure('media-cps', 'signalling-only-answer-p50', percentile(sig.result.answerMs, 0.5), 'ms');
    figure('media-cps', 'signalling-only-answer-p99', percentile(sig.result.answerMs, 0.99), 'ms');
  }
  if (anch.result) {
    // includes the whisper (WHISPER_MS) the dealer hears before the caller is connected
    figure('media-cps', 'anchored-answer-p50', percentile(anch.result.answerMs, 0.5), 'ms');
    figure('media-cps', 'anchored-answer-p99', percentile(anch.result.answerMs, 0.99), 'ms');
    const sigAtSameRate = passed('signalling-only')?.get(anch.rate);
    if (sigAtSameRate) {
      const a = anch.result.gatewayCpuPerCall;
      const s = sigAtSameRate.gatewayCpuPerCall;
      figure('media-cps', 'gateway-cpu-per-call-signalling-only', s, 'us');
      figure('media-cps', 'gateway-cpu-per-call-anchored', a, 'us');
      figure('media-cps', 'cpu-ratio-to-signalling', a / s, 'x');
      const standin = (r: StepResult) => r.standinCpuPerCall;
      figure(
        'media-cps',
        'drachtio-standin-cpu-per-call-signalling-only',
        standin(sigAtSameRate),
        'us',
      );
      figure('media-cps', 'drachtio-standin-cpu-per-call-anchored', standin(anch.result), 'us');
    }
    figure('media-cps', 'fsstandin-cpu-per-anchored-call', anch.result.fsCpuPerCall, 'us');
  } else {
    log(`the anchored path failed at ${STEPS[0]} calls/s already`);
  }
  log(`done in ${Math.round((performance.now() - started) / 1000)} s`);
} catch (err) {
  process.stderr.write(`bench media-cps: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  for (const p of [parts.gateway, parts.dealer, parts.fs]) await p?.stop().catch(() => undefined);
  await parts.standin?.close().catch(() => undefined);
  cleanUp();
}
