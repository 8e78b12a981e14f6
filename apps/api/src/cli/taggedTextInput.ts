/**
 * Reading tagged text for `studio validate` and `studio convert`: from a file or standard input,
 * as UTF-8 that must really be UTF-8. Plain input is streamed in chunks (a 200 MB single line
 * never sits in memory whole); `.jsonl` input is read one line at a time.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";

/** The input could not be read as text: exit status 2. */
export class InputError extends Error {
  override name = "InputError";
}

/** Bytes read at a time. */
const CHUNK_BYTES = 1 << 20;

/** The stream of a FILE argument; `-` or none is standard input. */
export function openInput(file: string | undefined): Readable {
  if (file === undefined || file === "-") return process.stdin;
  return createReadStream(file, { highWaterMark: CHUNK_BYTES });
}

/** A name for messages. */
export function inputName(file: string | undefined): string {
  return file === undefined || file === "-" ? "standard input" : file;
}

/** Turns a read failure (missing file, directory, permissions) into a message a person understands. */
export function readFailure(error: unknown, name: string): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (error as Error).message;
  return new InputError(`cannot read ${name}: ${reason}.`);
}

/**
 * The offset in `bytes` of the first byte that is not valid UTF-8 (negative when it is among the
 * `pending` bytes, the unfinished sequence carried over from the previous chunk), or null.
 * Only used to explain a failure, so it favours clarity over speed.
 */
function firstInvalidByte(pending: Uint8Array, bytes: Uint8Array): number | null {
  const all = new Uint8Array(pending.length + bytes.length);
  all.set(pending);
  all.set(bytes, pending.length);
  for (let i = 0; i < all.length; ) {
    const lead = all[i]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return i - pending.length;
    for (let k = 1; k < length; k++) {
      if (i + k >= all.length) return null;
      const next = all[i + k]!;
      let low = 0x80;
      let high = 0xbf;
      // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
      if (k === 1 && lead === 0xe0) low = 0xa0;
      if (k === 1 && lead === 0xed) high = 0x9f;
      if (k === 1 && lead === 0xf0) low = 0x90;
      if (k === 1 && lead === 0xf4) high = 0x8f;
      if (next < low || next > high) return i - pending.length;
    }
    i += length;
  }
  return null;
}

/** The bytes at the end of `bytes` that start a UTF-8 sequence the chunk does not finish. */
function unfinishedTail(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if (byte >= 0x80 && byte <= 0xbf) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? bytes.subarray(bytes.length - back) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

/**
 * Decodes a stream of bytes as UTF-8 text, chunk by chunk, refusing invalid UTF-8 and NUL bytes
 * (a sign of a binary file) with an `InputError` that says where.
 */
export async function* textChunks(stream: Readable, name: string): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let offset = 0;
  let pending: Uint8Array = new Uint8Array(0);
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      const nul = bytes.indexOf(0);
      if (nul !== -1) throw new InputError(`${name} looks like a binary file (byte ${offset + nul} is NUL), not tagged text.`);
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: true });
      } catch {
        const at = firstInvalidByte(pending, bytes);
        throw new InputError(`${name} is not valid UTF-8 text (invalid byte at offset ${offset + (at ?? 0)}); save it as UTF-8.`);
      }
      pending = unfinishedTail(bytes);
      offset += bytes.length;
      if (text.length > 0) yield text;
    }
    try {
      const rest = decoder.decode();
      if (rest.length > 0) yield rest;
    } catch {
      throw new InputError(`${name} is not valid UTF-8 text (it ends in the middle of a character); save it as UTF-8.`);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw readFailure(error, name);
  }
}

/** The whole input as one text (for `convert`, which needs all of it anyway). */
export async function readText(stream: Readable, name: string): Promise<string> {
  const pieces: string[] = [];
  for await (const piece of textChunks(stream, name)) pieces.push(piece);
  return pieces.join("");
}

/** One line of a `.jsonl` input: its 1-based line number and its bytes (without the "\n"). */
export interface InputLine {
  number: number;
  bytes: Buffer;
}

/** The lines of a byte stream, one at a time, so that only one line is ever held in memory. */
export async function* lines(stream: Readable, name: string): AsyncGenerator<InputLine> {
  let number = 1;
  let parts: Buffer[] = [];
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      let start = 0;
      for (let end = bytes.indexOf(10); end !== -1; end = bytes.indexOf(10, start)) {
        parts.push(bytes.subarray(start, end));
        yield { number: number++, bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts) };
        parts = [];
        start = end + 1;
      }
      if (start < bytes.length) parts.push(bytes.subarray(start));
    }
  } catch (error) {
    throw readFailure(error, name);
  }
  if (parts.length > 0) yield { number, bytes: Buffer.concat(parts) };
}

/** Decodes one line as UTF-8 (dropping a byte-order mark), or returns null when it is not valid UTF-8. */
export function decodeLine(bytes: Buffer): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
