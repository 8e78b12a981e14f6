/**
 * Export snapshots against a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL):
 * every record read back by DuckDB from the JSONL and the Parquet shards is what was accepted,
 * exporting twice gives the same bytes, the manifest lists what changed since the previous
 * snapshot, and each refusal leaves nothing behind.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modeSpans, nextMode, validate, type Mode, type Tag } from "@prealign/core";
import { getTokenizer } from "@prealign/core/tokenizer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database.ts";
import { createTeam, type Team } from "../../test/workflow.ts";
import { recoverJobs, runJob, startJob } from "../jobs.ts";
import { exportSnapshot, ExportRefusedError, type ExportFormat, type ExportOptions, type ExportSummary, type ExportTokenizer } from "./exporter.ts";
import { pseudonym } from "./source.ts";
import { acceptedExample, readRows } from "./test-support.ts";
import { splitOf } from "./records.ts";

let database: TestDatabase;
let folder: string;
let team: Team;

/** The accepted examples of the main project, by text, as the tests expect to find them. */
const TEXTS = {
  plain: "Rude remark. <AI>That was unkind.</AI>",
  // Astral characters before every span and mark, a quote, CRLF, and a near miss that is text.
  astral: "😀😀 Hi 𝒳 <AI>🙂 ok “<AI_quoting_human>𝒳 no 🙃</AI_quoting_human>” <ai> fine</AI>\r\nbye 👋",
  empty: "",
  emptySpans: "<AI></AI>Tail <AI><AI_quoting_human></AI_quoting_human></AI>",
  // Long, with what a reader of lines could split or unescape wrongly: quotes, commas, a tab,
  // backslashes, the characters U+0001 and U+007F, and the text "\x01".
  long: `${'Sentence with "quoted" words, a tab\t, a backslash \\ and \\x01, \u0001 and \u007f, numbers 12345. '.repeat(40)}<AI>${"Commentary that explains it. ".repeat(30)}</AI>`,
};

let ids: Record<keyof typeof TEXTS, string>;
let duplicateId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  folder = await mkdtemp(join(tmpdir(), "studio-export-"));
  team = await createTeam(database.db);
  const db = database.db;
  ids = {
    plain: (await acceptedExample(db, team, { text: TEXTS.plain, mark: "commented" })).id,
    astral: (await acceptedExample(db, team, { text: TEXTS.astral, mark: "commented", adjudicated: true })).id,
    empty: (await acceptedExample(db, team, { text: TEXTS.empty })).id,
    emptySpans: (await acceptedExample(db, team, { text: TEXTS.emptySpans })).id,
    long: (await acceptedExample(db, team, { text: TEXTS.long })).id,
  };
  duplicateId = (await acceptedExample(db, team, { text: TEXTS.plain })).id;
  // Not accepted: never exported.
  const { exampleIn } = await import("../../test/workflow.ts");
  await exampleIn(db, team, { stage: "review", text: "Still in review." });
  await exampleIn(db, team, { stage: "rejected", text: "Rejected." });
});

