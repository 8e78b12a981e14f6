import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const STUDIO = resolve(import.meta.dirname, "../../bin/studio.js");

/** Runs the real `studio` command line; stdout is kept as bytes to compare exactly. */
function studio(args: string[], input: string | Buffer = ""): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [STUDIO, ...args], { cwd: directory, stdio: "pipe" });
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => stdout.push(d));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? -1, stdout: Buffer.concat(stdout), stderr }));
    child.stdin.end(input);
  });
}

let directory = "";
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "studio-convert-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("studio convert", () => {
  it("--to pm prints the editor document JSON", async () => {
    const { code, stdout } = await studio(["convert", "--to", "pm"], "a<AI>b</AI>");
    expect(code).toBe(0);
    expect(JSON.parse(stdout.toString())).toEqual({
      type: "doc",
      content: [{ type: "paragraph", attrs: { lineBreak: "\n" }, content: [{ type: "text", text: "a" }, { type: "ai", attrs: { id: "ai-1" }, content: [{ type: "text", text: "b" }] }] }],
    });
  });

  it("text → pm → text gives back the same bytes, through files and pipes", async () => {
    const text = '\uFEFFTitle\r\n\r\nShe asked: <AI>I answered “<AI_quoting_human>why\r\nnot</AI_quoting_human>”\r</AI> 😀\n\n';
    await writeFile(join(directory, "in.txt"), text);
    const pm = await studio(["convert", "--to", "pm", "in.txt"]);
    expect(pm.code).toBe(0);
    await writeFile(join(directory, "doc.json"), pm.stdout);
    const back = await studio(["convert", "--to", "text", "doc.json"]);
    expect(back.code).toBe(0);
    expect(back.stdout.equals(await readFile(join(directory, "in.txt")))).toBe(true);
    const piped = await studio(["convert", "--to", "text", "-"], pm.stdout);
    expect(piped.stdout.toString()).toBe(text);
  });

  it("the empty text is one empty paragraph, and back", async () => {
    const pm = await studio(["convert", "--to", "pm"], "");
    expect(JSON.parse(pm.stdout.toString())).toEqual({ type: "doc", content: [{ type: "paragraph", attrs: { lineBreak: "\n" } }] });
    expect((await studio(["convert", "--to", "text"], pm.stdout)).stdout.length).toBe(0);
  });

  it("refuses an invalid text with the validator's errors (exit 1)", async () => {
    const { code, stdout, stderr } = await studio(["convert", "--to", "pm"], "<AI>never closed");
    expect(code).toBe(1);
    expect(stdout.length).toBe(0);
    expect(stderr).toBe("studio convert: standard input is not valid tagged text:\n  Line 1, column 17: the text ends inside the AI span opened at line 1, column 1; close it with `</AI>`.\n");
  });

  it.each([
    ["illegal nesting", { type: "doc", content: [{ type: "paragraph", content: [{ type: "ai", attrs: { id: "a" }, content: [{ type: "ai", attrs: { id: "b" } }] }] }] }, "Invalid content for node ai"],
    ["a quote in human text", { type: "doc", content: [{ type: "paragraph", content: [{ type: "quote_human" }] }] }, "Invalid content for node paragraph"],
    ["a bad line break", { type: "doc", content: [{ type: "paragraph", attrs: { lineBreak: "x" } }] }, "line break"],
    ["duplicate AI span ids", { type: "doc", content: [{ type: "paragraph", content: [{ type: "ai", attrs: { id: "a" } }, { type: "ai", attrs: { id: "a" } }] }] }, "Two AI spans"],
    ["an unknown node", { type: "doc", content: [{ type: "heading" }] }, "heading"],
  ])("--to text refuses a document with %s (exit 1)", async (_what, doc, reason) => {
    const { code, stdout, stderr } = await studio(["convert", "--to", "text"], JSON.stringify(doc));
    expect(code).toBe(1);
    expect(stdout.length).toBe(0);
    expect(stderr).toContain("standard input is not a valid editor document");
    expect(stderr).toContain(reason);
  });

  it("--to text refuses a text holding a tag string, as the server does (exit 1)", async () => {
    const doc = { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "typed <AI>by hand" }] }] };
    const { code, stdout, stderr } = await studio(["convert", "--to", "text"], JSON.stringify(doc));
    expect(code).toBe(1);
    expect(stdout.length).toBe(0);
    expect(stderr).toBe(
      "studio convert: standard input is not a valid editor document: The text at position 7 contains the tag string <AI>, " +
        "which would read as a tag in the tagged text. Make spans with the editor's span commands (or write tagged text and convert it) " +
        "instead of typing tags into the text.\n",
    );
  });

  it("--to text refuses input that is not JSON (exit 1)", async () => {
    const { code, stderr } = await studio(["convert", "--to", "text"], "<AI>this is text</AI>");
    expect(code).toBe(1);
    expect(stderr).toContain("is not JSON");
  });

  it("usage and I/O errors exit 2", async () => {
    expect((await studio(["convert", "x.txt"])).code).toBe(2);
    expect((await studio(["convert", "--to", "html"])).code).toBe(2);
    const missing = await studio(["convert", "--to", "pm", "missing.txt"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("studio convert: cannot read missing.txt: no such file.\n");
    const binary = await studio(["convert", "--to", "pm"], Buffer.from([0x00, 0xff]));
    expect(binary.code).toBe(2);
  });
});
