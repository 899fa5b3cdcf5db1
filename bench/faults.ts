/**
 * Faults under load (issue 16): calls at `BENCH_FAULTS_CPS` (200) calls/s for
 * `BENCH_FAULTS_SECONDS` (60) s through the drachtio stand-in and the gateway (dist/, as
 * production runs it: records to Redis with the disk spool, the default log level, FREESWITCH
 * set) to a sipp dealer, while one thing breaks. Each fault gets a bed of its own
 * (faults-bed.ts), built fresh, so its stream holds only its own calls:
 *
 * - redis-down: redis-server SIGKILLed at 1/6 of the run, started again 1/3 of the run later on
 *   the same port and data directory (append-only file, fsync always: faults-redis.ts).
 * - drachtio-restart: the drachtio stand-in (or drachtio-server, below) closes at 1/6 and
 *   listens again 1 s later on the same ports; the gateway reconnects by itself.
 * - freeswitch-kill: the FreeSWITCH stand-in SIGKILLed at 1/6, started again 1/3 later on the
 *   same ports. `BENCH_FAULTS_MEDIA_SHARE` (0.25) of the calls go to a number with a whisper, so
 *   they are anchored in FreeSWITCH and the kill takes calls down with it.
 * - gateway-kill: the gateway SIGKILLed at 1/6 and started again at once with the same NODE_ID
 *   and spool directory. Its calls in progress owe records too (issue 16 item 3, the call
 *   journal, writes them as `endedBy: node-lost`): the bench waits up to
 *   `BENCH_FAULTS_ORPHAN_WAIT_S` (45) s for them before it counts. INVITEs the stand-in handed
 *   to the killed gateway's connection after the SIGKILL (in a dead socket's buffer until the
 *   stand-in sees it close, as drachtio-server would) reached no gateway code
 *   (`calls-handed-after-the-kill`); a busy gateway may also die with INVITEs handed before the
 *   kill still unread in its socket. A call counts as unread (`calls-unread-at-the-kill`, not
 *   owed) only if it has no record and the killed gateway sent no frame about it (no answer, no
 *   dealer leg: faults-calls.ts); records and calls are matched by the caller's pseudonym and the
 *   tracking number (faults-count.ts matchCalls). A call the gateway acted on owes its record.
 * - spool-full: as redis-down, with `RECORD_SPOOL_MAX_BYTES` 128 kB and `RECORD_MEMORY_LIMIT`
 *   500, so the spool fills and records are dropped. The one fault allowed to lose records: only
 *   as many as `calltrack_records_dropped_total` counts and the gateway's "record spool full"
 *   error lines add up to.
 *
 * Callers give up as people do (bench-uac-faults-call.xml): no final answer 2.5 s after a
 * provisional one and they send CANCEL, so a call stuck at the gateway ends there as it would in
 * production (sipp's own timeout drops a call without a word, and the gateway would hold it).
 *
 * Per fault, figures `faults <fault> <figure>`: calls placed and failed (sipp), media errors
 * (`calltrack_media_errors_total` of the gateway up at the end: calls that went on without a
 * media step, such as forwarded unanchored, which sipp counts as successful), the rate sipp
 * achieved (calls placed over the time it took to place them: a lower bound, calls that failed by
 * timeout at the end stretch it), calls handed to a gateway (distinct caller INVITEs the
 * drachtio stand-in, or the relay, handed on, summed over restarts: each owes exactly one
 * record), records written (stream entries), records lost (calls handed − distinct record ids),
 * duplicates (entries − distinct ids). Records are also matched to calls one by one, by the caller's pseudonym
 * (CALLER_PSEUDONYM_SECRET is set) and the tracking number: a record matching no call handed
 * (`records-matching-no-call`: a call written twice under two ids) is a mismatch. Any record
 * lost (outside spool-full, where the counter and the log must match the loss exactly),
 * duplicated or extra, or a part of the bed dying by itself, is printed as MISMATCH and the
 * bench exits non-zero.
 *
 * `BENCH_FAULTS=redis-down,gateway-kill` runs a subset; `BENCH_FAULTS_LOG_DIR=<dir>` keeps each
 * fault's gateway log there (`<fault>-gateway.log`). `BENCH_DRACHTIO_BIN=<path>` runs every fault
 * on that drachtio-server binary in place of the stand-in: the gateways connect through a relay
 * that counts the calls handed from the frames it passes (test/helpers/recording-proxy.ts), and
 * drachtio-restart kills the server (SIGKILL) and starts it again on the same ports after 1 s.
 * Progress goes to stderr; figures to stdout.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CallerResult, cleanUp, runCaller } from './cps-procs.js';
import { drachtioBinary, serverName } from './drachtio-server.js';
import { FaultBed, WHISPER_MS, WHISPER_TONE } from './faults-bed.js';
import { type FaultCounts, judge } from './faults-count.js';
import { callBenchDialplan } from './fixtures.js';
import { figure } from './report.js';

const FAULTS = [
  'redis-down',
  'drachtio-restart',
  'freeswitch-kill',
  'gateway-kill',
  'spool-full',
] as const;
type Fault = (typeof FAULTS)[number];

const SECONDS = Number(process.env.BENCH_FAULTS_SECONDS ?? 60);
const RATE = Number(process.env.BENCH_FAULTS_CPS ?? 200);
const MEDIA_SHARE = Number(process.env.BENCH_FAULTS_MEDIA_SHARE ?? 0.25);
const ORPHAN_WAIT_S = Number(process.env.BENCH_FAULTS_ORPHAN_WAIT_S ?? 45);
const LOG_DIR = process.env.BENCH_FAULTS_LOG_DIR
  ? resolve(process.env.BENCH_FAULTS_LOG_DIR)
  : undefined;
if (LOG_DIR) mkdirSync(LOG_DIR, { recursive: true });
const DRACHTIO_BIN = drachtioBinary(process.env.BENCH_DRACHTIO_BIN);
const DRAIN_MS = 60_000;
const HOLD_MS = 200;
const SPOOL_FULL_ENV = { RECORD_SPOOL_MAX_BYTES: String(128 * 1024), RECORD_MEMORY_LIMIT: '500' };

const SIGNALLING_NUMBER = '+493025550101';
const ANCHORED_NUMBER = '+493025550102';
const DIALPLAN = callBenchDialplan([
  { number: SIGNALLING_NUMBER },
  { number: ANCHORED_NUMBER, options: ['options:', '  whisper:', `    tone: "${WHISPER_TONE}"`] },
]);
const SCENARIO = join(import.meta.dirname, 'scenarios', 'bench-uac-faults-call.xml');

const log = (line: string) => process.stderr.write(`faults: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chosen(): Fault[] {
  const wanted = process.env.BENCH_FAULTS?.split(',').map((s) => s.trim()) ?? [...FAULTS];
  const unknown = wanted.filter((w) => !(FAULTS as readonly string[]).includes(w));
  if (unknown.length)
    throw new Error(
      `BENCH_FAULTS: no fault '${unknown.join("', '")}' (have: ${FAULTS.join(', ')})`,
    );
  return wanted as Fault[];
}

/** Breaks one part at `atMs` into the run and brings it back; resolves once it is back. */
async function inject(fault: Fault, bed: FaultBed): Promise<void> {
  const downMs = (SECONDS * 1000) / 3;
  await sleep((SECONDS * 1000) / 6);
  log(`${fault}: breaking`);
  switch (fault) {
    case 'redis-down':
    case 'spool-full':
      await bed.redis.kill();
      await sleep(downMs);
      await bed.redis.up();
      break;
    case 'drachtio-restart':
      await bed.restartServer(1000);
      break;
    case 'freeswitch-kill':
      await bed.killFs();
      await sleep(downMs);
      await bed.startFs();
      break;
    case 'gateway-kill':
      await bed.killAndRestartGateway();
      break;
  }
  log(`${fault}: back`);
}

