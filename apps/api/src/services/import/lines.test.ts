/**
 * Cutting an import file into batches of lines, and reading a batch on a worker: line numbers,
 * chunk boundaries anywhere, over-long lines dropped unread, UTF-8 refused by line, and the
 * rejects file's lines.
 */
import { describe, expect, it } from "vitest";
import { parseBatch, rejectsLine } from "./batch.ts";
import { readBatches, type BatchLimits, type RawBatch } from "./lines.ts";

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield typeof part === "string" ? Buffer.from(part) : part;
}

async function collect(input: AsyncIterable<Buffer>, limits: BatchLimits): Promise<RawBatch[]> {
  const batches: RawBatch[] = [];
  for await (const batch of readBatches(input, limits)) batches.push(batch);
  return batches;
}

const text = (batch: RawBatch) => Buffer.from(batch.bytes).toString("utf8");

describe("readBatches", () => {
  it("cuts whole lines into batches, whatever the chunks, and counts lines and bytes", async () => {
    const limits = { lines: 2, bytes: 1000, maxLineBytes: 100 };
    const batches = await collect(chunks("one\ntw", "o\nthree\r\nfo", "ur"), limits);
    expect(batches.map((batch) => ({ firstLine: batch.firstLine, lines: batch.lineCount, text: text(batch), bytesRead: batch.bytesRead }))).toEqual([
      { firstLine: 1, lines: 2, text: "one\ntwo\n", bytesRead: 8 },
      { firstLine: 3, lines: 2, text: "three\r\nfour\n", bytesRead: 19 },
    ]);
  });

  it("closes a batch once it holds enough bytes", async () => {
    const batches = await collect(chunks("aaaa\nbbbb\ncccc\n"), { lines: 100, bytes: 8, maxLineBytes: 100 });
    expect(batches.map(text)).toEqual(["aaaa\nbbbb\n", "cccc\n"]);
  });

  it("drops a line longer than the limit as it arrives, keeping its place and length", async () => {
    const batches = await collect(chunks("short\n", "x".repeat(60), "x".repeat(60), "\nafter"), { lines: 10, bytes: 1000, maxLineBytes: 100 });
    expect(batches).toHaveLength(1);
    expect(text(batches[0]!)).toBe("short\n\nafter\n");
    expect(batches[0]!.overLong).toEqual([{ line: 2, bytes: 120 }]);
  });

  it("gives nothing for an empty file and keeps an empty last line", async () => {
    expect(await collect(chunks(), { lines: 10, bytes: 1000, maxLineBytes: 100 })).toEqual([]);
    expect((await collect(chunks("a\n\n"), { lines: 10, bytes: 1000, maxLineBytes: 100 })).map(text)).toEqual(["a\n\n"]);
  });
});

describe("parseBatch", () => {
  const options = { stage: "draft" as const };
  const task = (content: string | Uint8Array, overLong: { line: number; bytes: number }[] = []) => ({
    bytes: typeof content === "string" ? new TextEncoder().encode(content) : content,
    firstLine: 1,
    overLong,
    maxLineBytes: 100,
    options,
  });

  it("reads each non-blank line, numbering lines from the batch's first", () => {
    const outcome = parseBatch({ ...task('{"text":"a"}\n\n   \n{"text":"<AI>"}\n'), firstLine: 10 });
    expect(outcome.lines).toBe(2);
    expect(outcome.examples.map((example) => example.line)).toEqual([10]);
    expect(outcome.rejections.map((rejection) => rejection.line)).toEqual([13]);
  });

  it("names the first line that is not UTF-8", () => {
    const bytes = Buffer.concat([Buffer.from('{"text":"a"}\n{"text":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    expect(parseBatch(task(bytes)).invalidUtf8Line).toBe(2);
  });

  it("drops the file's byte-order mark, and only at its very start", () => {
    const outcome = parseBatch(task('\uFEFF{"text":"a"}\n'));
    expect(outcome.examples[0]!.text).toBe("a");
    expect(parseBatch({ ...task('\uFEFF{"text":"a"}\n'), firstLine: 2 }).rejections).toHaveLength(1);
  });

  it("rejects a line dropped for its length without its content", () => {
    const outcome = parseBatch(task('{"text":"a"}\n\n', [{ line: 2, bytes: 5_000_000 }]));
    expect(outcome.lines).toBe(2);
    expect(outcome.rejections).toEqual([
      {
        line: 2,
        reason: "The line is 5,000,000 bytes long, more than the 100 bytes an import reads in one line, so it is not copied here. Split the example into several shorter ones.",
        reject: `{"error":${JSON.stringify(outcome.rejections[0]!.reason)},"line":2}`,
      },
    ]);
  });
});

describe("rejectsLine", () => {
  it("adds error and line to a JSON object, keeping the rest byte for byte", () => {
    expect(rejectsLine('{"text": "x</AI>", "n": 1.50}\r', 4, "bad")).toBe('{"text": "x</AI>", "n": 1.50,"error":"bad","line":4}');
    expect(rejectsLine("{ }", 4, "bad")).toBe('{"error":"bad","line":4}');
    expect(JSON.parse(rejectsLine('{"text": 3}', 4, 'say "no"'))).toEqual({ text: 3, error: 'say "no"', line: 4 });
  });

  it("keeps any other line whole as the original", () => {
    expect(JSON.parse(rejectsLine("not json", 2, "bad"))).toEqual({ error: "bad", line: 2, original: "not json" });
    expect(JSON.parse(rejectsLine("[1]", 2, "bad"))).toEqual({ error: "bad", line: 2, original: "[1]" });
  });
});
