/**
 * Admission per INVITE under a flood of distinct sources (sources outside every carrier, admitted
 * with the per-source limiter): CPU per INVITE from 100 to 100,000 distinct sources (flat: no
 * sweep over the map), and the heap (with array buffers) after 100,000, 1,000,000 and 2,000,000
 * distinct sources (bounded by the limiter's capacity). For comparison, the limiter it replaced
 * (a map swept whenever it held more than 10,000 sources), measured in the same run at 100,000
 * sources. Then the same question at the gateway, with real INVITEs through the drachtio
 * stand-in (bench/admission-sip.ts).
 */
import { Admitter } from '../src/edge/admission.js';
import { gatewayAdmission } from './admission-sip.js';
import { cleanUp } from './cps-procs.js';
import { figure } from './report.js';

const SCANNERS = ['friendly-scanner', 'sipvicious', 'sipcli', 'sip-scan', 'sipsak', 'sundayddr'];
const CAPACITY = 100_000;
const INVITES = 1_000_000;
const ROUNDS = 3;

function source(i: number): string {
  return `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function admitter(): Admitter {
  return new Admitter(
    {
      carriers: [{ name: 'carrier', cidrs: ['192.0.2.0/24'], trustIdentity: true }],
      unknownSources: 'admit',
      scannerUserAgents: SCANNERS,
      sourceRate: { callsPerSecond: 5, burst: 10, capacity: CAPACITY },
      node: { maxCallsPerSecond: 1e9, maxConcurrentCalls: 1e9 },
    },
    () => performance.now(),
  );
}

/** Best of ROUNDS: nanoseconds per admit() over `invites` INVITEs cycling through `sources`. */
function perInvite(sources: readonly string[], invites = INVITES): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const a = admitter();
    for (const s of sources) a.admit(s, 'Asterisk PBX 20', 0); // every source tracked first
    const t = process.hrtime.bigint();
    let admitted = 0;
    for (let i = 0; i < invites; i++)
      if (a.admit(sources[i % sources.length]!, 'Asterisk PBX 20', 0).ok) admitted++;
    const ns = Number(process.hrtime.bigint() - t) / invites;
    if (admitted < 0) throw new Error('unreachable');
    best = Math.min(best, ns);
  }
  return best;
}

/** The per-source limiter this replaced: a wall-clock bucket map swept above 10,000 sources. */
class SweepingLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  take(key: string, now: number): boolean {
    const b = this.#buckets.get(key) ?? { tokens: 10, at: now };
    b.tokens = Math.min(10, b.tokens + (now - b.at) * 0.005);
    b.at = now;
    this.#buckets.set(key, b);
    if (this.#buckets.size > 10_000)
      for (const [k, x] of this.#buckets) if (now - x.at >= 2000) this.#buckets.delete(k);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

function sweepingPerInvite(sources: readonly string[], invites: number): number {
  const limiter = new SweepingLimiter();
  for (const s of sources) limiter.take(s, Date.now());
  const t = process.hrtime.bigint();
  for (let i = 0; i < invites; i++) limiter.take(sources[i % sources.length]!, Date.now());
  return Number(process.hrtime.bigint() - t) / invites;
}

/** Heap plus array buffers (the limiter's buckets live in typed arrays), after a full GC. */
function memoryMB(): number {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1e6;
}

// memory first, on a quiet heap: one admitter fed 2,000,000 distinct sources
const before = memoryMB();
const a = admitter();
const feed = (from: number, to: number) => {
  for (let i = from; i < to; i++) a.admit(source(i), undefined, 0);
};
feed(0, 100_000);
const after100k = memoryMB() - before;
feed(100_000, 1_000_000);
const after1M = memoryMB() - before;
const tracked1M = a.trackedSources;
feed(1_000_000, 2_000_000);
const after2M = memoryMB() - before;

const counts = [100, 1_000, 10_000, 100_000];
const results = new Map<number, number>();
// warm-up: the JIT's work is not the first figure's
perInvite(
  Array.from({ length: 1000 }, (_, i) => source(i)),
  200_000,
);
for (const n of counts) {
  const sources = Array.from({ length: n }, (_, i) => source(i));
  results.set(n, perInvite(sources));
  figure('admission', `per-invite-${n}-sources`, results.get(n)!, 'ns');
}
figure('admission', 'flatness-100000-vs-100', results.get(100_000)! / results.get(100)!, 'x');

const sweepSources = Array.from({ length: 100_000 }, (_, i) => source(i));
const sweeping = sweepingPerInvite(sweepSources, 2_000);
figure('admission', 'replaced-sweeping-limiter-per-invite-100000-sources', sweeping, 'ns');
figure('admission', 'ratio-replaced-to-now-100000-sources', sweeping / results.get(100_000)!, 'x');

figure('admission', 'heap-after-100k-sources', after100k, 'MB');
figure('admission', 'heap-after-1M-sources', after1M, 'MB');
figure('admission', 'heap-after-2M-sources', after2M, 'MB');
figure('admission', 'heap-1M-vs-100k', after1M / after100k, 'x');
figure('admission', 'heap-2M-vs-1M', after2M / after1M, 'x');
figure('admission', 'tracked-sources-after-1M', tracked1M, 'sources');
figure('admission', 'bytes-per-tracked-source', (after2M * 1e6) / a.trackedSources, 'B');

// the same question at the gateway: real INVITEs through the stand-in (bench/admission-sip.ts)
try {
  await gatewayAdmission();
} catch (err) {
  process.stderr.write(`bench admission: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
