/**
 * Anchoring under overload: what MEDIA_ANCHOR_MAX_PENDING buys when calls that need media come
 * faster than FreeSWITCH anchors them.
 *
 * Why: an anchor the gateway's deadline (MEDIA_ANCHOR_TIMEOUT_MS) gave up on is still queued in
 * FreeSWITCH and drachtio-server, and every later one waits behind it. Past its capacity,
 * FreeSWITCH then spends its time on anchors nobody waits for any more: anchoring stays slow after
 * the burst, each caller waits the whole deadline and then goes on without media. With a cap on
 * the anchors in progress per server, the calls beyond it go on without media at once and the
 * rest are anchored in time. The figure that travels is the ratio of the two in the same run.
 *
 * The bed (as `media-cps`): sipp callers → the drachtio stand-in (this process) → the gateway
 * from dist/ → a sipp dealer that answers at once; FREESWITCH is the FreeSWITCH stand-in in its
 * own process, fresh for every run, the gateway too. Every call dials a number with a whisper, as
 * a caller of the faults bench does (bench-uac-faults-call.xml: gives up 2.5 s after a message
 * with no final answer). Each run: a short warm-up at 20 calls/s, then `BENCH_MEDIA_OVERLOAD_CPS`
 * (200) calls/s for `BENCH_MEDIA_OVERLOAD_SECONDS` (20) s, then up to 40 s for every channel and
 * call to end. Two gateways take turns, `BENCH_MEDIA_OVERLOAD_ROUNDS` (1) each: `capped` with the
 * default MEDIA_ANCHOR_MAX_PENDING, `uncapped` with it at 10000 (as before the cap). 200 calls/s
 * is twice the anchored rate `media-cps` measured on two shared cores; on a faster machine, raise
 * it until the uncapped gateway's media share falls.
 *
 * `BENCH_DRACHTIO_BIN=<path>` runs it on that drachtio-server binary instead of the stand-in (as
 * `cps-ab`, `soak` and `faults`): FreeSWITCH's INVITEs queue in drachtio-server too.
 *
 * Figures per variant (the rounds added up): `media-share` (calls FreeSWITCH bridged, of those
 * placed), `media-goodput` (bridged calls a second), `calls-failed` (sipp: callers who gave up or
 * got no clean end), `answer-p50`/`-p99` (INVITE → 200, answered calls), `anchor-shed` (calls the
 * cap sent on without media), `anchor-other-failures` (not anchored otherwise: the deadline, above
 * all); and `media-goodput-ratio` (capped over uncapped).
 * Progress goes to stderr; figures to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from './cps-latency.js';
import { cleanUp, type Proc, runCaller, startDealer, tempDir } from './cps-procs.js';
import { drachtioBinary, type SipServer, serverName, startSipServer } from './drachtio-server.js';
import { callBenchDialplan } from './fixtures.js';
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
import { figure } from './report.js';

const RATE = Number(process.env.BENCH_MEDIA_OVERLOAD_CPS ?? 200);
const SECONDS = Number(process.env.BENCH_MEDIA_OVERLOAD_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_MEDIA_OVERLOAD_ROUNDS ?? 1);
const HOLD_MS = 200;
const SETTLE_MS = 40_000;
const NUMBER = '+493025550102';
const DRACHTIO_BIN = drachtioBinary(process.env.BENCH_DRACHTIO_BIN);
const SCENARIO = join(import.meta.dirname, 'scenarios', 'bench-uac-faults-call.xml');
const DIALPLAN = callBenchDialplan([
  { number: NUMBER, options: ['options:', '  whisper:', `    tone: "${WHISPER_TONE}"`] },
]);

const VARIANTS = [
  { name: 'capped', env: {} },
  { name: 'uncapped', env: { MEDIA_ANCHOR_MAX_PENDING: '10000' } },
] as const;
type Variant = (typeof VARIANTS)[number];

interface Totals {
  placed: number;
  bridged: number;
  failed: number;
  busy: number;
  /** Not anchored for another reason: the deadline, above all. */
  other: number;
  answerMs: number[];
}

