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
 */
import { createRequire } from "node:module";
import { Tiktoken } from "tiktoken";
import type { TagTokenIds } from "./automaton.ts";
import { ALL_TAGS, grammar as grammarFor, type Grammar, type GrammarOptions, type Mode } from "./grammar.ts";
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
  const parts = file.bpe_ranks.split(" ");
  if (parts[0] !== "!" || parts[1] !== "0" || parts.indexOf("!", 2) !== -1) throw new Error("Unexpected BPE table layout: ranks are not contiguous from 0");
  return parts.length - 2;
}

/** One WebAssembly encoder per encoding (they hold native memory; see `freeTokenizers`). */
const encoders = new Map<EncodingName, { tiktoken: Tiktoken; otherSpecial: number[]; ranks: number }>();
const tokenizers = new Map<string, Tokenizer>();

function encoderFor(encoding: EncodingName): { tiktoken: Tiktoken; otherSpecial: number[]; ranks: number } {
  let encoder = encoders.get(encoding);
  if (!encoder) {
    if (!ENCODINGS.includes(encoding)) throw new RangeError(`Unknown encoding ${encoding}; use one of ${ENCODINGS.join(", ")}`);
    const file = require(`tiktoken/encoders/${encoding}.json`) as EncoderFile;
    const otherSpecial = Object.values(file.special_tokens);
    const base = TAG_ID_BASE[encoding];
    if (Math.max(...otherSpecial) + 1 !== base) throw new Error(`The ${encoding} table changed: its last id is no longer ${base - 1}`);
    const tags: Record<string, number> = {};
    ALL_TAGS.forEach((tag, k) => (tags[tag] = base + k));
    encoder = {
      tiktoken: new Tiktoken(file.bpe_ranks, { ...file.special_tokens, ...tags }, file.pat_str),
      otherSpecial,
      ranks: rankCount(file),
    };
    encoders.set(encoding, encoder);
  }
  return encoder;
}

/** The tokenizer for an encoding and grammar options (cached; one encoder per encoding). */
export function getTokenizer(encoding: EncodingName = "o200k_base", options: GrammarOptions = {}): Tokenizer {
  const g = grammarFor(options);
  const key = `${encoding} ${g.options.unalignedQuotes}`;
  const cached = tokenizers.get(key);
  if (cached) return cached;
  const { tiktoken, otherSpecial, ranks } = encoderFor(encoding);
  const ids = tagTokenIds(encoding, options);
  const allowed = [...g.tags];
  const table = tagTable(g);
  const utf8 = new TextDecoder();
  const tokenizer: Tokenizer = {
    encoding,
    grammar: g,
    tagTokenIds: ids,
    otherSpecialTokenIds: otherSpecial,
    vocabularySize: TAG_ID_BASE[encoding] + ALL_TAGS.length,
    // No disallowed specials: the encoding's own special strings are ordinary text here.
    encode: (text) => tiktoken.encode(text, allowed, []),
    decode: (tokens) => utf8.decode(tiktoken.decode(Uint32Array.from(tokens))),
    tokenBytes: (id) => (Number.isInteger(id) && id >= 0 && id < ranks ? tiktoken.decode_single_token_bytes(id) : null),
    countTokens: (text) => {
      const result = validate(text, { unalignedQuotes: g.options.unalignedQuotes, nearMissTags: false, quoteWithoutMarks: false });
      if (!result.valid) throw new InvalidTextError(result.errors);
      const byMode: Partial<Record<Mode, number>> = {};
      for (const m of g.modes) byMode[m.name] = 0;
      let tags = 0;
      let mode = table.modes.indexOf(g.initial);
      let runStart = 0;
      // BPE never merges across a special token, so counting each run between tags on its own
      // gives exactly the counts of encoding the whole text.
      const addRun = (end: number): void => {
        if (end > runStart) byMode[table.modes[mode]!]! += tiktoken.encode_ordinary(text.slice(runStart, end)).length;
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
        runStart = i + table.tagLength[tag]!;
        i = text.indexOf("<", runStart);
      }
      addRun(text.length);
      const total = tags + Object.values(byMode).reduce((a, b) => a + b, 0);
      return { total, tags, byMode };
    },
  };
  tokenizers.set(key, tokenizer);
  return tokenizer;
}

/** Frees the WebAssembly encoders (for long-running processes that are done tokenising). */
export function freeTokenizers(): void {
  for (const { tiktoken } of encoders.values()) tiktoken.free();
  encoders.clear();
  tokenizers.clear();
}
