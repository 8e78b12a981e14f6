/**
 * A BPE rank table (token bytes to rank) in one block of shared memory, so that every thread
 * that tokenises reads the same copy: as a JavaScript `Map` of 200,000 strings the table of
 * o200k_base takes 12.7 MB of each thread's heap; here it takes 4.3 MB for the whole process
 * (`npm run bench -- export.peak_rss`: an export's page threads each held a `Map` of their own).
 *
 * Layout of the buffer, in 32-bit words then bytes: a header (`count`, `capacity`,
 * `byteLength`), `count + 1` offsets (token `r`'s bytes are `bytes[offsets[r] … offsets[r + 1])`),
 * `capacity` slots of an open-addressing hash table (rank + 1 of the token hashed there, 0 for
 * none, probed linearly), then the tokens' bytes in rank order. Keys are strings of char codes
 * 0–255, one per byte, as the tokenizer forms them.
 */

const HEADER_WORDS = 3;

/** FNV-1a over the char codes of `key[start … end)`. */
function hashOf(key: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** FNV-1a over bytes: {@link hashOf} of the string of their char codes. */
function hashOfBytes(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

export class RankTable {
  /** The shared memory holding the table: hand it to another thread's {@link RankTable.of}. */
  readonly buffer: SharedArrayBuffer;
  /** The number of tokens; ranks are 0 … count - 1. */
  readonly count: number;
  readonly #offsets: Uint32Array;
  readonly #slots: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #mask: number;

  private constructor(buffer: SharedArrayBuffer) {
    const [count, capacity, byteLength] = new Uint32Array(buffer, 0, HEADER_WORDS) as unknown as [number, number, number];
    this.buffer = buffer;
    this.count = count;
    this.#offsets = new Uint32Array(buffer, HEADER_WORDS * 4, count + 1);
    this.#slots = new Int32Array(buffer, (HEADER_WORDS + count + 1) * 4, capacity);
    this.#bytes = new Uint8Array(buffer, (HEADER_WORDS + count + 1 + capacity) * 4, byteLength);
    this.#mask = capacity - 1;
  }

  /** The table another thread built (its `buffer`). */
  static of(buffer: SharedArrayBuffer): RankTable {
    return new RankTable(buffer);
  }

  /** Builds the table of `tokens`, the bytes of each token in rank order. */
  static build(tokens: readonly Uint8Array[]): RankTable {
    const count = tokens.length;
    // At most half full, so that probes stay short.
    let capacity = 1;
    while (capacity < count * 2) capacity *= 2;
    const byteLength = tokens.reduce((sum, token) => sum + token.length, 0);
    const buffer = new SharedArrayBuffer((HEADER_WORDS + count + 1 + capacity) * 4 + byteLength);
    new Uint32Array(buffer, 0, HEADER_WORDS).set([count, capacity, byteLength]);
    const table = new RankTable(buffer);
    let offset = 0;
    tokens.forEach((token, rank) => {
      table.#offsets[rank] = offset;
      table.#bytes.set(token, offset);
      offset += token.length;
    });
    table.#offsets[count] = offset;
    tokens.forEach((token, rank) => {
      let slot = hashOfBytes(token) & table.#mask;
      while (table.#slots[slot] !== 0) slot = (slot + 1) & table.#mask;
      table.#slots[slot] = rank + 1;
    });
    return table;
  }

  /** The rank of the token whose bytes are the char codes of `key[start … end)`, or undefined. */
  get(key: string, start = 0, end = key.length): number | undefined {
    const offsets = this.#offsets;
    const bytes = this.#bytes;
    const length = end - start;
    for (let slot = hashOf(key, start, end) & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const entry = this.#slots[slot]!;
      if (entry === 0) return undefined;
      const rank = entry - 1;
      const from = offsets[rank]!;
      if (offsets[rank + 1]! - from !== length) continue;
      let i = 0;
      while (i < length && bytes[from + i] === key.charCodeAt(start + i)) i++;
      if (i === length) return rank;
    }
  }
}
