/**
 * The texts an export has already written, so that a text occurring twice is written once
 * (SPEC §5): a set of 64-bit text digests, each with the ordinal of the record that first had
 * it, in an open-addressing hash table over one typed array. A million texts take about 17 MB,
 * where a `Set` of strings would take several times that. Two different texts share a digest
 * with a probability of about 3 in 100 million in a million texts; one of them would then be
 * left out as a duplicate.
 */

/** 32-bit words per slot: two of digest, one of ordinal + 1 (0 marks an empty slot). */
const WORDS = 3;

/** The table grows by half when it is this full. */
const MAX_LOAD = 0.7;

/** The fewest slots a table has. */
const MIN_CAPACITY = 16;

/** A set of 64-bit text digests (two 32-bit words), each remembering an ordinal. */
export class DigestSet {
  #capacity: number;
  #slots: Uint32Array;
  #size = 0;

  /**
   * A set with room for `expected` digests. An export knows how many records it will read, and a
   * table sized for them never grows, which would rehash every digest while holding the old table
   * and the new one at once (some 40 MB at a million).
   */
  constructor(expected = 0) {
    this.#capacity = Math.max(MIN_CAPACITY, Math.ceil(expected / MAX_LOAD) + 1);
    this.#slots = new Uint32Array(this.#capacity * WORDS);
  }

  /** How many digests it holds. */
  get size(): number {
    return this.#size;
  }

  /** How many slots its table has. */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Adds the digest `a b` for the record numbered `ordinal`. Returns -1 when it was new, or
   * the ordinal given when the same digest was first added.
   */
  add(a: number, b: number, ordinal: number): number {
    // As unsigned 32-bit words, the way the table stores them.
    a >>>= 0;
    b >>>= 0;
    const at = this.#find(a, b) * WORDS;
    if (this.#slots[at + 2] !== 0) return this.#slots[at + 2]! - 1;
    this.#slots[at] = a;
    this.#slots[at + 1] = b;
    this.#slots[at + 2] = ordinal + 1;
    this.#size++;
    if (this.#size > this.#capacity * MAX_LOAD) this.#grow();
    return -1;
  }

  /** The slot holding the digest, or the empty slot where it belongs (linear probing; digests are uniform, so the first word is the hash). */
  #find(a: number, b: number): number {
    for (let slot = a % this.#capacity; ; slot = slot + 1 === this.#capacity ? 0 : slot + 1) {
      const at = slot * WORDS;
      if (this.#slots[at + 2] === 0 || (this.#slots[at] === a && this.#slots[at + 1] === b)) return slot;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#capacity = Math.ceil(this.#capacity * 1.5);
    this.#slots = new Uint32Array(this.#capacity * WORDS);
    for (let at = 0; at < old.length; at += WORDS) {
      if (old[at + 2] === 0) continue;
      const to = this.#find(old[at]!, old[at + 1]!) * WORDS;
      this.#slots.set(old.subarray(at, at + WORDS), to);
    }
  }
}
