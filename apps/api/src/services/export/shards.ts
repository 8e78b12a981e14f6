/**
 * Writing an export's line files: each split's records as JSONL shards of a fixed number of
 * records, and the lists of ids beside them, through a buffered {@link LineWriter} that hashes
 * what it writes. A shard's final name says how many shards its split has
 * (`train-00000-of-00002.jsonl`), which is known only at the end: shards are written under a
 * provisional name (`train-00000.jsonl`) and renamed by {@link finalShardName} once all are done.
 */
import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { PackedLines, Split } from "./records.ts";

/** Bytes buffered before a write: large writes, few system calls. */
const WRITE_BUFFER_BYTES = 1 << 20;

/** A finished shard file. */
export interface ShardFile {
  split: Split;
  /** Its number within the split, from 0. */
  index: number;
  /** Where it was written (its provisional name). */
  file: string;
  records: number;
  bytes: number;
  /** SHA-256 of its bytes, in hex. */
  sha256: string;
  /** Tokens of its records (0 without a tokenizer). */
  tokens: number;
  /** Bytes of its longest line, newline included. */
  longestLine: number;
}

/** `train-00000`: a shard's provisional name, without extension. */
export function provisionalShardName(split: Split, index: number): string {
  return `${split}-${String(index).padStart(5, "0")}`;
}

/** `train-00000-of-00002.jsonl`: a shard's final file name. */
export function finalShardName(split: Split, index: number, count: number, extension: string): string {
  return `${provisionalShardName(split, index)}-of-${String(count).padStart(5, "0")}.${extension}`;
}

/**
 * A file written line by line through a buffer, with the SHA-256 and size of what was written.
 * Lines are given as strings (each ending with a newline, or, `joined`, separated by one with
 * none after the last) or as blocks of bytes already holding whole lines.
 */
export class LineWriter {
  readonly #handle: FileHandle;
  readonly #joined: boolean;
  readonly #hash = createHash("sha256");
  /** Blocks ready to write. */
  #chunks: Uint8Array[] = [];
  /**
   * Lines given as strings, encoded into this block as they come (from `#textStart` to
   * `#textEnd` not yet in `#chunks`) rather than kept as strings until a write: a million ids
   * kept as strings outlived collections and promoted, which cost the exporting thread time.
   */
  #text: Buffer | null = null;
  #textStart = 0;
  #textEnd = 0;
  #buffered = 0;
  /** Lines written. */
  lines = 0;
  /** Bytes written (known once flushed, exact after `close`). */
  bytes = 0;

  private constructor(handle: FileHandle, joined: boolean) {
    this.#handle = handle;
    this.#joined = joined;
  }

  /** Creates `file`, which must not exist yet. */
  static async open(file: string, options: { joined?: boolean } = {}): Promise<LineWriter> {
    return new LineWriter(await open(file, "wx"), options.joined ?? false);
  }

  /** Appends a line (which must hold no newline). */
  write(line: string): Promise<void> | undefined {
    const text = this.#joined ? (this.lines > 0 ? `\n${line}` : line) : `${line}\n`;
    const length = Buffer.byteLength(text);
    if (this.#text === null || this.#textEnd + length > this.#text.length) {
      // The full block stays in `#chunks` until written; lines go on in a new one.
      this.#blockText();
      this.#text = Buffer.allocUnsafeSlow(Math.max(WRITE_BUFFER_BYTES, length));
      this.#textStart = this.#textEnd = 0;
    }
    this.#textEnd += this.#text.write(text, this.#textEnd);
    this.#buffered += length;
    this.lines++;
    return this.#buffered >= WRITE_BUFFER_BYTES ? this.flush() : undefined;
  }

  /** Appends `lines` whole lines given as UTF-8 bytes, each ending with a newline (not in `joined` files). */
  writeBytes(bytes: Uint8Array, lines: number): Promise<void> | undefined {
    this.#blockText();
    this.#chunks.push(bytes);
    this.#buffered += bytes.length;
    this.lines += lines;
    return this.#buffered >= WRITE_BUFFER_BYTES ? this.flush() : undefined;
  }

