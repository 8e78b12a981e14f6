/**
 * Converting JSONL shards to Parquet (parquet.ts) with lines of very different lengths: every
 * record arrives, in order, wherever a long line falls among the read buffers.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertToParquet } from "./parquet.ts";
import { readRows } from "./test-support.ts";

const RECORD_TYPE = `STRUCT("id" VARCHAR, "text" VARCHAR)`;

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "studio-parquet-"));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Writes the records as a JSONL shard, converts it, and returns what the Parquet file holds. */
async function roundTrip(name: string, records: { id: string; text: string }[]): Promise<Record<string, unknown>[]> {
  const lines = records.map((record) => `${JSON.stringify(record)}\n`);
  const file = join(folder, `${name}.jsonl`);
  await writeFile(file, lines.join(""));
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
  const longestLine = Math.max(...lines.map((line) => Buffer.byteLength(line)));
  const parquet = join(folder, `${name}.parquet`);
  await convertToParquet(folder, { file, records: records.length, bytes, longestLine }, parquet, RECORD_TYPE);
  return readRows(parquet);
}

/** `count` records of about 5 KB, with one of `longBytes` after the first `at` of them. */
function shard(count: number, longBytes: number, at: number): { id: string; text: string }[] {
  const records = Array.from({ length: count }, (_, i) => ({ id: `short-${String(i).padStart(4, "0")}`, text: `${i} ${"s".repeat(5_000)}` }));
  records.splice(at, 0, { id: "long", text: "L".repeat(longBytes) });
  return records;
}

describe("convertToParquet", () => {
  // Lines of a quarter to half of the 1 MiB read buffer, placed where they cross from one buffer
  // into the next: with room for only two such lines a buffer, DuckDB failed or lost a line.
  for (const longBytes of [300_000, 400_000, 450_000]) {
    it(`keeps every record when a line of ${longBytes / 1000} KB crosses a read buffer's end`, async () => {
      for (const at of [150, 180, 200, 210]) {
        const records = shard(260, longBytes, at);
        expect(await roundTrip(`long-${longBytes}-${at}`, records)).toEqual(records);
      }
    });
  }

  it("keeps every record of a shard of long lines", async () => {
    const records = Array.from({ length: 4 }, (_, i) => ({ id: `long-${i}`, text: String(i).repeat(300_000) }));
    expect(await roundTrip("four-long", records)).toEqual(records);
  });
});