afterAll(async () => {
  await database?.drop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

let counter = 0;

/** Exports the team's project as a job, the way the command line does; returns the summary or the error. */
async function exportProject(
  options: Partial<Omit<ExportOptions, "run" | "projectId">> & { projectId?: string; onProgress?: (done: number, total: number | null) => void } = {},
): Promise<{ ok: true; result: ExportSummary; outDir: string; jobId: string } | { ok: false; error: Error; outDir: string; jobId: string }> {
  counter++;
  const outDir = options.outDir ?? join(folder, `snapshot-${counter}`);
  const format: ExportFormat = options.format ?? "both";
  const tokenizer: ExportTokenizer = options.tokenizer ?? "o200k_base";
  const projectId = options.projectId ?? team.project.id;
  const run = await startJob(database.db, { projectId, kind: "export", params: { outDir, format, tokenizer }, createdById: null });
  if (options.onProgress) run.onProgress(options.onProgress);
  const outcome = await runJob(database.db, run, "export", () => exportSnapshot(database.db, { ...options, projectId, outDir, format, tokenizer, run }) as never);
  return { ...(outcome as { ok: true; result: ExportSummary } | { ok: false; error: Error }), outDir, jobId: run.id };
}

/** Files of a folder, recursively, relative to it, sorted. */
async function filesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

/** Code points of `text` from `start` to `end`. */
function slice(text: string, start: number, end: number): string {
  return [...text].slice(start, end).join("");
}

const TAG = /<\/?AI(?:_quoting_human)?>/g;

/** The mode in force at each code point of a text, computed independently of the core (a stack of open tags). */
function modeAt(text: string): Mode[] {
  const modes: Mode[] = [];
  const stack: Mode[] = ["human"];
  const points = [...text];
  for (let i = 0; i < points.length; ) {
    const rest = points.slice(i, i + 20).join("");
    const tag = /^<\/?AI(?:_quoting_human)?>/.exec(rest)?.[0];
    if (tag) {
      if (tag === "<AI>") stack.push("ai");
      else if (tag === "<AI_quoting_human>") stack.push("ai_quoting_human");
      else stack.pop();
      for (let k = 0; k < tag.length; k++) modes.push("tag" as Mode);
      i += tag.length;
    } else {
      modes.push(stack.at(-1)!);
      i++;
    }
  }
  return modes;
}

describe("an export of accepted examples", () => {
  let exported: { result: ExportSummary; outDir: string };
  const progress: number[] = [];
  const tokenizer = getTokenizer("o200k_base");

  beforeAll(async () => {
    // Pages of two ids, on worker threads: the paths a large export takes.
    const outcome = await exportProject({ shardRecords: 2, pageSize: 2, threads: 2, onProgress: (done) => progress.push(done) });
    if (!outcome.ok) throw outcome.error;
    exported = outcome;
  });

  it("writes the folder of SPEC §5 and records it as a snapshot", async () => {
    const { result, outDir } = exported;
    const files = await filesOf(outDir);
    expect(files).toContain("README.md");
    expect(files).toContain("manifest.json");
    expect(files).toContain("grammar.json");
    const shards = files.filter((file) => file.startsWith("data/"));
    expect(shards).toEqual(result.shards.map((shard) => shard.path));
    for (const shard of shards) expect(shard).toMatch(/^data\/(train|validation)-\d{5}-of-\d{5}\.(jsonl|parquet)$/);
    // 5 distinct texts in shards of 2: the -of-n count is each split's.
    const trainJsonl = shards.filter((s) => s.startsWith("data/train") && s.endsWith(".jsonl"));
    expect(trainJsonl.every((s) => s.endsWith(`-of-${String(trainJsonl.length).padStart(5, "0")}.jsonl`))).toBe(true);
    expect(result.records).toBe(5);
    expect(result.selected).toBe(6);
    expect(result.duplicates).toEqual({ count: 1, examples: [{ id: duplicateId, duplicateOf: ids.plain }] });
    const snapshot = await database.db.snapshot.findUniqueOrThrow({ where: { id: result.snapshotId }, select: { path: true, records: true, jobId: true } });
    expect(snapshot).toMatchObject({ path: outDir, records: 5 });
    const job = await database.db.job.findUniqueOrThrow({ where: { id: snapshot.jobId }, select: { status: true, done: true, total: true } });
    // 6 examples read and written as JSONL, then the 5 records (one duplicate left out) converted to Parquet.
    expect(job).toEqual({ status: "succeeded", done: 12, total: 12 });
    expect(progress.filter((done) => done > 6 && done < 12).length).toBeGreaterThan(0);
    expect((await readdir(folder)).filter((name) => name.includes(".tmp-"))).toEqual([]);
  });

  it("every record, read back by DuckDB from the JSONL and from the Parquet shards, is what was accepted", async () => {
    const { outDir, result } = exported;
    const expectedIds = Object.values(ids).sort();
    for (const format of ["jsonl", "parquet"] as const) {
      const rows: Record<string, unknown>[] = [];
      for (const shard of result.shards.filter((s) => s.format === format)) {
        const shardRows = await readRows(join(outDir, shard.path));
        expect(shardRows.length).toBe(shard.records);
        for (const row of shardRows) expect(row.split).toBe(shard.split);
        // Sorted by id within each shard.
        expect(shardRows.map((row) => row.id)).toEqual(shardRows.map((row) => row.id as string).sort());
        rows.push(...shardRows);
      }
      expect(rows.map((row) => row.id).sort()).toEqual(expectedIds);
      for (const row of rows) {
        const id = row.id as string;
        const name = (Object.keys(ids) as (keyof typeof TEXTS)[]).find((key) => ids[key] === id)!;
        const text = row.text as string;
        expect(Buffer.from(text, "utf8").equals(Buffer.from(TEXTS[name], "utf8"))).toBe(true);
        expect(validate(text).valid).toBe(true);
        expect(row.split).toBe(splitOf(id, 0.05));

        // Mode spans: the core's, each slicing the text in code points where that mode is in force.
        const spans = row.mode_spans as { mode: Mode; start: number; end: number }[];
        expect(spans).toEqual(modeSpans(text));
        const modes = modeAt(text);
        for (const span of spans) {
          expect(span.end).toBeGreaterThan(span.start);
          for (let k = span.start; k < span.end; k++) expect(modes[k]).toBe(span.mode);
        }
        expect(spans.map((span) => slice(text, span.start, span.end)).join("")).toBe(text.replace(TAG, ""));

        // Input ids decode to the text, each tag is one token, and token modes follow the automaton.
        const inputIds = row.input_ids as number[];
        expect(tokenizer.decode(inputIds)).toBe(text);
        const tagIds = new Map(Object.entries(tokenizer.tagTokenIds).map(([tag, tokenId]) => [tokenId, tag as Tag]));
        expect(inputIds.filter((tokenId) => tagIds.has(tokenId)).map((tokenId) => tagIds.get(tokenId))).toEqual(text.match(TAG) ?? []);
        expect(inputIds.some((tokenId) => tokenizer.otherSpecialTokenIds.includes(tokenId))).toBe(false);
        const tokenModes = row.token_modes as Mode[];
        expect(tokenModes.length).toBe(inputIds.length);
        let mode: Mode = "human";
        inputIds.forEach((tokenId, k) => {
          const tag = tagIds.get(tokenId);
          if (tag !== undefined) mode = nextMode(mode, tag)!;
          expect(tokenModes[k]).toBe(mode);
        });
        const counts = row.token_counts as Record<string, number>;
        expect(counts.human! + counts.ai! + counts.ai_quoting_human! + counts.tags!).toBe(inputIds.length);
        expect(counts.tags).toBe((text.match(TAG) ?? []).length);
      }

      // Marks: the marked text and the inside of the commenting AI span, sliced in code points.
      const plain = rows.find((row) => row.id === ids.plain)!;
      const plainMarks = plain.marks as { start: number; end: number; category: string; commentary: { start: number; end: number } }[];
      expect(plainMarks).toHaveLength(1);
      expect(slice(TEXTS.plain, plainMarks[0]!.start, plainMarks[0]!.end)).toBe("Rude remark. ");
      expect(slice(TEXTS.plain, plainMarks[0]!.commentary.start, plainMarks[0]!.commentary.end)).toBe("That was unkind.");
      const astral = rows.find((row) => row.id === ids.astral)!;
      const astralMarks = astral.marks as typeof plainMarks;
      expect(astralMarks).toEqual([{ start: 0, end: 8, category: "deceit", commentary: astralMarks[0]!.commentary }]);
      expect(slice(TEXTS.astral, astralMarks[0]!.start, astralMarks[0]!.end)).toBe("😀😀 Hi 𝒳 ");
      expect(slice(TEXTS.astral, astralMarks[0]!.commentary.start, astralMarks[0]!.commentary.end)).toBe(
        "🙂 ok “<AI_quoting_human>𝒳 no 🙃</AI_quoting_human>” <ai> fine",
      );
      expect(rows.find((row) => row.id === ids.long)!.marks).toEqual([]);

      // Lineage: pseudonyms only, the adjudication, the revision.
      const who = (session: { user: { id: string } }) => pseudonym(team.project.id, session.user.id);
      expect(astral.lineage).toMatchObject({
        authors: [who(team.writer)],
        commentators: [who(team.commentator)],
        reviewers: [who(team.reviewer), who(team.reviewer2)].sort(),
        adjudicator: who(team.adjudicator),
        adjudication: "accept",
        revision: 2,
        model_drafted: false,
        draft_model: null,
        source: null,
      });
      expect(plain.lineage).toMatchObject({ adjudicator: null, adjudication: null });
      // DuckDB reads ISO 8601 strings in JSONL as timestamps.
      const acceptedAt = (plain.lineage as { accepted_at: string | Date }).accepted_at;
      expect(new Date(acceptedAt).getTime()).toBeGreaterThan(Date.now() - 600_000);
      expect(JSON.stringify(rows)).not.toContain(team.writer.user.id);
    }
  });

  it("the JSONL and Parquet shards hold the same records, field for field", async () => {
    const { outDir, result } = exported;
    for (const jsonl of result.shards.filter((s) => s.format === "jsonl")) {
      const parquet = result.shards.find((s) => s.format === "parquet" && s.path === jsonl.path.replace(/\.jsonl$/, ".parquet"))!;
      const lines = (await readFile(join(outDir, jsonl.path), "utf8")).trimEnd().split("\n").map((line) => JSON.parse(line) as unknown);
      expect(await readRows(join(outDir, parquet.path))).toEqual(lines);
    }
  });

  it("writes a manifest with each shard's checksum, and grammar.json with each tag's token id", async () => {
    const { outDir, result } = exported;
    const manifest = JSON.parse(await readFile(join(outDir, "manifest.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ tokenizer: "o200k_base", grammar_version: 1, previous_snapshot: null, removed: [] });
    expect((manifest.added as string[]).slice().sort()).toEqual(Object.values(ids).sort());
    const { createHash } = await import("node:crypto");
    for (const shard of manifest.shards as { path: string; sha256: string; bytes: number; records: number }[]) {
      const bytes = await readFile(join(outDir, shard.path));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(shard.sha256);
      expect(bytes.length).toBe(shard.bytes);
    }
    expect(manifest.totals).toMatchObject({ records: 5, selected: 6, duplicates: 1, tokens: result.totals.tokens });
    const grammar = JSON.parse(await readFile(join(outDir, "grammar.json"), "utf8")) as Record<string, unknown>;
    expect(grammar).toMatchObject({
      modes: ["human", "ai", "ai_quoting_human"],
      initial: "human",
      final: "human",
      startTag: "<AI>",
      stop: "</AI>",
      tokenizer: "o200k_base",
      tagTokenIds: tokenizer.tagTokenIds,
    });
    const card = await readFile(join(outDir, "README.md"), "utf8");
    expect(card).toMatch(/^---\nconfigs:|^---\npretty_name/);
    expect(card).toContain("path: data/train-*.parquet");
    expect(card).toContain("- name: input_ids\n    list: int32");
  });
});

describe("determinism", () => {
  it("exporting the same snapshot twice gives byte-identical shards, card and grammar.json; the manifests differ only in creation time", async () => {
    const first = await exportProject({ shardRecords: 3 });
    const second = await exportProject({ shardRecords: 3 });
    if (!first.ok || !second.ok) throw new Error("both exports must succeed");
    const files = await filesOf(first.outDir);
    expect(await filesOf(second.outDir)).toEqual(files);
    for (const file of files.filter((f) => f !== "manifest.json")) {
      expect((await readFile(join(second.outDir, file))).equals(await readFile(join(first.outDir, file))), file).toBe(true);
    }
    const manifests = await Promise.all([first, second].map(async (e) => JSON.parse(await readFile(join(e.outDir, "manifest.json"), "utf8")) as Record<string, unknown>));
    expect(manifests[0]!.created_at).not.toBe(undefined);
    expect({ ...manifests[1], created_at: null }).toEqual({ ...manifests[0], created_at: null });
  });
});

describe("added and removed ids", () => {
  it("lists the ids added and removed since the project's previous snapshot", async () => {
    const local = await createTeam(database.db);
    const a = await acceptedExample(database.db, local, { text: "First. <AI>One.</AI>" });
    const b = await acceptedExample(database.db, local, { text: "Second. <AI>Two.</AI>" });
    const first = await exportProject({ projectId: local.project.id, format: "jsonl", tokenizer: "none" });
    if (!first.ok) throw first.error;
    expect(first.result).toMatchObject({ previousSnapshotId: null, added: 2, removed: 0 });

    await database.db.example.update({ where: { id: a.id }, data: { stage: "rejected" } });
    const c = await acceptedExample(database.db, local, { text: "Third. <AI>Three.</AI>" });
    const second = await exportProject({ projectId: local.project.id, format: "jsonl", tokenizer: "none" });
    if (!second.ok) throw second.error;
    expect(second.result).toMatchObject({ previousSnapshotId: first.result.snapshotId, added: 1, removed: 1 });
    const manifest = JSON.parse(await readFile(join(second.outDir, "manifest.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ added: [c.id], removed: [a.id], previous_snapshot: { id: first.result.snapshotId } });

    // The same examples again: compared with the same previous snapshot, so the same lists.
    const third = await exportProject({ projectId: local.project.id, format: "jsonl", tokenizer: "none" });
    if (!third.ok) throw third.error;
    expect(third.result).toMatchObject({ previousSnapshotId: first.result.snapshotId, added: 1, removed: 1, idsSha256: second.result.idsSha256 });
    expect(b.id).not.toBe(c.id);
  });

  it("without a tokenizer, records have no input ids and null token counts", async () => {
    const outcome = await exportProject({ format: "jsonl", tokenizer: "none" });
    if (!outcome.ok) throw outcome.error;
    const rows = await readRows(join(outcome.outDir, outcome.result.shards[0]!.path));
    expect(rows[0]).not.toHaveProperty("input_ids");
    expect(rows[0]!.token_counts).toBeNull();
    expect(outcome.result.totals.tokens).toBeNull();
    expect(JSON.parse(await readFile(join(outcome.outDir, "grammar.json"), "utf8"))).not.toHaveProperty("tagTokenIds");
  });

  it("Parquet alone leaves no JSONL behind; cl100k_base ids decode to the text", async () => {
    const outcome = await exportProject({ format: "parquet", tokenizer: "cl100k_base", threads: 0 });
    if (!outcome.ok) throw outcome.error;
    const files = await filesOf(outcome.outDir);
    expect(files.filter((file) => file.endsWith(".jsonl"))).toEqual([]);
    const cl100k = getTokenizer("cl100k_base");
    for (const shard of outcome.result.shards) {
      for (const row of await readRows(join(outcome.outDir, shard.path))) expect(cl100k.decode(row.input_ids as number[])).toBe(row.text);
    }
  });
});

describe("a record longer than DuckDB's default line limit", () => {
  it("goes to Parquet whole", async () => {
    const own = await createTeam(database.db);
    // A hieroglyph that o200k_base writes as four tokens: a record of some 2.6 MB, over the 2 MB
    // that DuckDB's line reader takes by default.
    await acceptedExample(database.db, own, { text: `${"\u{13000}".repeat(49_000)}<AI>Commentary.</AI>` });
    const outcome = await exportProject({ projectId: own.project.id, format: "both", tokenizer: "o200k_base" });
    if (!outcome.ok) throw outcome.error;
    const [jsonl, parquet] = ["jsonl", "parquet"].map((format) => outcome.result.shards.find((shard) => shard.format === format)!);
    const line = (await readFile(join(outcome.outDir, jsonl!.path), "utf8")).trimEnd();
    expect(Buffer.byteLength(line)).toBeGreaterThan(2 * 1024 * 1024);
    expect(await readRows(join(outcome.outDir, parquet!.path))).toEqual([JSON.parse(line)]);
  });
});

describe("filters", () => {
  let other: Team;
  const made: Record<string, string> = {};

  beforeAll(async () => {
    // A project of its own, so that moving creation dates leaves the other tests' examples alone.
    other = await createTeam(database.db);
    const db = database.db;
    const scenario = await db.scenario.create({ data: { projectId: other.project.id, key: "loan", prompt: "Ask for a loan.", categories: [], interactionTypes: [] }, select: { id: true } });
    const at = { early: "2020-01-15T12:00:00.000Z", lastMoment: "2020-01-31T23:59:59.999Z", next: "2020-02-01T00:00:00.000Z" } as const;
    for (const [name, createdAt] of Object.entries(at)) {
      const { id } = await acceptedExample(db, other, { text: `Text ${name}. <AI>Commentary.</AI>`, mark: name === "early" ? "commented" : "none" });
      await db.example.update({ where: { id }, data: { createdAt: new Date(createdAt), ...(name === "next" ? { scenarioId: scenario.id } : {}) } });
      made[name] = id;
    }
  });

  async function exported(filters: NonNullable<ExportOptions["filters"]>): Promise<{ ids: string[]; manifest: { filters: unknown } }> {
    const outcome = await exportProject({ projectId: other.project.id, format: "jsonl", tokenizer: "none", filters });
    if (!outcome.ok) throw outcome.error;
    const rows = (await Promise.all(outcome.result.shards.map(async (shard) => (await readFile(join(outcome.outDir, shard.path), "utf8")).trim().split("\n")))).flat();
    const manifest = JSON.parse(await readFile(join(outcome.outDir, "manifest.json"), "utf8")) as { filters: unknown };
    return { ids: rows.map((line) => (JSON.parse(line) as { id: string }).id).sort(), manifest };
  }

  it("takes one scenario's examples, and records the filters in the manifest", async () => {
    const { ids: taken, manifest } = await exported({ scenario: "loan" });
    expect(taken).toEqual([made.next]);
    expect(manifest.filters).toEqual({ scenario: "loan", category: null, created_from: null, created_to: null });
  });

  it("takes the examples with a mark of a category", async () => {
    expect((await exported({ category: "deceit" })).ids).toEqual([made.early]);
  });

  it("takes the examples created between two days, both whole days included", async () => {
    expect((await exported({ createdFrom: "2020-01-15", createdTo: "2020-01-31" })).ids).toEqual([made.early, made.lastMoment].sort());
    expect((await exported({ createdFrom: "2020-02-01" })).ids).toEqual([made.next]);
    expect((await exported({ createdTo: "2020-01-15" })).ids).toEqual([made.early]);
  });

  it("refuses filters that name nothing, and filters no example matches, leaving no folder", async () => {
    for (const [filters, message] of [
      [{ category: "rudeness" }, /Unknown bad-behaviour category "rudeness"/],
      [{ createdFrom: "2020-13-01" }, /must be a day written YYYY-MM-DD/],
      [{ createdFrom: "2020-02-02", createdTo: "2020-02-01" }, /is before the first/],
      [{ scenario: "nope" }, /has no scenario "nope"/],
    ] as const) {
      const outcome = await exportProject({ projectId: other.project.id, filters });
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.message).toMatch(message);
      expect(existsSync(outcome.outDir)).toBe(false);
    }
    const none = await exportProject({ projectId: other.project.id, filters: { category: "violence", createdFrom: "2020-01-01" } });
    expect(none.ok).toBe(false);
    if (!none.ok) {
      expect((none.error as ExportRefusedError).reason).toBe("empty");
      expect(none.error.message).toMatch(/No accepted example .* matches the filters \(category violence, created 2020-01-01 to now\)/);
    }
    expect(existsSync(none.outDir)).toBe(false);
    expect((await readdir(folder)).filter((name) => name.includes(".tmp-"))).toEqual([]);
  });
});

describe("refusals", () => {
  async function expectRefused(outcome: Awaited<ReturnType<typeof exportProject>>, reason: string, message: RegExp): Promise<void> {
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toBeInstanceOf(ExportRefusedError);
    expect((outcome.error as ExportRefusedError).reason).toBe(reason);
    expect(outcome.error.message).toMatch(message);
    const job = await database.db.job.findUniqueOrThrow({ where: { id: outcome.jobId }, select: { status: true, message: true } });
    expect(job.status).toBe("failed");
    expect(job.message).toMatch(message);
    expect(await database.db.snapshot.count({ where: { jobId: outcome.jobId } })).toBe(0);
  }

  it("an output folder that exists: untouched", async () => {
    const outDir = join(folder, "exists");
    await mkdir(outDir);
    await writeFile(join(outDir, "keep.txt"), "mine");
    await expectRefused(await exportProject({ outDir }), "out_exists", /already exists/);
    expect(await readFile(join(outDir, "keep.txt"), "utf8")).toBe("mine");
  });

  it("a parent folder that is missing, or is a file", async () => {
    await expectRefused(await exportProject({ outDir: join(folder, "missing", "out") }), "parent_missing", /does not exist/);
    await writeFile(join(folder, "a-file"), "");
    await expectRefused(await exportProject({ outDir: join(folder, "a-file", "out") }), "parent_not_writable", /is not a folder/);
  });

  it.skipIf(process.getuid?.() === 0)("a parent folder that is not writable", async () => {
    const parent = join(folder, "read-only");
    await mkdir(parent);
    await chmod(parent, 0o555);
    await expectRefused(await exportProject({ outDir: join(parent, "out") }), "parent_not_writable", /Cannot write in/);
    await chmod(parent, 0o755);
  });

  it("a project with no accepted examples", async () => {
    const empty = await createTeam(database.db);
    await expectRefused(await exportProject({ projectId: empty.project.id }), "empty", /no accepted examples/);
  });

  it("an invalid stored text fails the export naming the example, and leaves no folder", async () => {
    const broken = await createTeam(database.db);
    const example = await acceptedExample(database.db, broken, { text: "Fine. <AI>ok</AI>" });
    await database.db.revision.update({ where: { id: example.headId }, data: { text: "Broken <AI> text" } });
    const outcome = await exportProject({ projectId: broken.project.id });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message).toContain(example.id);
    expect((await readdir(folder)).filter((name) => name.startsWith(`snapshot-${counter}`))).toEqual([]);
  });
});

describe("recovery", () => {
  it("recoverJobs removes the temporary folder of an export whose process died, and an output folder never recorded as a snapshot", async () => {
    const outDir = join(folder, "died");
    const run = await startJob(database.db, { projectId: team.project.id, kind: "export", params: {}, createdById: null });
    const tempDir = `${outDir}.tmp-${run.id}`;
    await mkdir(join(tempDir, "data"), { recursive: true });
    await database.db.job.update({ where: { id: run.id }, data: { runner: "elsewhere:1", heartbeatAt: new Date(0), params: { outDir, tempDir } } });
    const renamedDir = join(folder, "renamed");
    const renamed = await startJob(database.db, { projectId: team.project.id, kind: "export", params: {}, createdById: null });
    await mkdir(renamedDir);
    await database.db.job.update({ where: { id: renamed.id }, data: { runner: "elsewhere:1", heartbeatAt: new Date(0), params: { outDir: renamedDir, renaming: true } } });

    expect(await recoverJobs(database.db)).toBeGreaterThanOrEqual(2);
    const names = await readdir(folder);
    expect(names).not.toContain(`died.tmp-${run.id}`);
    expect(names).not.toContain("renamed");
    const job = await database.db.job.findUniqueOrThrow({ where: { id: run.id }, select: { status: true, message: true } });
    expect(job.status).toBe("failed");
    expect(job.message).toMatch(/stopped before it finished/);
  });
});
