/**
 * One batch of an import file, read on a worker thread: its bytes decoded as UTF-8 (a line that
 * is not UTF-8 stops the import, naming the line), each non-blank line checked and prepared by
 * {@link parseImportLine}, and each rejected line written out as its line of the rejects file.
 * The examples go back packed in a buffer of their own ({@link PackedBatchOutcome}), which the
 * main thread hands on to the writer without reading it.
 *
 * A rejects-file line is the original line with `"error"` (the reason) and `"line"` (its number)
 * added at the end of the object, the rest kept byte for byte, so that a pipeline can fix the
 * line and import it again; a field of the original named `error` or `line` is shadowed by the
 * added one (JSON readers keep the last). A line that is not a JSON object is kept whole as the
 * string `"original"` beside them, and a line too long to hold in memory is named only.
 */
import { deserialize, serialize } from "node:v8";
import { parseImportLine, type ParseOptions, type PreparedExample, type Rejection } from "./parse.ts";
import type { OverLongLine } from "./lines.ts";

/** What a worker is given: the bytes of consecutive lines and how to read them. */
export interface BatchTask {
  /** The batch's lines, each followed by "\n" (see `RawBatch`). */
  bytes: Uint8Array;
  /** The number of its first line. */
  firstLine: number;
  /** Lines dropped for their length; each is an empty line in `bytes`. */
  overLong: OverLongLine[];
  /** The length past which a line was dropped (for the reason given). */
  maxLineBytes: number;
  /** The stage and grammar the lines are read for. */
  options: ParseOptions;
}

/** A rejected line with its line for the rejects file. */
export interface RejectedLine extends Rejection {
  /** The line of the rejects file (JSON, no line break). */
  reject: string;
}

/** What a batch comes to. */
export interface BatchOutcome {
  /** The lines to import, in file order. */
  examples: PreparedExample[];
  /** The lines refused, in file order. */
  rejections: RejectedLine[];
  /** How many non-blank lines the batch held (blank lines are ignored). */
  lines: number;
  /** The first line that is not UTF-8, or null; when set, nothing else is reported. */
  invalidUtf8Line: number | null;
}

/**
 * A batch as a worker thread hands it back: the examples serialised into a buffer of their own,
 * which travels to the writer without a copy (transferred) and without the thread in between
 * ever reading it (see importer.ts).
 */
export interface PackedBatchOutcome extends Omit<BatchOutcome, "examples"> {
  /** The examples, as {@link packExamples} writes them. */
  examples: Uint8Array;
}

/**
 * An example as the writer stores it: its metadata and its grader's flags as JSON text, and its
 * long text fields (`T`) as strings or, for the SQLite writer, as UTF-8 bytes. The writer binds
 * those bytes as they are (see `ColumnType` "utf8" in bulk.ts), so that its thread, which sets an
 * import's pace, neither builds a string of each nor encodes it again for SQLite.
 */
export interface StoredExample<T extends string | Uint8Array> {
  line: number;
  text: T;
  doc: T;
  excerpt: T;
  digest: string;
  source: string | null;
  sourceId: string | null;
  scenario: string | null;
  grader: { name: string; score: number | null; flags: string } | null;
  metadata: string | null;
}

/**
 * One example in the structured-clone part of a packed batch: an array of plain values, which
 * V8 reads back three times faster than an object with nested ones, ending with the UTF-8
 * lengths of its long text fields.
 */
type PackedFields = [
  line: number,
  digest: string,
  source: string | null,
  sourceId: string | null,
  scenario: string | null,
  graderName: string | null,
  graderScore: number | null,
  graderFlags: string | null,
  metadata: string | null,
  textBytes: number,
  docBytes: number,
  excerptBytes: number,
];

/** The bytes before the structured-clone part: its length. */
const HEADER_BYTES = 4;

/**
 * The examples of a batch in a buffer of their own, ready to be transferred: a 4-byte length,
 * the examples without their long text fields (structured-clone format, see {@link PackedFields}),
 * then those fields' UTF-8 bytes, example after example.
 */
export function packExamples(examples: readonly PreparedExample[]): Uint8Array {
  let textBytes = 0;
  const fields = examples.map((example): PackedFields => {
    const { grader } = example;
    const lengths = [Buffer.byteLength(example.text), Buffer.byteLength(example.doc), Buffer.byteLength(example.excerpt)] as const;
    textBytes += lengths[0] + lengths[1] + lengths[2];
    return [
      example.line,
      example.digest,
      example.source,
      example.sourceId,
      example.scenario,
      grader?.name ?? null,
      grader?.score ?? null,
      grader ? JSON.stringify(grader.flags) : null,
      example.metadata === null ? null : JSON.stringify(example.metadata),
      ...lengths,
    ];
  });
  const head = serialize(fields);
  const packed = Buffer.allocUnsafeSlow(HEADER_BYTES + head.length + textBytes);
  packed.writeUInt32LE(head.length, 0);
  head.copy(packed, HEADER_BYTES);
  let offset = HEADER_BYTES + head.length;
  for (const example of examples) {
    offset += packed.write(example.text, offset, "utf8");
    offset += packed.write(example.doc, offset, "utf8");
    offset += packed.write(example.excerpt, offset, "utf8");
  }
  return new Uint8Array(packed.buffer, 0, packed.length);
}

