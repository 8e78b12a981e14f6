/**
 * Records as an export writes them, built from plain data (no database): splits, marks with
 * their commentary ranges in code points, token ids, refusals of invalid text, and the packing
 * that carries a page's records from a worker thread to the writer.
 */
import { textToDoc } from "@prealign/core";
import { ENCODINGS, getTokenizer } from "@prealign/core/tokenizer";
import { describe, expect, it } from "vitest";
import { EXPORT_TOKENIZERS } from "./formats.ts";
import { DigestSet } from "./digests.ts";
import { buildPage, buildRecord, RecordError, splitOf, type ExampleSource, type Lineage } from "./records.ts";

const lineage: Lineage = {
  authors: ["u_0000000000000001"],
  commentators: [],
  reviewers: [],
  adjudicator: null,
  adjudication: null,
  guideline_version: 3,
  revision: 2,
  created_at: "2025-01-01T00:00:00.000Z",
  accepted_at: null,
  model_drafted: true,
  draft_model: "judge-7b",
  source: "pipeline-7",
};

const none = { unalignedQuotes: false, tokenizer: null, validationShare: 0.05, category: null };

/** An example whose first text node carries a mark linked (or not) to the AI span `ai-1`. */
function marked(id: string, text: string, commentary: string | null): ExampleSource {
  const converted = textToDoc(text);
  if (!converted.ok) throw new Error("invalid");
  const json = converted.doc.toJSON() as { content: { content: Record<string, unknown>[] }[] };
  json.content[0]!.content[0]!.marks = [{ type: "bad_behaviour", attrs: { id: "m1", category: "manipulation", commentary } }];
  return { id, text, doc: JSON.stringify(json), lineage };
}

/** Code points of `text` from `start` to `end`. */
const slice = (text: string, start: number, end: number) => [...text].slice(start, end).join("");

describe("buildRecord", () => {
  it("writes the fields of SPEC §5 in order, with the lineage as given", () => {
    const record = buildRecord({ id: "ex1", text: "Hi <AI>there</AI>", doc: null, lineage }, none, null);
    const parsed = JSON.parse(record.line) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["id", "text", "split", "token_counts", "mode_spans", "marks", "lineage"]);
    expect(parsed).toMatchObject({ id: "ex1", text: "Hi <AI>there</AI>", token_counts: null, marks: [], lineage });
    expect(parsed.mode_spans).toEqual([
      { mode: "human", start: 0, end: 3 },
      { mode: "ai", start: 7, end: 12 },
    ]);
  });

  it("gives each mark the inside of its commenting AI span, in code points, after astral characters", () => {
    const text = "🙂🙂 You fool. <AI>𝒳 That insult hurts; <AI_quoting_human>fool</AI_quoting_human>.</AI> <AI>Second.</AI>";
    const record = JSON.parse(buildRecord(marked("ex2", text, "ai-1"), none, null).line) as { marks: { start: number; end: number; category: string; commentary: { start: number; end: number } }[] };
    expect(record.marks).toHaveLength(1);
    const [mark] = record.marks;
    expect(mark!.category).toBe("manipulation");
    expect(slice(text, mark!.start, mark!.end)).toBe("🙂🙂 You fool. ");
    expect(slice(text, mark!.commentary.start, mark!.commentary.end)).toBe("𝒳 That insult hurts; <AI_quoting_human>fool</AI_quoting_human>.");
  });

  it("writes null commentary for an uncommented mark", () => {
    const record = JSON.parse(buildRecord(marked("ex3", "Lies. <AI>Hm.</AI>", null), none, null).line) as { marks: { commentary: unknown }[] };
    expect(record.marks[0]!.commentary).toBeNull();
  });

  it("tokenises: ids that decode to the text, a mode after each token, and counts per mode", () => {
    const tokenizer = getTokenizer("o200k_base");
    const text = "Hi <AI>yes “<AI_quoting_human>no</AI_quoting_human>”</AI>";
    const record = buildRecord({ id: "ex4", text, doc: null, lineage }, { ...none, tokenizer: "o200k_base" }, tokenizer);
    const parsed = JSON.parse(record.line) as { input_ids: number[]; token_modes: string[]; token_counts: Record<string, number> };
    expect(Object.keys(parsed)).toEqual(["id", "text", "split", "token_counts", "mode_spans", "marks", "lineage", "input_ids", "token_modes"]);
    expect(record.line).toBe(JSON.stringify(parsed));
    expect(tokenizer.decode(parsed.input_ids)).toBe(text);
    expect(parsed.token_modes).toHaveLength(parsed.input_ids.length);
    expect(parsed.token_counts.tags).toBe(4);
    expect(record.tokens).toBe(parsed.input_ids.length);
  });

  it("refuses an invalid text, naming the example", () => {
    expect(() => buildRecord({ id: "broken-1", text: "<AI> open", doc: null, lineage }, none, null)).toThrow(RecordError);
    expect(() => buildRecord({ id: "broken-1", text: "<AI> open", doc: null, lineage }, none, null)).toThrow(/broken-1/);
  });
});

