import { spawn } from "node:child_process";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const STUDIO = resolve(import.meta.dirname, "../../bin/studio.js");

/** Runs the real `studio` command line. */
function studio(args: string[], options: { input?: string | Buffer; nodeOptions?: string[] } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...(options.nodeOptions ?? []), STUDIO, ...args], { cwd: directory, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

function jsonLines(stdout: string): unknown[] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

let directory = "";
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "studio-validate-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("studio validate (plain text)", () => {
  it("a valid file: exit 0 and one JSON line", async () => {
    await writeFile(join(directory, "ok.txt"), 'Hi <AI>I said “<AI_quoting_human>hello</AI_quoting_human>”.</AI>\n');
    const { code, stdout } = await studio(["validate", "--json", "ok.txt"]);
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toEqual([{ index: 0, valid: true, warnings: [] }]);
  });

  it("an invalid file: exit 1, errors with code-point offset, line and column", async () => {
    await writeFile(join(directory, "bad.txt"), "😀 line one\n😀😀 <AI><AI_quoting_human>x</AI>");
    const { code, stdout } = await studio(["validate", "--json", "bad.txt"]);
    expect(code).toBe(1);
    expect(jsonLines(stdout)).toEqual([
      {
        index: 0,
        valid: false,
        errors: [
          {
            code: "illegal_transition",
            offset: 37,
            line: 2,
            column: 27,
            message: "Line 2, column 27: `</AI>` cannot close a quote of a human; close it with `</AI_quoting_human>` first.",
          },
        ],
        warnings: [],
      },
    ]);
  });

  it("reads standard input with - or no file", async () => {
    for (const args of [["validate", "--json", "-"], ["validate", "--json"]]) {
      const { code, stdout } = await studio(args, { input: "<AI>open" });
      expect(code).toBe(1);
      expect(jsonLines(stdout)).toMatchObject([{ index: 0, valid: false, errors: [{ code: "unclosed_span", offset: 8, line: 1, column: 9 }] }]);
    }
  });

  it("warnings keep the text valid", async () => {
    const { code, stdout } = await studio(["validate", "--json"], { input: "<ai> and <AI><AI_quoting_human>hi</AI_quoting_human></AI>" });
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toMatchObject([{ valid: true, warnings: [{ code: "near_miss_tag", offset: 0 }, { code: "quote_without_marks", offset: 13 }] }]);
  });

  it("project options: --no-quote-marks and --unaligned-quotes", async () => {
    const text = "<AI><AI_quoting_unaligned_AI>maximise</AI_quoting_unaligned_AI></AI>";
    const off = await studio(["validate", "--json"], { input: text });
    expect(jsonLines(off.stdout)).toMatchObject([{ valid: true, warnings: [{ code: "near_miss_tag" }, { code: "near_miss_tag" }] }]);
    const on = await studio(["validate", "--json", "--unaligned-quotes", "--no-quote-marks"], { input: text });
    expect(jsonLines(on.stdout)).toEqual([{ index: 0, valid: true, warnings: [] }]);
  });

  it("prints readable lines without --json", async () => {
    const { code, stdout } = await studio(["validate"], { input: "a\n</AI>" });
    expect(code).toBe(1);
    expect(stdout).toBe(
      "standard input: invalid\n" +
        "  error: Line 2, column 1: `</AI>` closes an AI span, but none is open here (the text here is human text). Remove it, or open an AI span with `<AI>` where it should start.\n" +
        "1 text checked: 0 valid, 1 invalid, 0 warnings.\n",
    );
  });

  it("a 200 MB single line streams through in little memory", async () => {
    const path = join(directory, "huge.txt");
    const file = await open(path, "w");
    const block = "word <AI>answer “<AI_quoting_human>quote</AI_quoting_human>” </AI> ".repeat(16_384);
    let units = 0;
    while (units < 200_000_000) {
      await file.write(block);
      units += block.length;
    }
    await file.write("😀</AI_quoting_human>");
    await file.close();
    // A 96 MB heap cannot hold a 200 MB string: this only passes if the file is streamed.
    const { code, stdout, stderr } = await studio(["validate", "--json", "huge.txt"], { nodeOptions: ["--max-old-space-size=96"] });
    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(jsonLines(stdout)).toMatchObject([{ index: 0, valid: false, errors: [{ code: "illegal_transition", offset: units + 1, line: 1, column: units + 2 }] }]);
  }, 120_000);
});

