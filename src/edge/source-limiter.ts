/**
 * Per-source call rate for sources that are not configured carriers. Memory is bounded: at most
 * `capacity` sources are tracked, in a Map kept in least-recently-seen order (a hit is moved to
 * the end); inserting a new source beyond the capacity evicts the first entry, the one seen
 * longest ago. Every operation is O(1): under a flood of spoofed sources nothing sweeps the map.
 * An evicted source starts again with a full bucket; with the capacity far above the sources a
 * node sees in one refill time, only a flood of distinct sources gets there, and for those a
 * fresh bucket is what they would have had anyway.
 */
import { TokenBucket } from './token-bucket.js';

export class SourceLimiter {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly callsPerSecond: number,
    readonly burst: number,
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.#buckets.size;
  }

  /** `now` from a monotonic clock, in milliseconds. */
  take(source: string, now: number): boolean {
    let bucket = this.#buckets.get(source);
    if (bucket) this.#buckets.delete(source);
    else {
      bucket = new TokenBucket(this.callsPerSecond, this.burst, now);
      if (this.#buckets.size >= this.capacity) {
        const oldest = this.#buckets.keys().next();
        if (!oldest.done) this.#buckets.delete(oldest.value);
      }
    }
    this.#buckets.set(source, bucket);
    return bucket.take(now);
  }
}
