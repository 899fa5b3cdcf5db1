/**
 * CPU per call of this checkout's gateway against another build of it: what a change does to
 * the gateway's CPU, at a resolution `bench/cps` cannot give. Its rounds compare the gateway with
 * a bare B2BUA, two different programs, and two runs of it moved the median ratio by ±0.1 on this
 * shared machine; two gateways doing the same work at the same time cancel far more of it.
 *
 * Two stacks (drachtio stand-in, sipp dealer, gateway as production runs it: records to one
 * redis-server, default log level) take calls at `BENCH_CPS_AB_RATE` (300) calls/s in
 * `BENCH_CPS_AB_ROUNDS` (9) rounds, after `BENCH_CPS_WARMUP_S` (30) s of calls each at that rate
 * (the JIT's warm-up is no part of CPU per call, nor is a heap regrown after a long pause), as
 * `BENCH_CPS_AB_MODE` says:
 *
 * - `together` (the default): both stacks take calls at the same time, 6 s a round
 *   (`cpuTogether` in bench/cps-cpu.ts). Both see the same machine in the same seconds: the
 *   per-round ratio of two identical gateways spreads by about ±0.02, against ±0.08 in turns.
 *   Each run keeps an offset of its own (A/A: 0.975 and 1.017), so a change of a few per cent
 *   is read in both directions.
 * - `turns`: one stack after the other, 4 s each, the first alternating, warmed up in
 *   alternating blocks of 4 s (`cpuRounds`, as `bench/cps` measures).
 *
 * - `BENCH_AGAINST=<checkout>`: the other gateway runs from that checkout's `dist/` (for
 *   instance `git worktree add /tmp/before HEAD~1`, then `npm ci && npm run build` there).
 *   Unset, this checkout runs against itself: the spread of that A/A run is the noise a change
 *   must stand out of. `BENCH_AGAINST=baseline` runs the bare drachtio-srf B2BUA of `bench/cps`
 *   (bench/baseline-b2bua.ts) instead: issue 16's ratio, and with `BENCH_PERF` where the
 *   gateway's extra CPU goes.
 * - `BENCH_AGAINST_ENV=NAME=value,…`: variables for the other gateway only (`LOG_LEVEL=error`
 *   prices the per-call log line).
 * - `BENCH_DRACHTIO_BIN=<path>`: each stack runs that drachtio-server binary instead of the
 *   stand-in (bench/drachtio-server.ts): issue 16's ratio on the peer production runs.
 *
 * - `BENCH_PERF=<dir>`: after the rounds, each gateway (started with `--perf-prof`: its jitdump in
 *   its working directory until read, V8's log in `<dir>`) takes one more block of calls under
 *   `perf record` (`<dir>/<side>.perf.data`), and the bench prints both side by side in µs per
 *   call by who caused it (bench/perf-owners.ts): the means to find where a difference comes
 *   from, as the rounds measure how big it is. `BENCH_PERF_BY=function` owns each sample by
 *   function (file, line, name) instead of by file or package: what within a part costs.
 *
 * Figures: `cpu-per-call-median` (this checkout), `against-cpu-per-call-median`, and the median,
 * lowest and highest of the per-round ratios this/against, with their mean and standard error
 * (`cpu-ratio-mean`, `cpu-ratio-stderr`). Side by side, the same of each main thread alone
 * (`main-thread-cpu-per-call-median`, `main-thread-ratio-median`) and what the other threads
 * took per call (`other-threads-cpu-per-call-median`): V8's helpers, mostly garbage collection.
 * `udp-receive-buffer-drops`: datagrams the kernel dropped for a full socket buffer meanwhile
 * (bench/udp-drops.ts), which a failed run names too. A failed call fails the bench.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from '../test/helpers/built.js';
import {
  cpuRounds,
  cpuTogether,
  meanAndError,
  median,
  type PerCall,
  WARMUP_SECONDS,
  warmUp,
  wholeFromEnv,
} from './cps-cpu.js';
import { envList, startProductionGateway } from './cps-gateway.js';
import {
  type CallerResult,
  cleanUp,
  cpuMs,
  mainThreadCpuMs,
  type Proc,
  runCaller,
  startBaseline,
  startDealer,
} from './cps-procs.js';
import { drachtioBinary, type SipServer, serverName, startSipServer } from './drachtio-server.js';
import { callBenchDialplan } from './fixtures.js';
import {
  formatOwners,
  grainOf,
  type Owners,
  ownersOfFile,
  perfNodeFlags,
  recordCpu,
  removeJitFiles,
} from './perf-owners.js';
import { startBenchRedis } from './redis-server.js';
import { figure } from './report.js';
import { dropsHint, udpReceiveBufferDrops } from './udp-drops.js';

const SECRET = 'cymru';
const TRACKING_NUMBER = '+493025550101';
const MODES = ['together', 'turns'] as const;
const MODE = (process.env.BENCH_CPS_AB_MODE ?? 'together') as (typeof MODES)[number];
if (!MODES.includes(MODE))
  throw new Error(`BENCH_CPS_AB_MODE=${MODE}: expected ${MODES.join(' or ')}`);
/** Side by side, a round is longer: both stacks' calls share the machine's two cores. */
const ROUND_SECONDS = MODE === 'together' ? 6 : 4;
const BASELINE = process.env.BENCH_AGAINST === 'baseline';
const AGAINST = BASELINE ? 'the bare B2BUA' : resolve(process.env.BENCH_AGAINST ?? ROOT);
const AGAINST_ENV = envList('BENCH_AGAINST_ENV', process.env.BENCH_AGAINST_ENV ?? '');
const RATE = wholeFromEnv('BENCH_CPS_AB_RATE', 300);
const ROUNDS = wholeFromEnv('BENCH_CPS_AB_ROUNDS', 9);
const PERF = process.env.BENCH_PERF ? resolve(process.env.BENCH_PERF) : undefined;
const PERF_SECONDS = 10;
const PERF_BY = grainOf(process.env.BENCH_PERF_BY);
const DRACHTIO_BIN = drachtioBinary(process.env.BENCH_DRACHTIO_BIN);

