import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineWriter } from "./shards.ts";

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "studio-shards-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("LineWriter", () => {
  // Several MB: lines cross the writer's 1 MB blocks, one line is longer than a block, and some are not ASCII.
  const lines = Array.from({ length: 60_000 }, (_, i) => (i === 30_000 ? "x".repeat(1_500_000) : `line ${i} ${i % 7 === 0 ? "naïve “quoted” 😀" : "plain"}`));

  it.each([false, true])("writes every line given as a string, joined: %s, and hashes what it wrote", async (joined) => {
    const file = join(folder, `lines-${joined}.txt`);
    const writer = await LineWriter.open(file, { joined });
    for (const line of lines) await writer.write(line);
    const sha256 = await writer.close();
    const expected = joined ? lines.join("\n") : `${lines.join("\n")}\n`;
    const written = await readFile(file);
    expect(written.toString("utf8")).toBe(expected);
    expect(sha256).toBe(createHash("sha256").update(written).digest("hex"));
    expect(writer.bytes).toBe(written.length);
    expect(writer.lines).toBe(lines.length);
  });

  it("keeps lines given as strings and as bytes in order", async () => {
    const file = join(folder, "mixed.txt");
    const writer = await LineWriter.open(file);
    await writer.write("first");
    await writer.writeBytes(Buffer.from("second\nthird\n"), 2);
    await writer.write("fourth");
    await writer.close();
    expect(await readFile(file, "utf8")).toBe("first\nsecond\nthird\nfourth\n");
    expect(writer.lines).toBe(4);
  });
});
