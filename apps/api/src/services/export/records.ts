/**
 * One exported record (SPEC §5) built from one accepted example: its split, mode spans, marks
 * with their commentary ranges, lineage and, under a tokenizer, token ids and modes, serialised
 * as one JSONL line. Pure, with plain-data inputs and outputs, so that it runs on worker
 * threads (`record-builder.worker.mjs`) as well as inline.
 *
 * Every offset is in code points of the text, tags included, `start` inclusive and `end`
 * exclusive, as the core's `modeSpans` and `badBehaviourMarks` count them.
 */
import { hash } from "node:crypto";
import { badBehaviourMarks, codePointLength, createSchema, grammar as grammarFor, modeSpans, modeSpec, spanStructure, type Grammar } from "@prealign/core";
import type { EncodingName, Tokenizer } from "@prealign/core/tokenizer";
import type { Node } from "prosemirror-model";

/** The splits an export writes, in the order the dataset card lists them. */
export const SPLITS = ["train", "validation"] as const;

/** One split. */
export type Split = (typeof SPLITS)[number];

/** Who made an example and how it was accepted, as a record's `lineage` holds it (JSON keys as written). */
export interface Lineage {
  /** Pseudonymous ids (see `pseudonym` in `source.ts`), sorted. */
  authors: string[];
  commentators: string[];
  reviewers: string[];
  /** Who took the last adjudication decision, or null when the example was never adjudicated. */
  adjudicator: string | null;
  /** That decision: "accept" or "return"; null when never adjudicated. */
  adjudication: string | null;
  guideline_version: number | null;
  /** The accepted (head) revision's number. */
  revision: number;
  /** ISO 8601 in UTC. */
  created_at: string;
  /** When the example last entered the accepted stage (one imported as accepted: when its import finished); null when nothing records it. */
  accepted_at: string | null;
  model_drafted: boolean;
  /** The model that drafted commentary in the accepted revision (or one it is based on), when model_drafted and known. */
  draft_model: string | null;
  source: string | null;
}

/** One accepted example as the reader gives it: plain data, so that it can cross to a worker thread. */
export interface ExampleSource {
  id: string;
  /** The accepted (head) revision's tagged text. */
  text: string;
  /** That revision's editor document (JSON text) when it has bad-behaviour marks; null when it has none. */
  doc: string | null;
  lineage: Lineage;
}

/** How records are built; the same for every record of one export. */
export interface RecordOptions {
  /** The project's grammar option. */
  unalignedQuotes: boolean;
  /** The tokenizer, or null for none (no `input_ids` and `token_modes`; `token_counts` null). */
  tokenizer: EncodingName | null;
  /** The share of ids that go to the validation split, from 0 to 1. */
  validationShare: number;
  /** Only examples with a bad-behaviour mark of this category are exported (null: all; see `filters.ts`). */
  category: string | null;
}

/** A record ready to be written. */
export interface BuiltRecord {
  id: string;
  split: Split;
  /** The SHA-256 of the text: how duplicate texts are found (see `DigestSet`). */
  textDigest: Uint8Array;
  /** The record as one line of JSON, without its newline. */
  line: string;
  /** Its tokens (0 without a tokenizer). */
  tokens: number;
  /** The categories of its bad-behaviour marks. */
  categories: string[];
}

/** One split's records of a page, as bytes ready to be appended to its shard. */
export interface PackedLines {
  /** The records' JSON lines in order, each ending with a newline, in UTF-8. */
  bytes: Uint8Array;
  /** Where each line ends in `bytes`. */
  ends: Uint32Array;
  /** Each record's tokens. */
  tokens: Uint32Array;
}

/**
 * The records of one page, packed for the trip from a worker thread to the exporting thread:
 * typed arrays and one block of bytes per split are copied in one go, where a thousand objects
 * and strings would each be cloned, and then encoded and copied again for writing.
 */
export interface PackedPage {
  /** Examples read for the page, including those the category filter left out. */
  read: number;
  /** The records' ids, in id order. */
  ids: string[];
  /** Each record's split, as its index in `SPLITS`. */
  splits: Uint8Array;
  /** Each record's text digest as two 32-bit words: the first 64 bits of the SHA-256 of its text. */
  digests: Uint32Array;
  /** Per split, in `SPLITS` order, its records of the page. */
  lines: PackedLines[];
  /** The block the splits' bytes are in: handed back for the next page once they are written. */
  buffer: Uint8Array;
}