const log = (line: string) => process.stderr.write(`cps-ab: ${line}\n`);

/** `root`: the checkout whose gateway the side runs; null for the bare B2BUA. */
type Side = {
  name: string;
  root: string | null;
  /** The stand-in, or the real drachtio-server (`BENCH_DRACHTIO_BIN`). */
  server: SipServer;
  procs: Proc[];
  gateway?: Proc;
};

/** Where a side's node process runs: its jitdump goes there under `BENCH_PERF`. */
const cwdOf = (side: Side) => side.root ?? ROOT;

async function setUp(side: Side, redisUrl: string, env: object): Promise<void> {
  const root = side.root;
  const dealer = await startDealer();
  side.procs.push(dealer);
  const flags = PERF ? perfNodeFlags(PERF) : [];
  side.gateway =
    root === null
      ? await startBaseline(side.server.adminAddress, SECRET, dealer.address, flags)
      : await startProductionGateway({
          admin: side.server.adminAddress,
          secret: SECRET,
          dealer: dealer.address,
          redisUrl,
          dialplan: callBenchDialplan([{ number: TRACKING_NUMBER }]),
          env: { NODE_ID: `bench-${side.name}`, ...env },
          root,
          nodeFlags: flags,
        });
  side.procs.push(side.gateway);
}

/** Calls through one side; a failed call stops the bench (its CPU per call means nothing). */
async function call(side: Side, rate: number, seconds: number): Promise<CallerResult> {
  const r = await runCaller(side.server.sipAddress, TRACKING_NUMBER, rate, seconds);
  const calls = Math.round(rate * seconds);
  if (r.failed > 0 || r.successful < calls)
    throw new Error(
      `${side.name}: ${r.failed} failed, ${r.successful}/${calls} successful at ${rate}/s${r.firstError ? ` (${r.firstError})` : ''}\n${side.gateway?.output() ?? ''}`,
    );
  return r;
}

/** One block of calls per side under perf, then both by owner (`BENCH_PERF`). */
async function profile(dir: string, both: readonly [Side, Side]): Promise<void> {
  const got: (Owners & { calls: number })[] = [];
  for (const side of both) {
    const pid = side.gateway!.child.pid!;
    const file = join(dir, `${side.name}.perf.data`);
    const perf = recordCpu(pid, file);
    let r: CallerResult;
    try {
      // perf attaches to the threads in its first moments: calls start once it has
      await new Promise((resolve) => setTimeout(resolve, 500));
      r = await call(side, RATE, PERF_SECONDS);
    } finally {
      // stopped whatever happened (perf would also end with the gateway, killed at the end)
      await perf.stop();
    }
    got.push({ ...ownersOfFile(file, pid, cwdOf(side), PERF_BY), calls: r.successful });
  }
  const byFunction = PERF_BY === 'function';
  log(
    `on-CPU by ${byFunction ? 'function' : 'owner'} at ${RATE}/s (perf, ${PERF_SECONDS} s per side):\n${formatOwners(['this', 'against'], got[0]!, got[1]!, byFunction ? 60 : 30)}`,
  );
}

