/**
 * What an export can be asked for: the file formats of its shards and the tokenizer of its
 * `input_ids` (SPEC §5, §6).
 */
import type { EncodingName } from "@prealign/core/tokenizer";

/** The shard formats: JSON Lines, Parquet, or both side by side (the same records). */
export const EXPORT_FORMATS = ["jsonl", "parquet", "both"] as const;

/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A tokenizer: a BPE encoding, or none (no `input_ids`, `token_modes` or token counts). */
export type ExportTokenizer = EncodingName | "none";

/**
 * The tokenizers, the default first: the core's `ENCODINGS` and none. (Spelt out rather than
 * imported, so that the process that writes an export never loads the tokenizer's WebAssembly
 * when its worker threads do the tokenising; a test checks that the two lists agree.)
 */
export const EXPORT_TOKENIZERS: readonly ExportTokenizer[] = ["o200k_base", "cl100k_base", "none"];

/** The file extensions a format writes, in the order the dataset card prefers them. */
export function extensionsOf(format: ExportFormat): ("parquet" | "jsonl")[] {
  return format === "both" ? ["parquet", "jsonl"] : format === "parquet" ? ["parquet"] : ["jsonl"];
}
