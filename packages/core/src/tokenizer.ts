/**
 * Tokenizer glue (Node only: `tiktoken` runs as WebAssembly). Import it as
 * `@prealign/core/tokenizer`; the main entry never loads it, so the web bundle stays free of it.
 *
 * Each tag is exactly one added special token, with fixed ids right after the encoding's own
 * ids, in `ALL_TAGS` order:
 *
 * | tag | o200k_base | cl100k_base |
 * |---|---|---|
 * | `<AI>` | 200019 | 100277 |
 * | `</AI>` | 200020 | 100278 |
 * | `<AI_quoting_human>` | 200021 | 100279 |
 * | `</AI_quoting_human>` | 200022 | 100280 |
 * | `<AI_quoting_unaligned_AI>` | 200023 | 100281 |
 * | `</AI_quoting_unaligned_AI>` | 200024 | 100282 |
 *
 * The ids do not depend on the options: where the unaligned pair is off its strings are plain
 * text and are tokenised as such. Everything that is not a tag — near misses such as `<ai>`, and
 * the encoding's own special strings such as `<|endoftext|>` — is tokenised as ordinary text.
 *
 * `encodeTagged` is what an export runs on every record, so it has a fast path: the encoding's
 * own pre-tokenising regular expression, translated for JavaScript, splits the text into the
 * same pieces tiktoken would, and each piece is looked up in the encoding's rank table or, when
 * it is not one token, byte-pair encoded once and then remembered. It is used only for runs of text made of characters whose Unicode properties
 * (letter, number, white space) have been stable for decades, so that JavaScript's and
 * tiktoken's Unicode tables cannot disagree; any other run goes to tiktoken whole. Tests check
 * it against tiktoken for every such character in many contexts.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Tiktoken } from "tiktoken";
import type { TagTokenIds } from "./automaton.ts";
import { ALL_TAGS, grammar as grammarFor, type Grammar, type GrammarOptions, type Mode } from "./grammar.ts";
import { RankTable } from "./rank-table.ts";
import { InvalidTextError } from "./spans.ts";
import { matchTag, tagTable } from "./tags.ts";
import { validate } from "./validator.ts";

/** The BPE encodings on offer. */
export type EncodingName = "o200k_base" | "cl100k_base";

/** The encodings on offer, default first. */
export const ENCODINGS: readonly EncodingName[] = ["o200k_base", "cl100k_base"];

/** The first id after each encoding's own tokens (its largest id + 1): where the tag ids start. */
const TAG_ID_BASE: Record<EncodingName, number> = { o200k_base: 200019, cl100k_base: 100277 };

/** The token id of each tag of the grammar under `encoding`. */
export function tagTokenIds(encoding: EncodingName = "o200k_base", options: GrammarOptions = {}): TagTokenIds {
  const g = grammarFor(options);
  const ids: TagTokenIds = {};
  for (const tag of g.tags) ids[tag] = TAG_ID_BASE[encoding] + ALL_TAGS.indexOf(tag);
  return ids;
}

/** Token counts of one text. */
export interface TokenCounts {
  /** All tokens, tags included. */
  total: number;
  /** Tag tokens. */
  tags: number;
  /** Text tokens per mode (every mode of the grammar is present, 0 when absent). */
  byMode: Partial<Record<Mode, number>>;
}

/** A tokenizer for tagged text. */
export interface Tokenizer {
  readonly encoding: EncodingName;
  readonly grammar: Grammar;
  /** The id of each tag of the grammar. */
  readonly tagTokenIds: TagTokenIds;
  /** The encoding's own special tokens (end of text, …), which generation must never sample. */
  readonly otherSpecialTokenIds: readonly number[];
  /** One more than the largest id, tags included. */
  readonly vocabularySize: number;
  /** Tokenises a text: each tag is one id, everything else ordinary text. */
  encode(text: string): Uint32Array;
  /** Turns ids back into text (tags included). */
  decode(ids: ArrayLike<number>): string;
  /** The bytes of an ordinary text token, or null for special tokens and unused ids. */
  tokenBytes(id: number): Uint8Array | null;
  /** Token counts of a valid text, per mode. Throws `InvalidTextError` for an invalid one. */
  countTokens(text: string): TokenCounts;
  /**
   * Tokenises a valid text for training: the ids of `encode`, the mode in force after each
   * token, and the counts of `countTokens`. Throws `InvalidTextError` for an invalid text.
   */
  encodeTagged(text: string): TaggedEncoding;
}