/** Blocks for pages' lines are taken in multiples of this. */
const BLOCK = 1 << 20;

/** A record that cannot be built; the message names the example. */
export class RecordError extends Error {
  override name = "RecordError";
}

/**
 * The split of an id: the first 32 bits of the SHA-256 of the id, as a fraction of 2³², below
 * `validationShare` go to validation. Stable: an id keeps its split in every snapshot taken
 * with the same share, and raising the share only moves ids from train to validation.
 */
export function splitOf(id: string, validationShare: number): Split {
  return hash("sha256", id, "buffer").readUInt32BE(0) / 2 ** 32 < validationShare ? "validation" : "train";
}

/** The inside of each AI span of a valid text, in the order its `<AI>` tags appear: code points between `<AI>` and `</AI>`. */
function aiSpanInsides(text: string, g: Grammar): { start: number; end: number }[] {
  const { spans } = spanStructure(g);
  const ai = spans.get("ai")!;
  const tagPattern = new RegExp(g.tags.map((tag) => tag.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"), "g");
  const insides: { start: number; end: number }[] = [];
  const open: number[] = [];
  let unit = 0;
  let offset = 0;
  for (const match of text.matchAll(tagPattern)) {
    offset += codePointLength(text, unit, match.index);
    const tag = match[0];
    if (tag === ai.open) {
      open.push(insides.length);
      insides.push({ start: offset + tag.length, end: -1 });
    } else if (tag === ai.close) {
      insides[open.pop()!]!.end = offset;
    }
    offset += tag.length;
    unit = match.index + tag.length;
  }
  return insides;
}

/** The ids of the document's AI spans in document order, which is the order of their `<AI>` tags in the text. */
function aiSpanIds(doc: Node, g: Grammar): string[] {
  const node = modeSpec(g, "ai").node;
  const ids: string[] = [];
  doc.descendants((child) => {
    if (child.type.name === node) ids.push(child.attrs.id as string);
    return true;
  });
  return ids;
}

/** A record's `marks`: each bad-behaviour range with the inside of the AI span that comments on it (null when uncommented). */
function marksOf(source: ExampleSource, g: Grammar): { start: number; end: number; category: string; commentary: { start: number; end: number } | null }[] {
  if (source.doc === null) return [];
  const doc = createSchema(g.options).nodeFromJSON(JSON.parse(source.doc));
  const ranges = badBehaviourMarks(doc);
  if (ranges.length === 0) return [];
  const insides = aiSpanInsides(source.text, g);
  const ids = aiSpanIds(doc, g);
  if (ids.length !== insides.length) {
    throw new RecordError(`Example ${source.id}: its editor document and its text disagree on the number of AI spans; save it again in the editor.`);
  }
  const insideOf = new Map(ids.map((id, k) => [id, insides[k]!]));
  return ranges.map((range) => ({
    start: range.start,
    end: range.end,
    category: range.category,
    commentary: range.commentary === null ? null : (insideOf.get(range.commentary) ?? null),
  }));
}

/**
 * Builds the record of one example, tokenised by `tokenizer` (the one `options` names, or null
 * for none; see {@link loadTokenizer}). Throws {@link RecordError} when its text is not valid.
 */
export function buildRecord(source: ExampleSource, options: RecordOptions, tokenizer: Tokenizer | null): BuiltRecord {
  const g = grammarFor({ unalignedQuotes: options.unalignedQuotes });
  let spans;
  try {
    spans = modeSpans(source.text, g.options);
  } catch (error) {
    throw new RecordError(`Example ${source.id}: its accepted text is not valid tagged text (${error instanceof Error ? error.message : String(error)}).`);
  }
  const split = splitOf(source.id, options.validationShare);
  const textDigest = hash("sha256", source.text, "buffer");
  const encoded = tokenizer === null ? null : tokenizer.encodeTagged(source.text);
  let tokenCounts: Record<string, number> | null = null;
  if (encoded !== null) {
    tokenCounts = {};
    for (const mode of g.modes) tokenCounts[mode.name] = encoded.counts.byMode[mode.name] ?? 0;
    tokenCounts.tags = encoded.counts.tags;
  }
  const marks = marksOf(source, g);
  // Key order is the order of `recordFields`.
  const record: Record<string, unknown> = {
    id: source.id,
    text: source.text,
    split,
    token_counts: tokenCounts,
    mode_spans: spans,
    marks,
    lineage: source.lineage,
  };
  let line = JSON.stringify(record);
  if (encoded !== null) {
    // The two longest arrays, spelt out directly: the same JSON as JSON.stringify gives, in a fraction of the time.
    line = `${line.slice(0, -1)},"input_ids":[${encoded.ids.join(",")}],"token_modes":[${modesJson(encoded.modes)}]}`;
  }
  return { id: source.id, split, textDigest, line, tokens: encoded?.counts.total ?? 0, categories: marks.map((mark) => mark.category) };
}

/** The JSON array items of a list of mode names: runs of one mode (the usual shape) as repeated strings. */
function modesJson(modes: readonly string[]): string {
  const parts: string[] = [];
  for (let start = 0; start < modes.length; ) {
    let end = start + 1;
    while (end < modes.length && modes[end] === modes[start]) end++;
    parts.push(`"${modes[start]!}",`.repeat(end - start));
    start = end;
  }
  return parts.join("").slice(0, -1);
}

/** The memory of a packed page, which a worker thread hands over rather than copies. */
export function transferListOf(page: PackedPage): ArrayBuffer[] {
  return [page.buffer.buffer, page.splits.buffer, page.digests.buffer, ...page.lines.flatMap((lines) => [lines.ends.buffer, lines.tokens.buffer])] as ArrayBuffer[];
}

/**
 * The tokenizer `options` name, or null for none. Loaded on first use: the tokenizer's
 * WebAssembly takes tens of MB, which only the threads that tokenise should hold.
 */
export async function loadTokenizer(options: RecordOptions): Promise<Tokenizer | null> {
  if (options.tokenizer === null) return null;
  const { getTokenizer } = await import("@prealign/core/tokenizer");
  return getTokenizer(options.tokenizer, { unalignedQuotes: options.unalignedQuotes });
}

/**
 * Builds the records of a page of examples and packs them (what a worker thread does with one
 * page), writing their lines into `scratch` when it is large enough: the exporting thread hands
 * the same few blocks back and forth, so that no new memory is taken for each page's lines.
 */
export function buildPage(sources: readonly ExampleSource[], options: RecordOptions, tokenizer: Tokenizer | null, scratch: Uint8Array | null): PackedPage {
  const { category } = options;
  // An example without a document has no marks, so no mark of the category.
  const wanted = category === null ? sources : sources.filter((source) => source.doc !== null);
  const records = wanted.map((source) => buildRecord(source, options, tokenizer)).filter((record) => category === null || record.categories.includes(category));
  const digests = new Uint32Array(records.length * 2);
  records.forEach((record, k) => {
    const view = new DataView(record.textDigest.buffer, record.textDigest.byteOffset, 8);
    digests[k * 2] = view.getUint32(0);
    digests[k * 2 + 1] = view.getUint32(4);
  });
  // Each split's records, by index; each line's UTF-8 length with its newline, measured once.
  const bySplit = SPLITS.map((split) => records.flatMap((record, k) => (record.split === split ? [k] : [])));
  const lengths = records.map((record) => Buffer.byteLength(record.line) + 1);
  const total = lengths.reduce((a, b) => a + b, 0);
  // Its own memory (never a slice of Node's shared pool), so that it can be handed to another thread.
  const buffer = scratch !== null && scratch.length >= total ? scratch : new Uint8Array(Math.ceil((total + 1) / BLOCK) * BLOCK);
  const writable = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.length);
  let offset = 0;
  const lines = bySplit.map((mine): PackedLines => {
    const start = offset;
    const ends = new Uint32Array(mine.length);
    mine.forEach((k, n) => {
      writable.write(records[k]!.line, offset);
      offset += lengths[k]!;
      writable[offset - 1] = 0x0a;
      ends[n] = offset - start;
    });
    return { bytes: buffer.subarray(start, offset), ends, tokens: Uint32Array.from(mine, (k) => records[k]!.tokens) };
  });
  return {
    read: sources.length,
    ids: records.map((record) => record.id),
    splits: Uint8Array.from(records, (record) => SPLITS.indexOf(record.split)),
    digests,
    lines,
    buffer,
  };
}
