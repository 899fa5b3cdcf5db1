/**
 * Per-source call rate for sources that are not configured carriers. Memory is bounded: at most
 * `capacity` sources are tracked. New sources go into a ring of `capacity` slots; the one that
 * takes a slot evicts the source inserted `capacity` sources before it (first in, first out), so
 * every operation is O(1) and nothing ever walks the map, whatever a flood of spoofed sources
 * does. An evicted source starts again with a full bucket: only a flood of distinct sources gets
 * there, and for those a fresh bucket is what they had anyway.
 *
 * Why not a Map kept in least-recently-used order (delete and re-insert on every hit, evict with
 * keys().next())? V8's ordered hash table leaves a hole per delete: a full map's hot sources then
 * cost ~27 µs per 1,000 INVITEs more than here, and the iterator that finds the oldest entry
 * skips every hole before it (measured: 2-2.5 µs per new source in a flood, 1.2 µs here).
 */
import { TokenBucket } from './token-bucket.js';

export class SourceLimiter {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #ring: (string | undefined)[];
  #next = 0;

  constructor(
    readonly callsPerSecond: number,
    readonly burst: number,
    readonly capacity: number,
  ) {
    this.#ring = new Array<string | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** `now` from a monotonic clock, in milliseconds. */
  take(source: string, now: number): boolean {
    let bucket = this.#buckets.get(source);
    if (!bucket) {
      const evicted = this.#ring[this.#next];
      if (evicted !== undefined) this.#buckets.delete(evicted);
      this.#ring[this.#next] = source;
      this.#next = (this.#next + 1) % this.capacity;
      bucket = new TokenBucket(this.callsPerSecond, this.burst, now);
      this.#buckets.set(source, bucket);
    }
    return bucket.take(now);
  }
}