/** A valid text tokenised for training (see `Tokenizer.encodeTagged`). */
export interface TaggedEncoding {
  /** The token ids, equal to `encode(text)`: each tag one id, the text between tags encoded on its own. */
  ids: number[];
  /** For each token, the mode in force after it: a tag's is the mode it opens or returns to. */
  modes: Mode[];
  /** The counts of `countTokens(text)`. */
  counts: TokenCounts;
}

/** The BPE table of an encoding, as the tiktoken package ships it. */
interface EncoderFile {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

const require = createRequire(import.meta.url);

/**
 * The number of ordinary tokens in a BPE table. The tiktoken package writes the table as
 * `! <first rank> <token> <token> …`, starting a new `!` group after any gap in the ranks; the
 * tables offered here have one group, so ranks are 0 … count - 1 and every id below the count
 * is a token (asking wasm for the bytes of any other id would throw and poison the encoder).
 */
function rankCount(file: EncoderFile): number {
  const table = checkedTable(file);
  let count = 1;
  for (let space = table.indexOf(" ", FIRST_TOKEN); space !== -1; space = table.indexOf(" ", space + 1)) count++;
  return count;
}

/** The table's text, once its layout is known to be the one `rankCount` describes. */
function checkedTable(file: EncoderFile): string {
  const table = file.bpe_ranks;
  if (!table.startsWith("! 0 ") || table.indexOf("!", 1) !== -1) throw new Error("Unexpected BPE table layout: ranks are not contiguous from 0");
  return table;
}

/** Where the first token of a BPE table starts, after its only group's header. */
const FIRST_TOKEN = "! 0 ".length;

/**
 * The rank table of a BPE table's tokens (see `rankCount` for the layout), read in place:
 * splitting the table would make 200,000 strings for nothing.
 */
function readRanks(file: EncoderFile): RankTable {
  const table = checkedTable(file);
  const tokens: Uint8Array[] = [];
  for (let start = FIRST_TOKEN; start < table.length; ) {
    let end = table.indexOf(" ", start);
    if (end === -1) end = table.length;
    tokens.push(Buffer.from(table.slice(start, end), "base64"));
    start = end + 1;
  }
  return RankTable.build(tokens);
}

/**
 * Characters whose Unicode properties (letter, upper or lower case, mark, number, white space)
 * JavaScript's and tiktoken's Unicode tables agree on for certain: everything below U+0800
 * (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, …) and General Punctuation (curly quotes,
 * dashes, the ellipsis, special spaces), all assigned long before either table was built. A run
 * of text holding any other character is encoded by tiktoken whole.
 */
const OUTSIDE_FAST_PATH = /[^\u0000-\u07FF\u2000-\u206F]/;

/** Distinct pieces remembered per generation; two generations are kept (see {@link PieceEncoder}). */
const PIECES_PER_GENERATION = 50_000;

/**
 * tiktoken's pre-tokenising pattern rewritten for JavaScript, or null when it holds something
 * this rewriting does not know. Rust's `\s` is Unicode White_Space (JavaScript's also holds
 * U+FEFF and lacks U+0085), and JavaScript before Node 23 has no `(?i:…)` groups: the
 * contraction suffixes are spelt out with every letter Rust's simple case folding matches
 * (`ſ`, U+017F, folds to `s`).
 */
function javascriptPattern(patStr: string): RegExp | null {
  const rewritten = patStr
    .replaceAll("(?i:'s|'t|'re|'ve|'m|'ll|'d)", "(?:'[sS\u017F]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])")
    .replaceAll("\\s", "\\p{White_Space}")
    .replaceAll("\\S", "\\P{White_Space}");
  if (rewritten.includes("(?i")) return null;
  try {
    return new RegExp(rewritten, "gu");
  } catch {
    return null;
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The largest rank: "no such merge". */
const NO_RANK = Number.MAX_SAFE_INTEGER;

/**
 * The ids of one piece of text (as bytes: a string of char codes 0–255) by byte-pair encoding
 * with `ranks`: tiktoken's own algorithm, merging the lowest-ranked adjacent pair (the leftmost
 * of equals) until no pair has a rank.
 */
function bytePairEncode(bytes: string, ranks: RankTable): number[] {
  if (bytes.length === 1) return [ranks.get(bytes)!];
  // starts[k]: where part k starts; pairRanks[k]: the rank of part k merged with part k + 1.
  const starts: number[] = [];
  const pairRanks: number[] = [];
  for (let i = 0; i < bytes.length - 1; i++) {
    starts.push(i);
    pairRanks.push(ranks.get(bytes, i, i + 2) ?? NO_RANK);
  }
  starts.push(bytes.length - 1, bytes.length);
  pairRanks.push(NO_RANK, NO_RANK);
  // The rank of parts k and k + 1 merged, before part k + 1 is removed (so k + 3 is where the merged pair ends).
  const rankAt = (k: number): number => (k + 3 < starts.length ? (ranks.get(bytes, starts[k]!, starts[k + 3]!) ?? NO_RANK) : NO_RANK);
  for (;;) {
    let min = NO_RANK;
    let at = -1;
    for (let k = 0; k < pairRanks.length - 1; k++) {
      if (pairRanks[k]! < min) {
        min = pairRanks[k]!;
        at = k;
      }
    }
    if (at < 0) break;
    if (at > 0) pairRanks[at - 1] = rankAt(at - 1);
    pairRanks[at] = rankAt(at);
    starts.splice(at + 1, 1);
    pairRanks.splice(at + 1, 1);
  }
  const ids: number[] = [];
  for (let k = 0; k < starts.length - 1; k++) ids.push(ranks.get(bytes, starts[k]!, starts[k + 1]!)!);
  return ids;
}

/** A string's UTF-8 bytes as a string of char codes 0–255 (the form of the rank table's keys); ASCII is its own form. */
function utf8Bytes(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, "utf8").toString("latin1") : text;
}

/**
 * Encodes runs of ordinary text (no tags) as tiktoken's `encode_ordinary` does, faster and
 * without its WebAssembly: see the fast path in this module's comment. BPE never merges across
 * the pieces the pattern cuts, so encoding each piece on its own gives the same ids as encoding
 * the run whole; a piece is looked up in the rank table (most are one token) or byte-pair
 * encoded. Pieces of several tokens are remembered in two generations of at most
 * {@link PIECES_PER_GENERATION} each: when the recent one is full it becomes the older one, so
 * memory stays bounded and frequent pieces stay. Runs outside the fast path go to tiktoken.
 */
class PieceEncoder {
  readonly #encoding: Encoding;
  readonly #pattern: RegExp | null;
  #recent = new Map<string, number | number[]>();
  #older = new Map<string, number | number[]>();

  constructor(encoding: Encoding) {
    this.#encoding = encoding;
    this.#pattern = javascriptPattern(encoding.patStr);
  }

  /** Appends the ids of `run` to `ids`; returns how many were appended. */
  encodeInto(run: string, ids: number[]): number {
    const pattern = this.#pattern;
    if (pattern === null || OUTSIDE_FAST_PATH.test(run)) {
      const encoded = this.#encoding.tiktoken.encode_ordinary(run);
      for (const id of encoded) ids.push(id);
      return encoded.length;
    }
    const ranks = this.#encoding.ranks;
    // In an ASCII run every piece is its own UTF-8, so it can be looked up as it is.
    const ascii = !NON_ASCII.test(run);
    const before = ids.length;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(run); match !== null; match = pattern.exec(run)) {
      const piece = match[0];
      const single = ascii || !NON_ASCII.test(piece) ? ranks.get(piece) : undefined;
      if (single !== undefined) {
        ids.push(single);
        continue;
      }
      const encoded = this.#piece(piece, ranks);
      if (typeof encoded === "number") ids.push(encoded);
      else for (const id of encoded) ids.push(id);
    }
    return ids.length - before;
  }

  /** The id (or ids) of a piece that is not, as it stands, an ordinary token's text. */
  #piece(piece: string, ranks: RankTable): number | number[] {
    let encoded = this.#recent.get(piece);
    if (encoded !== undefined) return encoded;
    encoded = this.#older.get(piece);
    if (encoded === undefined) {
      const bytes = utf8Bytes(piece);
      encoded = ranks.get(bytes) ?? bytePairEncode(bytes, ranks);
    }
    if (this.#recent.size >= PIECES_PER_GENERATION) {
      this.#older = this.#recent;
      this.#recent = new Map();
    }
    this.#recent.set(piece, encoded);
    return encoded;
  }
}