/**
 * The examples {@link packExamples} wrote, their long text fields as strings or, for `"bytes"`,
 * as views of `bytes` (valid UTF-8: the encoder replaced any lone surrogate with U+FFFD, as
 * SQLite's drivers do when they bind a string).
 */
export function unpackExamples(bytes: Uint8Array, fields: "strings"): StoredExample<string>[];
export function unpackExamples(bytes: Uint8Array, fields: "bytes"): StoredExample<Uint8Array>[];
export function unpackExamples(bytes: Uint8Array, fields: "strings" | "bytes"): StoredExample<string | Uint8Array>[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(0, true);
  const packed = deserialize(bytes.subarray(HEADER_BYTES, HEADER_BYTES + headLength)) as PackedFields[];
  // ignoreBOM: a text may start with U+FEFF, which a decoder would otherwise drop as a byte-order mark.
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let offset = bytes.byteOffset + HEADER_BYTES + headLength;
  const take = (length: number): string | Uint8Array => {
    const text = new Uint8Array(bytes.buffer, offset, length);
    offset += length;
    return fields === "bytes" ? text : decoder.decode(text);
  };
  return packed.map(([line, digest, source, sourceId, scenario, graderName, graderScore, graderFlags, metadata, textBytes, docBytes, excerptBytes]) => ({
    line,
    text: take(textBytes),
    doc: take(docBytes),
    excerpt: take(excerptBytes),
    digest,
    source,
    sourceId,
    scenario,
    grader: graderName === null ? null : { name: graderName, score: graderScore, flags: graderFlags! },
    metadata,
  }));
}

/** What the worker thread runs for each task: {@link parseBatch}, its examples packed. */
export function parsePackedBatch(task: BatchTask): PackedBatchOutcome {
  const outcome = parseBatch(task);
  return { ...outcome, examples: packExamples(outcome.examples) };
}

const LINE_BREAK = 10;

/** Decodes a batch, refusing bytes that are not UTF-8. */
function decode(bytes: Uint8Array): string | null {
  try {
    // ignoreBOM keeps a U+FEFF that starts a batch: only the file's very first one is a byte-order mark.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The number of the first line of `bytes` that is not UTF-8. */
function firstInvalidLine(bytes: Uint8Array, firstLine: number): number {
  let start = 0;
  for (let line = firstLine; start < bytes.length; line++) {
    const end = bytes.indexOf(LINE_BREAK, start);
    if (decode(bytes.subarray(start, end)) === null) return line;
    start = end + 1;
  }
  return firstLine;
}

/** The rejects-file line for `raw`, rejected at `line` for `reason`. */
export function rejectsLine(raw: string | null, line: number, reason: string): string {
  const added = `"error":${JSON.stringify(reason)},"line":${line}`;
  if (raw === null) return `{${added}}`;
  const trimmed = raw.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
    const body = trimmed.slice(0, -1).trimEnd();
    return Object.keys(parsed).length === 0 ? `{${added}}` : `${body},${added}}`;
  }
  return `{${added},"original":${JSON.stringify(raw)}}`;
}

/** Reads one batch. */
export function parseBatch(task: BatchTask): BatchOutcome {
  const text = decode(task.bytes);
  if (text === null) return { examples: [], rejections: [], lines: 0, invalidUtf8Line: firstInvalidLine(task.bytes, task.firstLine) };
  const overLong = new Map(task.overLong.map((dropped) => [dropped.line, dropped.bytes]));
  const outcome: BatchOutcome = { examples: [], rejections: [], lines: 0, invalidUtf8Line: null };
  let start = 0;
  for (let number = task.firstLine; start < text.length; number++) {
    const end = text.indexOf("\n", start);
    let raw = text.slice(start, end);
    start = end + 1;
    if (number === 1 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
    const dropped = overLong.get(number);
    if (dropped !== undefined) {
      outcome.lines += 1;
      const reason =
        `The line is ${dropped.toLocaleString("en")} bytes long, more than the ${task.maxLineBytes.toLocaleString("en")} bytes an import reads ` +
        `in one line, so it is not copied here. Split the example into several shorter ones.`;
      outcome.rejections.push({ line: number, reason, reject: rejectsLine(null, number, reason) });
      continue;
    }
    if (raw.trim() === "") continue;
    outcome.lines += 1;
    const parsed = parseImportLine(raw, number, task.options);
    if (parsed.ok) outcome.examples.push(parsed.example);
    else outcome.rejections.push({ ...parsed.rejection, reject: rejectsLine(raw, number, parsed.rejection.reason) });
  }
  return outcome;
}
