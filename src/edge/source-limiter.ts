/**
 * Per-source call rate for sources that are not configured carriers. Memory is bounded: at most
 * `capacity` sources are tracked, each in a slot of a ring (its bucket in two typed arrays, the
 * map holds only the slot number). A new source takes the next slot and evicts the source that
 * held it, the one tracked longest ago (first in, first out): every operation is O(1) and
 * nothing ever walks the map, whatever a flood of spoofed sources does. An evicted source starts
 * again with a full bucket: only a flood of distinct sources gets there, and for those a fresh
 * bucket is what they had anyway.
 *
 * Why not a Map kept in least-recently-used order (delete and re-insert on every hit, evict with
 * keys().next())? V8's ordered hash table leaves a hole per delete: a full map's hot sources
 * then cost microseconds each, and the iterator that finds the oldest entry skips every hole
 * before it (measured: 2-2.5 µs per new source in a flood, against ~1 µs here).
 */
import { refilled } from './token-bucket.js';

export class SourceLimiter {
  readonly #slots = new Map<string, number>();
  readonly #sources: (string | undefined)[];
  readonly #tokens: Float64Array;
  readonly #at: Float64Array;
  #next = 0;

  constructor(
    readonly callsPerSecond: number,
    readonly burst: number,
    readonly capacity: number,
  ) {
    this.#sources = new Array<string | undefined>(capacity).fill(undefined);
    this.#tokens = new Float64Array(capacity);
    this.#at = new Float64Array(capacity);
  }

  get size(): number {
    return this.#slots.size;
  }

  /** `now` from a monotonic clock, in milliseconds. */
  take(source: string, now: number): boolean {
    let slot = this.#slots.get(source);
    if (slot === undefined) slot = this.#track(source, now);
    const tokens = refilled(
      this.#tokens[slot]!,
      now - this.#at[slot]!,
      this.callsPerSecond,
      this.burst,
    );
    this.#at[slot] = now;
    const ok = tokens >= 1;
    this.#tokens[slot] = ok ? tokens - 1 : tokens;
    return ok;
  }

  #track(source: string, now: number): number {
    const slot = this.#next;
    const evicted = this.#sources[slot];
    if (evicted !== undefined) this.#slots.delete(evicted);
    this.#sources[slot] = source;
    this.#slots.set(source, slot);
    this.#tokens[slot] = this.burst;
    this.#at[slot] = now;
    this.#next = (slot + 1) % this.capacity;
    return slot;
  }
}
