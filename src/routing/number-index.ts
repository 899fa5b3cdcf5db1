/**
 * An open-addressing hash table from E.164 numbers (as integers) to slots in a decisions array.
 * Plain typed arrays: a lookup touches one contiguous probe run instead of chasing string keys,
 * and the whole index moves between threads as two transferable buffers.
 */

export type IndexBuffers = { keys: Float64Array; slots: Int32Array };

const TWO_POW_32 = 4294967296;

/** Mixes both 32-bit halves of the integer so numbers that differ only in high digits spread. */
function hash(value: number, mask: number): number {
  const lo = value >>> 0;
  const hi = (value / TWO_POW_32) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return h & mask;
}

export class NumberIndex {
  readonly #keys: Float64Array;
  readonly #slots: Int32Array;
  readonly #mask: number;

  constructor(buffers: IndexBuffers) {
    this.#keys = buffers.keys;
    this.#slots = buffers.slots;
    this.#mask = buffers.keys.length - 1;
  }

  /**
   * Builds the index for `values[i]` → slot i; capacity keeps the load factor at or below 1/2.
   * A value seen again keeps its first slot and is reported to `onDuplicate`.
   */
  static build(
    values: ArrayLike<number>,
    onDuplicate?: (slot: number, firstSlot: number) => void,
  ): NumberIndex {
    let capacity = 16;
    while (capacity < values.length * 2) capacity *= 2;
    const keys = new Float64Array(capacity);
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value === 0) continue; // an entry without a readable number holds a slot but no key
      let at = hash(value, mask);
      while (keys[at] !== 0 && keys[at] !== value) at = (at + 1) & mask;
      if (keys[at] === value) {
        onDuplicate?.(i, slots[at]!);
        continue;
      }
      keys[at] = value;
      slots[at] = i;
    }
    return new NumberIndex({ keys, slots });
  }

  /** The slot of `value`, or -1. Key 0 marks an empty place: no E.164 number is 0. */
  get(value: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    let at = hash(value, mask);
    for (;;) {
      const key = keys[at]!;
      if (key === value) return this.#slots[at]!;
      if (key === 0) return -1;
      at = (at + 1) & mask;
    }
  }

  get buffers(): IndexBuffers {
    return { keys: this.#keys, slots: this.#slots };
  }
}
