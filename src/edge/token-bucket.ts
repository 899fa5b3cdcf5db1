/**
 * A token bucket on a monotonic clock (milliseconds, e.g. performance.now()): `burst` calls at
 * once, then `callsPerSecond`. A clock that never steps back is the caller's to give: on the wall
 * clock a backward step of a minute would leave a bucket empty for that minute.
 */

/** Tokens after `elapsedMs`; a clock that did go back (an injected one) refills nothing. */
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
    this.#at = Math.max(this.#at, now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
