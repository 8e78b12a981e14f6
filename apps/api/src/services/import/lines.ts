/**
 * Reading an import file as batches of whole lines, with memory bounded whatever the file's
 * size or the length of its lines.
 *
 * The file is read in chunks and cut at line breaks ("\n"; a "\r" before it stays with the line
 * and is whitespace to JSON) into batches of at most {@link BatchLimits.lines} lines and about
 * {@link BatchLimits.bytes} bytes. A batch is one buffer holding its lines, each followed by
 * "\n", so that it can be handed to a worker thread without copying. A line longer than
 * {@link BatchLimits.maxLineBytes} is never held: its bytes are dropped as they arrive, an empty
 * line stands in its place, and the batch names it so that it is rejected. Bytes are not decoded
 * here; the workers decode them (and refuse what is not UTF-8).
 */
import { createReadStream } from "node:fs";

/** How batches are cut. */
export interface BatchLimits {
  /** Most lines in one batch. */
  lines: number;
  /** A batch is closed once it holds this many bytes (it may hold up to one line more). */
  bytes: number;
  /** A longer line is rejected without being held in memory. */
  maxLineBytes: number;
}

/** The limits an import uses: batches of 2,000 lines, lines of at most 4 MiB. */
export const BATCH_LIMITS: BatchLimits = Object.freeze({ lines: 2_000, bytes: 8 * 1024 * 1024, maxLineBytes: 4 * 1024 * 1024 });

/** A line dropped for its length. */
export interface OverLongLine {
  /** Its 1-based number in the file. */
  line: number;
  /** How many bytes it had (its "\n" not counted). */
  bytes: number;
}

/** Consecutive lines of the file. */
export interface RawBatch {
  /** The number of the batch's first line (1-based). */
  firstLine: number;
  /**
   * The batch's lines, each followed by "\n" (also the last line of a file without a final
   * break), in a buffer of its own that can be transferred to a worker thread.
   */
  bytes: Uint8Array;
  /** How many lines the batch holds. */
  lineCount: number;
  /** Lines dropped for their length; each stands in `bytes` as an empty line. */
  overLong: OverLongLine[];
  /** Bytes of the file read up to the end of this batch. */
  bytesRead: number;
}

const NEWLINE = Buffer.from("\n");

/**
 * The batches of a byte stream (a file's by default). Yields nothing for an empty file. Errors
 * of the stream (a missing or unreadable file) are thrown as they come.
 */
export async function* readBatches(input: string | AsyncIterable<Buffer>, limits: BatchLimits = BATCH_LIMITS): AsyncGenerator<RawBatch> {
  const stream = typeof input === "string" ? createReadStream(input, { highWaterMark: 1 << 20 }) : input;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let lineCount = 0;
  let firstLine = 1;
  let overLong: OverLongLine[] = [];
  let bytesRead = 0;
  // The line being read: its pieces so far, how long it is, and whether it is being dropped.
  let current: Buffer[] = [];
  let currentBytes = 0;
  let dropping = false;

  const endLine = (): void => {
    const number = firstLine + lineCount;
    if (dropping) {
      overLong.push({ line: number, bytes: currentBytes });
    } else {
      for (const piece of current) parts.push(piece);
      partBytes += currentBytes;
    }
    parts.push(NEWLINE);
    partBytes += 1;
    lineCount += 1;
    current = [];
    currentBytes = 0;
    dropping = false;
  };
  const take = (): RawBatch => {
    // A buffer of its own (not a slice of Node's shared pool), so that it can be transferred to a worker.
    const bytes = new Uint8Array(partBytes);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    const batch: RawBatch = { firstLine, bytes, lineCount, overLong, bytesRead };
    firstLine += lineCount;
    parts = [];
    partBytes = 0;
    lineCount = 0;
    overLong = [];
    return batch;
  };
  const addToLine = (piece: Buffer): void => {
    currentBytes += piece.length;
    if (dropping) return;
    if (currentBytes > limits.maxLineBytes) {
      dropping = true;
      current = [];
    } else if (piece.length > 0) {
      current.push(piece);
    }
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      addToLine(chunk.subarray(start, end));
      // Counted up to the end of this line, so that a batch's bytesRead is where it ends.
      bytesRead += end + 1 - start;
      endLine();
      start = end + 1;
      if (lineCount >= limits.lines || partBytes >= limits.bytes) yield take();
    }
    if (start < chunk.length) {
      addToLine(chunk.subarray(start));
      bytesRead += chunk.length - start;
    }
  }
  if (currentBytes > 0 || dropping) endLine();
  if (lineCount > 0) yield take();
}