/**
 * One encoding's tables, each built on first use: tiktoken's WebAssembly encoder (tens of MB of
 * native memory; see `freeTokenizers`) for `encode`, `decode` and text outside the fast path,
 * and a rank table in shared memory (4 MB, which the threads that tokenise can share: see
 * rank-table.ts) for the fast path, so that a thread that only runs `encodeTagged` over such text
 * never builds the WebAssembly one, nor loads the package.
 */
class Encoding {
  readonly name: EncodingName;
  readonly otherSpecial: number[];
  /** The number of ordinary tokens (see `rankCount`). */
  readonly rankCount: number;
  readonly patStr: string;
  #tiktoken: Tiktoken | null = null;
  #ranks: RankTable | null = null;
  #pieces: PieceEncoder | null = null;

  constructor(name: EncodingName) {
    this.name = name;
    const file = readEncoderFile(name);
    this.otherSpecial = Object.values(file.special_tokens);
    const base = TAG_ID_BASE[name];
    if (Math.max(...this.otherSpecial) + 1 !== base) throw new Error(`The ${name} table changed: its last id is no longer ${base - 1}`);
    this.rankCount = rankCount(file);
    this.patStr = file.pat_str;
  }

  get tiktoken(): Tiktoken {
    if (this.#tiktoken === null) {
      const file = readEncoderFile(this.name);
      const tags: Record<string, number> = {};
      ALL_TAGS.forEach((tag, k) => (tags[tag] = TAG_ID_BASE[this.name] + k));
      // Loaded here rather than imported: loading the package compiles its WebAssembly, 18 MB of
      // a thread's memory that an export's page threads, on the fast path, never needed.
      const { Tiktoken } = require("tiktoken") as typeof import("tiktoken");
      this.#tiktoken = new Tiktoken(file.bpe_ranks, { ...file.special_tokens, ...tags }, file.pat_str);
    }
    return this.#tiktoken;
  }

