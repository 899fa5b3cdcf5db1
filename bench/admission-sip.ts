/**
 * Admission at the gateway: real INVITEs over UDP through the drachtio stand-in to the gateway as
 * `npm start` runs it (dist/), from 100 and from 100,000 distinct loopback sources (in the
 * second run each sends once), all outside the carriers (UNKNOWN_SOURCES=admit, so each passes
 * the per-source limiter), to a number that is not configured: admission, routing, a 404 and a
 * record, and no call stays up. The same number of INVITEs at the same rate in both runs
 * (BENCH_ADMISSION_INVITES, BENCH_ADMISSION_RATE to try others); only the gateway process's CPU
 * counts (the sender and the stand-in live in this process; their share goes to stderr). After
 * each run, the gateway's RSS and its live heap after its latest full GC show the memory bounded.
 *
 * Checked, or the run fails: every INVITE got its 404 (with the per-source rate set to 4× what
 * each of 100 sources sends, INVITEs collapsed onto one source would get 503s), and the stand-in
 * handed the gateway as many distinct source addresses as the run used.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type StandinHandle, start, type TraceRecord } from '../test/standin/index.js';
import { cpuMs, type Proc, startGateway, tempDir } from './cps-procs.js';
import { callBenchDialplan } from './fixtures.js';
import { onFullGc } from './gc-trace.js';
import { flood } from './invite-flood.js';
import { figure } from './report.js';

const SECRET = 'cymru';
const CONFIGURED = '+493025550101';
/** A DE number the dialplan does not have: 404 after admission. */
const NOT_CONFIGURED = '+493025550199';
const RATE = Number(process.env.BENCH_ADMISSION_RATE ?? 2000);
const INVITES = Number(process.env.BENCH_ADMISSION_INVITES ?? 100_000);
const WARM_UP = Math.min(INVITES, 3 * RATE);
const RUNS = [100, 100_000];

const log = (line: string) => process.stderr.write(`admission: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function gateway(standin: StandinHandle): Promise<Proc> {
  const dir = tempDir('calltrack-bench-admission-');
  const dialplans = join(dir, 'dialplans');
  mkdirSync(dialplans);
  writeFileSync(join(dialplans, 'bench.yaml'), callBenchDialplan([{ number: CONFIGURED }]));
  const carriers = join(dir, 'carriers.yaml');
  // one carrier elsewhere: every 127.x source is outside the carriers
  writeFileSync(
    carriers,
    'version: 1\ncarriers:\n  - name: elsewhere\n    cidrs: ["192.0.2.0/24"]\n    trustIdentity: false\n',
  );
  const perSource = (4 * RATE) / Math.min(...RUNS);
  // the trunk is never dialled (no INVITE reaches the forward path); --trace-gc: one line per
  // GC on stdout, for the live heap after each full GC (liveHeap)
  return startGateway(
    standin.adminAddress,
    SECRET,
    dialplans,
    standin.sipAddress,
    {
      CARRIERS_FILE: carriers,
      UNKNOWN_SOURCES: 'admit',
      RATE_LIMIT_CPS: String(perSource),
      RATE_LIMIT_BURST: String(2 * perSource),
      RATE_LIMIT_SOURCES: '100000',
    },
    ['--trace-gc'],
  );
}

/**
 * The stand-in's trace target while a run lasts: the source address of each new-INVITE frame
 * it hands the gateway goes `into` (nothing is kept: a run would hold ~1 GB of frames).
 */
function sourcesInto(into: Set<string>): (r: TraceRecord) => void {
  return (r) => {
    if (r.kind !== 'frame' || r.dir !== 'out') return;
    // `<id>|sip|network|<bytes>|<protocol>|<address>|<port>|…`
    const tokens = r.payload.slice(0, 200).split('|');
    if (tokens[1] === 'sip' && tokens[2] === 'network' && r.payload.includes('\r\nINVITE '))
      into.add(tokens[5] ?? '');
  };
}

/** The gateway's live heap after its latest full GC, in MB (gc-trace.ts). */
function liveHeap(proc: Proc): () => number {
  let last = Number.NaN;
  onFullGc(proc, (liveMB) => {
    last = liveMB;
  });
  return () => last;
}

function rssMB(proc: Proc): number {
  const status = readFileSync(`/proc/${proc.child.pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** One run: µs of gateway CPU per INVITE. Throws unless every INVITE got its 404. */
async function run(
  standin: StandinHandle,
  app: Proc,
  sources: number,
  firstOctet: number,
  invites = INVITES,
) {
  const seen = new Set<string>();
  standin.traceTo(sourcesInto(seen));
  const cpu0 = cpuMs(app);
  const own0 = process.cpuUsage();
  const r = await flood(standin.sipAddress, {
    invites,
    sources,
    rate: RATE,
    called: NOT_CONFIGURED,
    firstOctet,
  });
  await sleep(200); // the last records written
  standin.traceTo('none');
  const cpu = cpuMs(app) - cpu0;
  const own = process.cpuUsage(own0);
  if (app.child.exitCode !== null) throw new Error(`gateway exited:\n${app.output()}`);
  const shown = [...r.statuses].map(([s, n]) => `${n}× ${s}`).join(', ');
  log(
    `${sources} sources: ${shown}, ${r.missing} missing, ${Math.round(r.wallMs)} ms; ` +
      `stand-in and sender ${Math.round((own.user + own.system) / invites)} us per INVITE`,
  );
  if (r.missing > 0 || r.statuses.get(404) !== invites)
    throw new Error(`${sources} sources: ${invites} INVITEs, got ${shown}; ${r.missing} missing`);
  const expected = Math.min(sources, invites);
  if (seen.size !== expected)
    throw new Error(`${sources} sources: the gateway was handed ${seen.size} distinct sources`);
  log(`${sources} sources: the gateway saw ${seen.size} distinct, e.g. ${[...seen].slice(-2)}`);
  return (cpu * 1000) / invites;
}

export async function gatewayAdmission(): Promise<void> {
  const standin = await start({ sipPort: 0, adminPort: 0, secret: SECRET });
  try {
    const app = await gateway(standin);
    const live = liveHeap(app);
    try {
      // warm-up from sources of their own, so the JIT's work is in no figure
      await run(standin, app, WARM_UP, 200, WARM_UP).catch((err) => {
        throw new Error(`warm-up: ${err instanceof Error ? err.message : err}`);
      });
      log(`gateway RSS after the warm-up: ${rssMB(app).toFixed(1)} MB`);
      const perInvite = new Map<number, number>();
      for (const [k, sources] of RUNS.entries()) {
        perInvite.set(sources, await run(standin, app, sources, 10 + 10 * k));
        figure(
          'admission',
          `gateway-cpu-per-invite-${sources}-sources`,
          perInvite.get(sources)!,
          'us',
        );
        figure('admission', `gateway-rss-after-${sources}-sources`, rssMB(app), 'MB');
        figure('admission', `gateway-live-heap-after-${sources}-sources`, live(), 'MB');
      }
      figure(
        'admission',
        'gateway-flatness-100000-vs-100',
        perInvite.get(100_000)! / perInvite.get(100)!,
        'x',
      );
    } finally {
      await app.stop();
    }
  } finally {
    await standin.close();
  }
}