/**
 * Both callers at once: the signalling-only share and the anchored share of the rate, each call
 * given up with a CANCEL when it hangs (bench-uac-faults-call.xml).
 */
async function placeCalls(bed: FaultBed): Promise<CallerResult[]> {
  const target = bed.server.sipAddress;
  const anchored = Math.round(RATE * MEDIA_SHARE);
  const shares: [string, number, number][] = [
    [SIGNALLING_NUMBER, RATE - anchored, HOLD_MS],
    [ANCHORED_NUMBER, anchored, HOLD_MS + WHISPER_MS],
  ];
  return Promise.all(
    shares
      .filter(([, rate]) => rate > 0)
      .map(([number, rate, callMs]) =>
        runCaller(target, number, rate, SECONDS, { scenario: SCENARIO, callMs }),
      ),
  );
}

type Measured = FaultCounts & {
  rate: number;
  spooled: number;
  mediaErrors: number;
  afterKill?: number;
};

async function measure(fault: Fault, bed: FaultBed): Promise<Measured> {
  const started = performance.now();
  const [callers] = await Promise.all([placeCalls(bed), inject(fault, bed)]);
  const wallS = Math.max(...callers.map((c) => c.wallMs)) / 1000 - HOLD_MS / 1000;
  bed.checkAlive();
  const placed = callers.reduce((n, c) => n + c.created, 0);
  const failed = callers.reduce((n, c) => n + c.created - c.successful, 0);
  const left = await bed.drain(DRAIN_MS);
  if (left.active || left.waiting)
    log(`${fault}: after ${DRAIN_MS / 1000} s still ${left.active} calls, ${left.waiting} records`);
  const handed = bed.handed();
  const afterKill = bed.handedToTheDead();
  if (fault === 'gateway-kill') {
    log(`${fault}: waiting up to ${ORPHAN_WAIT_S} s for the records of orphaned calls`);
    await bed.awaitEntries(handed - afterKill, ORPHAN_WAIT_S * 1000);
  }
  const records = await bed.countRecords();
  const { unread, surplus } = await bed.matchCalls();
  const dropped =
    fault === 'spool-full'
      ? {
          dropped: {
            metric: await bed.metric('calltrack_records_dropped_total'),
            logged: bed.droppedLogged,
          },
        }
      : {};
  // evidence the fault bit: records that waited on disk for Redis
  const spooled = await bed.metric('calltrack_records_spooled_total');
  // calls that went on without a media step (forwarded unanchored, a whisper not played): they
  // succeed for sipp, so calls-failed does not show them
  const mediaErrors = await bed.metric('calltrack_media_errors_total');
  bed.checkAlive();
  log(
    `${fault}: ${placed} placed, ${failed} failed, ${handed} handed, ${records.entries} records, ${Math.round((performance.now() - started) / 1000)} s`,
  );
  return {
    placed,
    failed,
    handed,
    ...(fault === 'gateway-kill' && { unread, afterKill }),
    surplus,
    stillUp: left.active,
    spooled,
    mediaErrors,
    ...records,
    ...dropped,
    rate: placed / Math.max(SECONDS, wallS),
  };
}

