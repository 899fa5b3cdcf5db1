/**
 * Admission of a new INVITE before any routing work, in this order: the source's carrier (or the
 * policy for sources outside every carrier), known scanner user agents, draining, the carrier's
 * or the source's own call rate, then the node's limits (concurrent calls, new calls per second).
 * Pure: the caller passes the source address drachtio reported (never a header); the clock is
 * injected and monotonic (performance.now()), so a wall-clock step changes nothing.
 */

import type { EdgeRefusal } from './answers.js';
import { type Carrier, CarrierTable, plainAddress } from './carriers.js';
import { SourceLimiter } from './source-limiter.js';
import { TokenBucket } from './token-bucket.js';

export type AdmissionConfig = {
  readonly carriers: readonly Carrier[];
  /** Sources outside every carrier: `refuse` (403) or `admit` (PAI ignored, per-source rate). */
  readonly unknownSources: 'refuse' | 'admit';
  readonly scannerUserAgents: readonly string[];
  /** The rate of each source outside the carriers, and how many such sources are tracked. */
  readonly sourceRate: {
    readonly callsPerSecond: number;
    readonly burst: number;
    readonly capacity: number;
  };
  readonly node: { readonly maxCallsPerSecond: number; readonly maxConcurrentCalls: number };
};

export type Admitted = { ok: true; carrier: Carrier | undefined; trustIdentity: boolean };
export type Admission = Admitted | { ok: false; reason: EdgeRefusal };

export class Admitter {
  readonly #carriers: CarrierTable;
  readonly #unknown: AdmissionConfig['unknownSources'];
  readonly #scanners: readonly string[];
  readonly #sources: SourceLimiter;
  readonly #node: TokenBucket;
  readonly #maxConcurrent: number;
  readonly #clock: () => number;
  draining = false;

  constructor(config: AdmissionConfig, clock: () => number) {
    this.#clock = clock;
    const now = clock();
    this.#carriers = new CarrierTable(config.carriers, now);
    this.#unknown = config.unknownSources;
    this.#scanners = config.scannerUserAgents.map((s) => s.toLowerCase());
    const r = config.sourceRate;
    this.#sources = new SourceLimiter(r.callsPerSecond, r.burst, r.capacity);
    const cps = config.node.maxCallsPerSecond;
    // one second's worth at once: a node limit is a ceiling, not a contract with bursts
    this.#node = new TokenBucket(cps, Math.max(1, Math.ceil(cps)), now);
    this.#maxConcurrent = config.node.maxConcurrentCalls;
  }

  get carrierNames(): string[] {
    return this.#carriers.names;
  }

  /** Sources tracked by the per-source limiter (bounded by its capacity). */
  get trackedSources(): number {
    return this.#sources.size;
  }

  /** Whether a source may talk to this node at all (its OPTIONS are answered). */
  knows(address: string): boolean {
    return this.#unknown === 'admit' || this.#carriers.match(plainAddress(address)) !== undefined;
  }

  admit(address: string, userAgent: string | undefined, activeCalls: number): Admission {
    const source = plainAddress(address);
    const carrier = this.#carriers.match(source);
    if (!carrier && this.#unknown === 'refuse') return refuse('not-allowed');
    const ua = userAgent?.toLowerCase();
    if (ua && this.#scanners.some((s) => ua.includes(s))) return refuse('scanner');
    if (this.draining) return refuse('draining');
    const now = this.#clock();
    if (carrier && !this.#carriers.take(carrier, now)) return refuse('carrier-rate-limited');
    if (!carrier && !this.#sources.take(source, now)) return refuse('rate-limited');
    if (activeCalls >= this.#maxConcurrent) return refuse('overload-calls');
    if (!this.#node.take(now)) return refuse('overload-rate');
    return { ok: true, carrier, trustIdentity: carrier?.trustIdentity ?? false };
  }
}

function refuse(reason: EdgeRefusal): Admission {
  return { ok: false, reason };
}