const log = (line: string) => process.stderr.write(`media-overload: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Gateway = Proc & { httpPort: number };

/** Calls the cap sent on without media, and calls not anchored for any other reason. */
async function unanchored(gw: Gateway): Promise<{ busy: number; other: number }> {
  const busy = await gatewayMetric(gw.httpPort, 'calltrack_media_anchors_shed_total');
  const anchor = await gatewayMetric(gw.httpPort, 'calltrack_media_errors_total');
  return { busy, other: anchor - busy };
}

/** One run of one variant on a fresh gateway and FreeSWITCH stand-in. */
async function run(bed: Bed, v: Variant): Promise<Totals> {
  const { server, dealer, dialplans } = bed;
  let fs: FsStandin | undefined;
  let gw: Gateway | undefined;
  try {
    fs = await startFsStandin(FS_SECRET, `tone_stream://${WHISPER_TONE}`, WHISPER_MS);
    gw = await startMediaGateway(
      server.adminAddress,
      SECRET,
      dialplans,
      dealer.address,
      `${fs.esl.address}:${fs.esl.port}:${FS_SECRET}`,
      v.env,
    );
    await runCaller(server.sipAddress, NUMBER, 20, 2, { scenario: SCENARIO, callMs: HOLD_MS });
    await settle(fs, gw);
    const fs0 = await fs.stats();
    const u0 = await unanchored(gw);
    const r = await runCaller(server.sipAddress, NUMBER, RATE, SECONDS, {
      scenario: SCENARIO,
      callMs: HOLD_MS + WHISPER_MS,
    });
    await settle(fs, gw);
    const fs1 = await fs.stats();
    const u1 = await unanchored(gw);
    const t: Totals = {
      placed: r.created,
      bridged: fs1.bridges - fs0.bridges,
      failed: r.failed,
      busy: u1.busy - u0.busy,
      other: u1.other - u0.other,
      answerMs: r.answerMs,
    };
    log(
      `${v.name}: ${t.placed} placed, ${t.bridged} bridged, ${t.failed} failed, ${t.busy} shed, ${t.other} not anchored otherwise, answer p99 ${percentile(t.answerMs, 0.99)} ms`,
    );
    return t;
  } finally {
    await gw?.stop().catch(() => undefined);
    await fs?.stop().catch(() => undefined);
  }
}

/** Until FreeSWITCH's channels and the gateway's calls are gone, at most SETTLE_MS. */
async function settle(fs: FsStandin, gw: Gateway): Promise<void> {
  const until = performance.now() + SETTLE_MS;
  while (performance.now() < until) {
    const channels = (await fs.stats()).channels;
    const active = await gatewayMetric(gw.httpPort, 'calltrack_active_calls');
    if (channels === 0 && active === 0) return;
    await sleep(200);
  }
  log(`not settled after ${SETTLE_MS} ms`);
}

interface Bed {
  server: SipServer;
  dealer: Proc & { address: { address: string; port: number } };
  dialplans: string;
}

const empty = (): Totals => ({ placed: 0, bridged: 0, failed: 0, busy: 0, other: 0, answerMs: [] });

function add(a: Totals, b: Totals): Totals {
  return {
    placed: a.placed + b.placed,
    bridged: a.bridged + b.bridged,
    failed: a.failed + b.failed,
    busy: a.busy + b.busy,
    other: a.other + b.other,
    answerMs: [...a.answerMs, ...b.answerMs],
  };
}

function report(name: string, t: Totals): void {
  const b = (f: string, value: number, unit: string) =>
    figure('media-overload', `${name}-${f}`, value, unit);
  b('media-share', (100 * t.bridged) / Math.max(1, t.placed), '%');
  b('media-goodput', t.bridged / (SECONDS * ROUNDS), 'calls/s');
  b('calls-failed', t.failed, 'calls');
  b('anchor-shed', t.busy, 'calls');
  b('anchor-other-failures', t.other, 'calls');
  b('answer-p50', percentile(t.answerMs, 0.5), 'ms');
  b('answer-p99', percentile(t.answerMs, 0.99), 'ms');
}

if (!(RATE > 0 && SECONDS >= 2 && Number.isInteger(ROUNDS) && ROUNDS >= 1)) {
  process.stderr.write(
    'bench media-overload: BENCH_MEDIA_OVERLOAD_CPS > 0, BENCH_MEDIA_OVERLOAD_SECONDS ≥ 2, BENCH_MEDIA_OVERLOAD_ROUNDS a whole number ≥ 1\n',
  );
  process.exit(1);
}

let server: SipServer | undefined;
let dealer: Bed['dealer'] | undefined;
const started = performance.now();
try {
  // kept, the stand-in's trace would be hundreds of MB at these rates
  server = await startSipServer(DRACHTIO_BIN, SECRET, 'none');
  log(`on ${serverName(DRACHTIO_BIN)}`);
  dealer = await startDealer();
  const dialplans = join(tempDir('calltrack-bench-media-overload-'), 'dialplans');
  mkdirSync(dialplans);
  writeFileSync(join(dialplans, 'bench.yaml'), DIALPLAN);
  const bed: Bed = { server, dealer, dialplans };
  const totals = new Map<string, Totals>(VARIANTS.map((v) => [v.name, empty()]));
  for (let round = 0; round < ROUNDS; round++)
    // the order alternates, so neither always runs on a machine the other warmed
    for (const v of round % 2 ? [...VARIANTS].reverse() : VARIANTS)
      totals.set(v.name, add(totals.get(v.name) ?? empty(), await run(bed, v)));
  figure('media-overload', 'offered-rate', RATE, 'calls/s');
  for (const [name, t] of totals) report(name, t);
  const capped = totals.get('capped')?.bridged ?? 0;
  const uncapped = totals.get('uncapped')?.bridged ?? 0;
  figure('media-overload', 'media-goodput-ratio', capped / Math.max(1, uncapped), 'x');
  log(`done in ${Math.round((performance.now() - started) / 1000)} s`);
} catch (err) {
  process.stderr.write(
    `bench media-overload: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exitCode = 1;
} finally {
  await dealer?.stop().catch(() => undefined);
  await server?.close().catch(() => undefined);
  cleanUp();
}