  /** Moves the lines encoded since the last block into `#chunks`. */
  #blockText(): void {
    if (this.#text === null || this.#textEnd === this.#textStart) return;
    this.#chunks.push(this.#text.subarray(this.#textStart, this.#textEnd));
    this.#textStart = this.#textEnd;
  }

  /** Writes out what is buffered, so that blocks given to `writeBytes` may be reused. */
  async flush(): Promise<void> {
    this.#blockText();
    if (this.#chunks.length === 0) return;
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#buffered = 0;
    for (const chunk of chunks) {
      this.#hash.update(chunk);
      this.bytes += chunk.length;
    }
    // Several blocks in one call, without copying them together. A write may take fewer bytes
    // than given (a nearly full disk); write the rest.
    let pending = chunks;
    while (pending.length > 0) {
      let written = (await this.#handle.writev(pending)).bytesWritten;
      while (pending.length > 0 && written >= pending[0]!.length) written -= pending.shift()!.length;
      if (pending.length > 0 && written > 0) pending[0] = pending[0]!.subarray(written);
    }
  }

  /** Writes what is buffered and closes the file; returns the SHA-256 of its content, in hex. */
  async close(): Promise<string> {
    await this.flush();
    await this.#handle.close();
    return this.#hash.digest("hex");
  }

  /** Closes the file without writing what is buffered (after a failure). */
  async abandon(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
  }
}

/** The shard being written. */
interface OpenShard {
  index: number;
  file: string;
  writer: LineWriter;
  tokens: number;
  longestLine: number;
}

/** Writes one split's records into JSONL shards of `shardRecords` records in `dir`. */
export class JsonlShardWriter {
  readonly #dir: string;
  readonly #split: Split;
  readonly #shardRecords: number;
  readonly #finished: ShardFile[] = [];
  #current: OpenShard | null = null;

  constructor(dir: string, split: Split, shardRecords: number) {
    this.#dir = dir;
    this.#split = split;
    this.#shardRecords = shardRecords;
  }

  /** Appends records `from` (inclusive) to `to` (exclusive) of a page's packed lines of this split, starting new shards as they fill. */
  async append(lines: PackedLines, from: number, to: number): Promise<void> {
    while (from < to) {
      const shard = this.#current ?? (await this.#open());
      const count = Math.min(to - from, this.#shardRecords - shard.writer.lines);
      const start = from === 0 ? 0 : lines.ends[from - 1]!;
      for (let k = from; k < from + count; k++) {
        shard.tokens += lines.tokens[k]!;
        shard.longestLine = Math.max(shard.longestLine, lines.ends[k]! - (k === 0 ? 0 : lines.ends[k - 1]!));
      }
      await shard.writer.writeBytes(lines.bytes.subarray(start, lines.ends[from + count - 1]!), count);
      from += count;
      if (shard.writer.lines >= this.#shardRecords) await this.#close();
    }
  }

  /** Writes out what is buffered (see `LineWriter.flush`). */
  async flush(): Promise<void> {
    await this.#current?.writer.flush();
  }

  /** Closes the last shard; returns every shard of the split, in order. */
  async finish(): Promise<ShardFile[]> {
    if (this.#current !== null) await this.#close();
    return this.#finished;
  }

  /** Closes the open file, if any, without finishing it (after a failure). */
  async abandon(): Promise<void> {
    await this.#current?.writer.abandon();
    this.#current = null;
  }

  async #open(): Promise<OpenShard> {
    const index = this.#finished.length;
    const file = join(this.#dir, `${provisionalShardName(this.#split, index)}.jsonl`);
    this.#current = { index, file, writer: await LineWriter.open(file), tokens: 0, longestLine: 0 };
    return this.#current;
  }

  async #close(): Promise<void> {
    const shard = this.#current!;
    const sha256 = await shard.writer.close();
    this.#current = null;
    const done: ShardFile = {
      split: this.#split,
      index: shard.index,
      file: shard.file,
      records: shard.writer.lines,
      bytes: shard.writer.bytes,
      sha256,
      tokens: shard.tokens,
      longestLine: shard.longestLine,
    };
    this.#finished.push(done);
  }
}