  /** Token bytes (as char codes 0–255) to rank, for every ordinary token: built here, or shared by another thread (`shareRankTable`). */
  get ranks(): RankTable {
    return (this.#ranks ??= readRanks(readEncoderFile(this.name)));
  }

  /** Uses the rank table another thread built, unless this thread has one already. */
  adoptRanks(buffer: SharedArrayBuffer): void {
    const table = RankTable.of(buffer);
    if (table.count !== this.rankCount) throw new Error(`A rank table of ${table.count} tokens is not the ${this.name} table (${this.rankCount})`);
    this.#ranks ??= table;
  }

  get pieces(): PieceEncoder {
    return (this.#pieces ??= new PieceEncoder(this));
  }

  /** Frees the WebAssembly encoder, if it was built. */
  free(): void {
    this.#tiktoken?.free();
    this.#tiktoken = null;
  }
}

/** An encoding's table as the tiktoken package ships it, read afresh (not kept in the module cache). */
function readEncoderFile(encoding: EncodingName): EncoderFile {
  return JSON.parse(readFileSync(require.resolve(`tiktoken/encoders/${encoding}.json`), "utf8")) as EncoderFile;
}

const encodings = new Map<EncodingName, Encoding>();
const tokenizers = new Map<string, Tokenizer>();

function encodingFor(name: EncodingName): Encoding {
  let encoding = encodings.get(name);
  if (!encoding) {
    if (!ENCODINGS.includes(name)) throw new RangeError(`Unknown encoding ${name}; use one of ${ENCODINGS.join(", ")}`);
    encoding = new Encoding(name);
    encodings.set(name, encoding);
  }
  return encoding;
}

/** The tokenizer for an encoding and grammar options (cached; one encoder per encoding). */
export function getTokenizer(encoding: EncodingName = "o200k_base", options: GrammarOptions = {}): Tokenizer {
  const g = grammarFor(options);
  const key = `${encoding} ${g.options.unalignedQuotes}`;
  const cached = tokenizers.get(key);
  if (cached) return cached;
  const tables = encodingFor(encoding);
  const ids = tagTokenIds(encoding, options);
  const allowed = [...g.tags];
  const table = tagTable(g);
  const utf8 = new TextDecoder();
  const tokenizer: Tokenizer = {
    encoding,
    grammar: g,
    tagTokenIds: ids,
    otherSpecialTokenIds: tables.otherSpecial,
    vocabularySize: TAG_ID_BASE[encoding] + ALL_TAGS.length,
    // No disallowed specials: the encoding's own special strings are ordinary text here.
    encode: (text) => tables.tiktoken.encode(text, allowed, []),
    decode: (tokens) => utf8.decode(tables.tiktoken.decode(Uint32Array.from(tokens))),
    tokenBytes: (id) => (Number.isInteger(id) && id >= 0 && id < tables.rankCount ? tables.tiktoken.decode_single_token_bytes(id) : null),
    countTokens: (text) => encodeTagged(text).counts,
    encodeTagged: (text) => encodeTagged(text),
  };
  /** See `Tokenizer.encodeTagged`. */
  function encodeTagged(text: string): TaggedEncoding {
    const result = validate(text, { unalignedQuotes: g.options.unalignedQuotes, nearMissTags: false, quoteWithoutMarks: false });
    if (!result.valid) throw new InvalidTextError(result.errors);
    const tokenIds: number[] = [];
    const modes: Mode[] = [];
    const byMode: Partial<Record<Mode, number>> = {};
    for (const m of g.modes) byMode[m.name] = 0;
    let tags = 0;
    let mode = table.modes.indexOf(g.initial);
    let runStart = 0;
    // Each run between tags is encoded on its own, exactly as `encode` does around specials.
    const addRun = (end: number): void => {
      if (end <= runStart) return;
      const added = tables.pieces.encodeInto(text.slice(runStart, end), tokenIds);
      const name = table.modes[mode]!;
      for (let k = 0; k < added; k++) modes.push(name);
      byMode[name]! += added;
    };
    for (let i = text.indexOf("<"); i !== -1; ) {
      const tag = matchTag(table, text, i);
      if (tag < 0) {
        i = text.indexOf("<", i + 1);
        continue;
      }
      addRun(i);
      tags++;
      mode = table.next[mode * table.tags.length + tag]!;
      tokenIds.push(ids[table.tags[tag]!]!);
      modes.push(table.modes[mode]!);
      runStart = i + table.tagLength[tag]!;
      i = text.indexOf("<", runStart);
    }
    addRun(text.length);
    return { ids: tokenIds, modes, counts: { total: tokenIds.length, tags, byMode } };
  }
  tokenizers.set(key, tokenizer);
  return tokenizer;
}

/**
 * The shared memory holding an encoding's rank table (built on first use), for other threads
 * to `adoptRankTable`: one copy per process instead of one per thread that tokenises.
 */
export function shareRankTable(encoding: EncodingName): SharedArrayBuffer {
  return encodingFor(encoding).ranks.buffer;
}

/** Tokenises with the rank table another thread shared (`shareRankTable`) rather than building one. */
export function adoptRankTable(encoding: EncodingName, buffer: SharedArrayBuffer): void {
  encodingFor(encoding).adoptRanks(buffer);
}

/** Frees the WebAssembly encoders (for long-running processes that are done tokenising). */
export function freeTokenizers(): void {
  for (const encoding of encodings.values()) encoding.free();
  encodings.clear();
  tokenizers.clear();
}
