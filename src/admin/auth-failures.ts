/**
 * Slows down guessing: each address may fail authentication `burst` times, then once per
 * `1000 / perSecond` ms. While its allowance is spent it is answered 429 before its token is even
 * looked at, so guessing costs the guesser time and costs us no hashing. A bucket per address on
 * the monotonic clock (token-bucket.ts's refill); the table is bounded, dropping the oldest.
 */
import { refilled } from '../edge/token-bucket.js';

type Allowance = { tokens: number; at: number };

export type FailureLimits = {
  /** Failures allowed at once. */
  readonly burst: number;
  /** Failures allowed per second after that. */
  readonly perSecond: number;
  /** Addresses tracked; the least recently failed is forgotten first. */
  readonly addresses: number;
};

export const DEFAULT_FAILURE_LIMITS: FailureLimits = Object.freeze({
  burst: 10,
  perSecond: 0.2,
  addresses: 10_000,
});

export class AuthFailures {
  readonly #byAddress = new Map<string, Allowance>();

  constructor(
    private readonly limits: FailureLimits,
    private readonly now: () => number,
  ) {}

  #current(address: string): Allowance | undefined {
    const a = this.#byAddress.get(address);
    if (!a) return undefined;
    const now = this.now();
    a.tokens = refilled(a.tokens, now - a.at, this.limits.perSecond, this.limits.burst);
    a.at = now;
    return a;
  }

  /** Seconds until this address may try again; 0: it may now. */
  retryAfter(address: string): number {
    const a = this.#current(address);
    if (!a || a.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - a.tokens) / this.limits.perSecond));
  }

  failed(address: string): void {
    const a = this.#current(address) ?? { tokens: this.limits.burst, at: this.now() };
    a.tokens = Math.max(0, a.tokens - 1);
    // re-inserted: Map order is then least recently failed first
    this.#byAddress.delete(address);
    this.#byAddress.set(address, a);
    if (this.#byAddress.size > this.limits.addresses)
      this.#byAddress.delete(this.#byAddress.keys().next().value!);
  }
}