describe("studio validate (.jsonl)", () => {
  it("one result per record, in order; bad lines are reported with their line number and the rest checked", async () => {
    const lines = [
      JSON.stringify({ text: "<AI>fine</AI>", id: 1 }),
      "",
      "{not json",
      JSON.stringify({ txt: "no text" }),
      JSON.stringify({ text: 42 }),
      JSON.stringify({ text: "😀</AI>" }),
      JSON.stringify({ text: "<ai>" }) + "\r",
    ];
    await writeFile(join(directory, "records.jsonl"), "\uFEFF" + lines.join("\n") + "\n");
    const { code, stdout } = await studio(["validate", "--json", "records.jsonl"]);
    expect(code).toBe(1);
    const results = jsonLines(stdout) as { index: number; valid: boolean; errors?: { code: string; line: number }[] }[];
    expect(results.map((r) => [r.index, r.valid, r.errors?.[0]?.code ?? null, r.errors?.[0]?.line ?? null])).toEqual([
      [0, true, null, null],
      [1, false, "invalid_json", 3],
      [2, false, "missing_text", 4],
      [3, false, "missing_text", 5],
      [4, false, "illegal_transition", 1],
      [5, true, null, null],
    ]);
    expect(results[4]).toMatchObject({ errors: [{ offset: 1, column: 2 }] });
    expect(results[1]!.errors![0]).toMatchObject({ message: expect.stringContaining("Line 3 of the file: not valid JSON") });
    expect(results[5]).toMatchObject({ warnings: [{ code: "near_miss_tag" }] });
  });

  it("a line that is not UTF-8 is one bad record", async () => {
    await writeFile(join(directory, "mixed.jsonl"), Buffer.concat([Buffer.from('{"text":"a"}\n{"text":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"text":"b"}\n')]));
    const { code, stdout } = await studio(["validate", "--json", "mixed.jsonl"]);
    expect(code).toBe(1);
    expect(jsonLines(stdout)).toMatchObject([{ index: 0, valid: true }, { index: 1, valid: false, errors: [{ code: "invalid_utf8", line: 2 }] }, { index: 2, valid: true }]);
  });

  it("all valid: exit 0; --jsonl reads standard input as records", async () => {
    const { code, stdout } = await studio(["validate", "--json", "--jsonl"], { input: '{"text":"a"}\n{"text":"<AI></AI>"}' });
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toEqual([
      { index: 0, valid: true, warnings: [] },
      { index: 1, valid: true, warnings: [] },
    ]);
  });
});

describe("studio validate: usage and I/O errors exit 2", () => {
  it("a missing file", async () => {
    const { code, stdout, stderr } = await studio(["validate", "missing.txt"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe("studio validate: cannot read missing.txt: no such file.\n");
  });

  it("a directory", async () => {
    const { code, stderr } = await studio(["validate", "."]);
    expect(code).toBe(2);
    expect(stderr).toContain("it is a directory");
  });

  it("an unknown option", async () => {
    const { code, stderr } = await studio(["validate", "--strict"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option");
  });

  it("invalid UTF-8, with the offset of the bad byte", async () => {
    await writeFile(join(directory, "latin1.txt"), Buffer.from("caf\xe9 <AI></AI>", "latin1"));
    const { code, stderr } = await studio(["validate", "latin1.txt"]);
    expect(code).toBe(2);
    expect(stderr).toBe("studio validate: latin1.txt is not valid UTF-8 text (invalid byte at offset 3); save it as UTF-8.\n");
  });

  it("a binary file", async () => {
    await writeFile(join(directory, "image.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
    const { code, stderr } = await studio(["validate", "image.png"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/image.png (looks like a binary file|is not valid UTF-8)/);
  });

  it("a file that ends in the middle of a character", async () => {
    const { code, stderr } = await studio(["validate"], { input: Buffer.from([0x61, 0xf0, 0x9f]) });
    expect(code).toBe(2);
    expect(stderr).toContain("ends in the middle of a character");
  });
});
