/**
 * A token bucket on a monotonic clock (milliseconds, e.g. performance.now()): `burst` calls at
 * once, then `callsPerSecond`. Should a clock step back all the same, the interval refills
 * nothing and the bucket goes on from the new time: the step costs no call (the limiter this
 * replaced, on the wall clock, refused a source for 50 s after a 60 s backward step).
 */

/** Tokens after `elapsedMs`; a negative interval (a clock that stepped back) refills nothing. */
export function refilled(
  tokens: number,
  elapsedMs: number,
  callsPerSecond: number,
  burst: number,
): number {
  return Math.min(burst, tokens + (Math.max(0, elapsedMs) * callsPerSecond) / 1000);
}

export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly callsPerSecond: number,
    readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#at = now;
  }

  take(now: number): boolean {
    this.#tokens = refilled(this.#tokens, now - this.#at, this.callsPerSecond, this.burst);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