/**
 * The main thread's CPU per call and what the rest (V8's helper threads) take beside it: the
 * gateway's extra garbage is collected partly there, out of sight of a `--cpu-prof` profile.
 */
function reportThreads(main: PerCall, whole: PerCall): void {
  figure('cps-ab', 'main-thread-ratio-median', median(main.ratios), 'x');
  for (const [side, all, part] of [
    ['', whole.first, main.first],
    ['against-', whole.second, main.second],
  ] as const) {
    figure('cps-ab', `${side}main-thread-cpu-per-call-median`, median(part), 'us');
    const rest = all.map((v, k) => v - part[k]!);
    figure('cps-ab', `${side}other-threads-cpu-per-call-median`, median(rest), 'us');
  }
}

const sides: Side[] = [];
// machine-wide: drops on any UDP socket during the run (the SIP servers', sipp's) show here
const drops0 = udpReceiveBufferDrops();
const redis = await startBenchRedis('cps-ab');
try {
  for (const [name, root] of [
    ['this', ROOT],
    ['against', BASELINE ? null : AGAINST],
  ] as const)
    sides.push({
      name,
      root,
      // kept, the stand-in's trace would hold every frame of the run
      server: await startSipServer(DRACHTIO_BIN, SECRET, 'none'),
      procs: [],
    });
  const [self, against] = sides as [Side, Side];
  log(
    `this: ${ROOT}; against: ${AGAINST}${Object.keys(AGAINST_ENV).length ? ` with ${JSON.stringify(AGAINST_ENV)}` : ''}; on ${serverName(DRACHTIO_BIN)}`,
  );
  // V8's log goes there from the start (perfNodeFlags)
  if (PERF) mkdirSync(PERF, { recursive: true });
  await setUp(self, redis.url, {});
  await setUp(against, redis.url, AGAINST_ENV);
  const contender = (side: Side) => ({
    proc: side.gateway!,
    call: (rate: number, seconds: number) => call(side, rate, seconds),
  });
  const warmSeconds = Math.max(2, WARMUP_SECONDS);
  if (MODE === 'together')
    await cpuTogether(
      contender(self),
      contender(against),
      Math.ceil(warmSeconds / ROUND_SECONDS),
      RATE,
      ROUND_SECONDS,
    );
  else await warmUp(contender(self), contender(against), RATE, warmSeconds, ROUND_SECONDS);
  const r =
    MODE === 'together'
      ? await cpuTogether(
          contender(self),
          contender(against),
          ROUNDS,
          RATE,
          ROUND_SECONDS,
          cpuMs,
          mainThreadCpuMs,
        )
      : await cpuRounds(contender(self), contender(against), ROUNDS, RATE, ROUND_SECONDS);
  log(
    `rounds at ${RATE}/s (${MODE}), this/against µs per call: ${r.ratios.map((x, i) => `${Math.round(r.first[i]!)}/${Math.round(r.second[i]!)}=${x.toFixed(3)}`).join(', ')}`,
  );
  figure('cps-ab', 'cpu-per-call-median', median(r.first), 'us');
  figure('cps-ab', 'against-cpu-per-call-median', median(r.second), 'us');
  figure('cps-ab', 'cpu-ratio-median', median(r.ratios), 'x');
  figure('cps-ab', 'cpu-ratio-lowest', Math.min(...r.ratios), 'x');
  figure('cps-ab', 'cpu-ratio-highest', Math.max(...r.ratios), 'x');
  const { mean, stderr } = meanAndError(r.ratios);
  figure('cps-ab', 'cpu-ratio-mean', mean, 'x');
  figure('cps-ab', 'cpu-ratio-stderr', stderr, 'x');
  if (r.part) reportThreads(r.part, r);
  figure('cps-ab', 'udp-receive-buffer-drops', udpReceiveBufferDrops() - drops0, 'datagrams');
  if (PERF) await profile(PERF, [self, against]);
} catch (err) {
  const hint = dropsHint(udpReceiveBufferDrops() - drops0);
  process.stderr.write(
    `bench cps-ab: ${err instanceof Error ? err.message : String(err)}${hint}\n`,
  );
  process.exitCode = 1;
} finally {
  for (const side of sides) {
    for (const p of [...side.procs].reverse()) await p.stop();
    await side.server.close();
    // a bench that failed before its profile was read leaves no jitdump in the checkout
    const pid = side.gateway?.child.pid;
    if (PERF && pid !== undefined) removeJitFiles(cwdOf(side), pid);
  }
  redis.client.disconnect();
  redis.stop();
  cleanUp();
}
