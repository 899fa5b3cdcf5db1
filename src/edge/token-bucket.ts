/**
 * A token bucket on a monotonic clock (milliseconds, e.g. performance.now()): `burst` calls at
 * once, then `callsPerSecond`. A clock that never steps back is the caller's to give: on the wall
 * clock a backward step of a minute would leave a bucket empty for that minute.
 */
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
    // a clock that did go back (an injected one) refills nothing, and never empties the bucket
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.callsPerSecond) / 1000);
    this.#at = Math.max(this.#at, now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
