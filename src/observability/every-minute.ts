/**
 * A counter that speaks at most once a minute: for a warning a flood would otherwise repeat on
 * every request, so that the log keeps up and still says how many there were.
 */
export class EveryMinute {
  #last = Number.NEGATIVE_INFINITY;
  #count = 0;

  /** Counts one; how many were counted since the last time it spoke, or undefined (not yet). */
  tick(now = performance.now()): number | undefined {
    this.#count += 1;
    if (now - this.#last < 60_000) return undefined;
    const count = this.#count;
    this.#last = now;
    this.#count = 0;
    return count;
  }
}