/** One fault on a bed of its own; true when its figures add up. */
async function runFault(fault: Fault): Promise<boolean> {
  const parts: { bed?: FaultBed } = {};
  try {
    const env = fault === 'spool-full' ? SPOOL_FULL_ENV : {};
    const logFile = LOG_DIR && join(LOG_DIR, `${fault}-gateway.log`);
    const bed = await FaultBed.up(DIALPLAN, env, parts, logFile, DRACHTIO_BIN);
    log(
      `${fault}: ${RATE} calls/s for ${SECONDS} s (${MEDIA_SHARE * 100} % anchored), on ${serverName(DRACHTIO_BIN)}`,
    );
    const c = await measure(fault, bed);
    const v = judge(c);
    figure('faults', `${fault} calls-placed`, c.placed, 'calls');
    figure('faults', `${fault} achieved-rate`, c.rate, 'calls/s');
    figure('faults', `${fault} calls-failed`, c.failed, 'calls');
    figure('faults', `${fault} media-errors`, c.mediaErrors, 'failures');
    figure('faults', `${fault} calls-handed`, c.handed, 'calls');
    if (c.afterKill !== undefined)
      figure('faults', `${fault} calls-handed-after-the-kill`, c.afterKill, 'calls');
    if (c.unread !== undefined)
      figure('faults', `${fault} calls-unread-at-the-kill`, c.unread, 'calls');
    figure('faults', `${fault} calls-still-up`, c.stillUp, 'calls');
    figure('faults', `${fault} records-written`, c.entries, 'records');
    figure('faults', `${fault} records-lost`, v.lost, 'records');
    figure('faults', `${fault} duplicates`, v.duplicates, 'records');
    if (v.extra) figure('faults', `${fault} records-extra`, v.extra, 'records');
    if (c.surplus) figure('faults', `${fault} records-matching-no-call`, c.surplus, 'records');
    if (fault === 'redis-down' || fault === 'spool-full')
      figure('faults', `${fault} records-spooled`, c.spooled, 'records');
    if (c.dropped) {
      figure('faults', `${fault} records-dropped-metric`, c.dropped.metric, 'records');
      figure('faults', `${fault} records-dropped-logged`, c.dropped.logged, 'records');
    }
    for (const p of v.problems) process.stderr.write(`faults: MISMATCH ${fault}: ${p}\n`);
    return v.problems.length === 0;
  } catch (err) {
    process.stderr.write(
      `faults: MISMATCH ${fault}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return false;
  } finally {
    await parts.bed?.down();
  }
}

try {
  if (!(SECONDS >= 12) || !(RATE > 0) || !(MEDIA_SHARE >= 0 && MEDIA_SHARE <= 1))
    throw new Error(
      'BENCH_FAULTS_SECONDS ≥ 12, BENCH_FAULTS_CPS > 0, 0 ≤ BENCH_FAULTS_MEDIA_SHARE ≤ 1',
    );
  let ok = true;
  for (const fault of chosen()) ok = (await runFault(fault)) && ok;
  if (!ok) process.exitCode = 1;
} catch (err) {
  process.stderr.write(`bench faults: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