describe("splits", () => {
  it("are a stable function of the id and the share", () => {
    const ids = Array.from({ length: 2000 }, (_, k) => `c${k}`);
    const validation = ids.filter((id) => splitOf(id, 0.05) === "validation");
    expect(validation.length).toBeGreaterThan(60);
    expect(validation.length).toBeLessThan(140);
    expect(ids.filter((id) => splitOf(id, 0.05) === "validation")).toEqual(validation);
    // A larger share only moves ids from train to validation.
    expect(validation.every((id) => splitOf(id, 0.2) === "validation")).toBe(true);
    expect(ids.every((id) => splitOf(id, 0) === "train" && splitOf(id, 1) === "validation")).toBe(true);
  });
});

describe("buildPage", () => {
  it("packs each split's lines as UTF-8 with their ends, into the scratch block when it is large enough", () => {
    const sources = Array.from({ length: 40 }, (_, k): ExampleSource => ({ id: `id-${k}`, text: `Text ${k} é😀 <AI>ok</AI>`, doc: null, lineage }));
    const scratch = new Uint8Array(1 << 20);
    const page = buildPage(sources, { ...none, validationShare: 0.3 }, null, scratch);
    expect(page.buffer).toBe(scratch);
    expect(page.ids).toEqual(sources.map((s) => s.id));
    const lines = page.lines.flatMap((packed) => {
      const text = Buffer.from(packed.bytes).toString("utf8");
      expect(packed.ends.at(-1) ?? 0).toBe(packed.bytes.length);
      return text.split("\n").filter(Boolean);
    });
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id).sort()).toEqual(page.ids.slice().sort());
    expect(page.lines[1]!.ends.length).toBe([...page.splits].filter((s) => s === 1).length);
    expect(buildPage(sources, none, null, new Uint8Array(10)).buffer.length).toBeGreaterThanOrEqual(page.lines.reduce((n, l) => n + l.bytes.length, 0));
  });
});

describe("DigestSet", () => {
  it("finds each digest again with the ordinal it was first added with, as it grows", () => {
    const set = new DigestSet(4);
    for (let k = 0; k < 10_000; k++) expect(set.add(k * 7919, k ^ 0xdeadbeef, k)).toBe(-1);
    expect(set.size).toBe(10_000);
    for (let k = 0; k < 10_000; k += 97) expect(set.add(k * 7919, k ^ 0xdeadbeef, 99_999)).toBe(k);
    expect(set.add(1, 2, 5)).toBe(-1);
    expect(set.add(1, 3, 6)).toBe(-1);
    expect(set.add(1, 2, 7)).toBe(5);
  });

  it("sized for the digests expected, holds them all without growing", () => {
    const set = new DigestSet(100_000);
    const capacity = set.capacity;
    for (let k = 0; k < 100_000; k++) set.add(k * 7919, k ^ 0xdeadbeef, k);
    expect(set.size).toBe(100_000);
    expect(set.capacity).toBe(capacity);
    expect(capacity).toBeLessThan(100_000 * 1.5);
  });
});

it("the export's tokenizers are the core's encodings and none", () => {
  expect(EXPORT_TOKENIZERS).toEqual([...ENCODINGS, "none"]);
});
