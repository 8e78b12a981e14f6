/**
 * `importFile` against a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), run
 * as a job the way the command line and the web app run it: what a good line becomes, what a
 * bad line leaves in the rejects file, re-imports and repeated source ids skipped, the review
 * and accepted stages, grader reports, scenarios and metadata kept, and failures that leave
 * nothing behind.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { badBehaviourMarks, docToText, documentFromJSON, IMPORTING_STAGE } from "@prealign/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database.ts";
import { exportSnapshot } from "../export/exporter.ts";
import { providerOf } from "../../db/drivers.ts";
import { JobCancelledError, recoverJobs, runJob, startJob, type JobState } from "../jobs.ts";
import { createProject } from "../projects.ts";
import { importFile, ImportFileError, IMPORTER_EMAIL, importerUserId, type ImportReport, type ImportStage } from "./importer.ts";
import { FINISH_CHUNK } from "./bulk.ts";
import { openBulkWriter } from "./writer.ts";

let database: TestDatabase;
let folder: string;

beforeAll(async () => {
  database = await createTestDatabase();
  folder = await mkdtemp(join(tmpdir(), "studio-import-"));
});

afterAll(async () => {
  await database?.drop();
  await rm(folder, { recursive: true, force: true });
});

let projects = 0;
async function newProject(): Promise<string> {
  const project = await createProject(database.db, { slug: `import-${++projects}`, name: "Import", actorId: null });
  return project.id;
}

async function writeLines(name: string, lines: (string | object)[]): Promise<string> {
  const file = join(folder, name);
  await writeFile(file, lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n") + "\n");
  return file;
}

/** Runs an import as a job; returns the outcome and the job's final state. */
async function runImport(projectId: string, stage: ImportStage, file: string, rejectsFile = file.replace(/\.jsonl$/, ".rejects.jsonl")) {
  const { db } = database;
  const run = await startJob(db, { projectId, kind: "import", params: { stage, file, rejectsFile }, createdById: null });
  const outcome = await runJob(db, run, "import", () => importFile(db, { projectId, stage, file, rejectsFile, run }));
  const job = await db.job.findUniqueOrThrow({ where: { id: run.id }, select: { status: true, result: true, message: true } });
  return { outcome, job, jobId: run.id, rejectsFile };
}

function reportOf(outcome: Awaited<ReturnType<typeof runImport>>["outcome"]): ImportReport {
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

const LIAR = "I never took the money. <AI>He did take it; denying it is a lie.</AI>";
const LIAR_MARK = { start: 0, end: 23, category: "deceit", commentary: { start: 28, end: 64 } };

describe("importFile", () => {
  it("imports good lines, rejects bad ones with their reasons, and keeps everything a line carries", async () => {
    const projectId = await newProject();
    const file = await writeLines("mixed.jsonl", [
      {
        id: "run7-001",
        text: LIAR,
        source: "pipeline-7/model-x",
        scenario: "denial",
        marks: [LIAR_MARK],
        grader: { name: "judge-2", score: 0.4, flags: [{ start: 29, end: 33, category: "style", severity: "minor", comment: "abrupt" }] },
        lang: "en",
        batch: { n: 3 },
      },
      "{not json",
      { id: "run7-002", text: "Open <AI>unclosed" },
      "",
      { id: "run7-003", text: "Plain 😀 text." },
      { id: "run7-004", text: LIAR, marks: [{ ...LIAR_MARK, start: 30, end: 35 }] },
    ]);
    const { outcome, job, rejectsFile } = await runImport(projectId, "draft", file);
    const report = reportOf(outcome);
    expect(report).toEqual({
      lines: 5,
      imported: 2,
      skipped: 0,
      rejected: 3,
      rejectsFile,
      skippedSourceIds: [],
      rejections: [
        { line: 2, reason: expect.stringContaining("The line is not valid JSON") },
        { line: 3, reason: expect.stringContaining("The text is not valid tagged text: line 1, column 18 of the text (code point 17)") },
        { line: 6, reason: expect.stringContaining("marks[0] (30–35) does not lie in human or quoted text") },
      ],
    });
    expect(job).toMatchObject({ status: "succeeded", result: report });

    const rejects = (await readFile(rejectsFile, "utf8")).trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(rejects).toEqual([
      { error: report.rejections[0]!.reason, line: 2, original: "{not json" },
      { id: "run7-002", text: "Open <AI>unclosed", error: report.rejections[1]!.reason, line: 3 },
      { id: "run7-004", text: LIAR, marks: [{ ...LIAR_MARK, start: 30, end: 35 }], error: report.rejections[2]!.reason, line: 6 },
    ]);

    const { db } = database;
    const examples = await db.example.findMany({
      where: { projectId },
      orderBy: { sourceId: "asc" },
      select: {
        stage: true,
        source: true,
        sourceId: true,
        metadata: true,
        importJobId: true,
        reviewRound: true,
        createdBy: { select: { email: true, disabledAt: true } },
        scenario: { select: { key: true, categories: true, interactionTypes: true } },
        headRevision: { select: { id: true, number: true, text: true, doc: true, modelDrafted: true, excerpt: true } },
        participants: { select: { role: true, user: { select: { email: true } } } },
        graderReports: { select: { grader: true, score: true, flags: true, revisionId: true } },
      },
    });
    expect(examples).toHaveLength(2);
    const [liar, plain] = examples;
    expect(liar).toMatchObject({
      stage: "draft",
      source: "pipeline-7/model-x",
      sourceId: "run7-001",
      metadata: { lang: "en", batch: { n: 3 } },
      reviewRound: 0,
      createdBy: { email: IMPORTER_EMAIL },
      scenario: { key: "denial", categories: [], interactionTypes: [] },
      headRevision: { number: 1, text: LIAR, modelDrafted: true, excerpt: LIAR },
      participants: [{ role: "author", user: { email: IMPORTER_EMAIL } }],
      graderReports: [{ grader: "judge-2", score: 0.4, flags: [{ start: 29, end: 33, category: "style", severity: "minor", comment: "abrupt" }] }],
    });
    expect(liar!.createdBy.disabledAt).not.toBeNull();
    expect(liar!.graderReports[0]!.revisionId).toBe(liar!.headRevision!.id);
    const marks = badBehaviourMarks(documentFromJSON(JSON.parse(liar!.headRevision!.doc)));
    expect(marks).toEqual([{ id: "bb-1", category: "deceit", commentary: "ai-1", start: 0, end: 23 }]);
    expect(plain).toMatchObject({ sourceId: "run7-003", source: null, metadata: null, scenario: null, graderReports: [], headRevision: { text: "Plain 😀 text." } });

    const audit = await db.auditEvent.findMany({ where: { projectId, action: "example.import" }, select: { actorId: true, to: true, data: true } });
    expect(audit).toEqual([{ actorId: null, to: "draft", data: expect.objectContaining({ imported: 2, rejected: 3, skipped: 0, lines: 5 }) }]);
  });

  it("skips source ids the project already has and repeats within the file, across batches too, and leaves no rejects file", async () => {
    const projectId = await newProject();
    const first = await writeLines("first.jsonl", [{ id: "a", text: "one" }, { id: "b", text: "two" }]);
    expect(reportOf((await runImport(projectId, "draft", first)).outcome)).toMatchObject({ imported: 2, rejected: 0, rejectsFile: null });

    // 2,100 lines: the batch of 2,000 lines ends before the last repeats.
    const lines: object[] = Array.from({ length: 2100 }, (_, i) => ({ id: `n${i}`, text: `line ${i}` }));
    lines[10] = { id: "a", text: "again" };
    lines[20] = { id: "n0", text: "repeat in the batch" };
    lines[2050] = { id: "n1", text: "repeat in the next batch" };
    const second = await writeLines("second.jsonl", lines);
    const staleRejects = second.replace(/\.jsonl$/, ".rejects.jsonl");
    await writeFile(staleRejects, "from an earlier run\n");
    const report = reportOf((await runImport(projectId, "draft", second)).outcome);
    expect(report).toMatchObject({ lines: 2100, imported: 2097, skipped: 3, rejected: 0, rejectsFile: null, skippedSourceIds: ["a", "n0", "n1"] });
    expect(existsSync(staleRejects)).toBe(false);
    expect(await database.db.example.count({ where: { projectId } })).toBe(2099);

    const again = reportOf((await runImport(projectId, "draft", first)).outcome);
    expect(again).toMatchObject({ lines: 2, imported: 0, skipped: 2, skippedSourceIds: ["a", "b"] });
  });

  it("a process that stopped after the last step but before recording the job's end leaves a complete import, recovered as succeeded", async () => {
    const { db } = database;
    const projectId = await newProject();
    const file = await writeLines("complete.jsonl", [{ id: "c1", text: "one" }, { id: "c2", text: "two" }, "not json"]);
    const { jobId, rejectsFile } = await runImport(projectId, "review", file);
    // The job's row as the process left it: its examples and audit event were committed, the end was not.
    await db.job.update({ where: { id: jobId }, data: { status: "running", result: { written: "by no one" }, finishedAt: null, message: null, runner: null, heartbeatAt: new Date(0) } });

    expect(await recoverJobs(db)).toBe(0);
    const job = await db.job.findUniqueOrThrow({ where: { id: jobId }, select: { status: true, result: true, message: true } });
    expect(job.status).toBe("succeeded");
    expect(job.result).toEqual({ lines: 3, imported: 2, skipped: 0, rejected: 1, rejectsFile, skippedSourceIds: [], rejections: [] });
    expect(job.message).toContain("stopped after the import was complete");
    expect(await db.example.count({ where: { projectId, stage: "review" } })).toBe(2);
    expect(existsSync(rejectsFile)).toBe(true);
  });

  it("gives every example its stage when there are more than one chunk of them to move (SQLite moves them a chunk per transaction)", async () => {
    const { db } = database;
    const projectId = await newProject();
    const count = FINISH_CHUNK + 500;
    const file = await writeLines("chunks.jsonl", Array.from({ length: count }, (_, i) => ({ id: `c${i}`, text: `Line ${i} <AI>Commentary ${i}.</AI>` })));
    expect(reportOf((await runImport(projectId, "accepted", file)).outcome)).toMatchObject({ imported: count, rejected: 0 });
    expect(await db.example.groupBy({ by: ["stage"], where: { projectId }, _count: true })).toEqual([{ stage: "accepted", _count: count }]);
  });

  it("a process that stopped during the last step, after its audit event, leaves an import the recovery completes", async () => {
    const { db } = database;
    const projectId = await newProject();
    const file = await writeLines("midway.jsonl", [{ id: "m1", text: "one" }, { id: "m2", text: "two" }, { id: "m3", text: "three" }]);
    const { jobId } = await runImport(projectId, "review", file);
    // As the process left it: the audit event and the first examples committed, the others still importing.
    await db.example.updateMany({ where: { projectId, sourceId: { in: ["m2", "m3"] } }, data: { stage: IMPORTING_STAGE, reviewRound: 0, reviewRevisionId: null } });
    await db.job.update({ where: { id: jobId }, data: { status: "running", finishedAt: null, message: null, runner: null, heartbeatAt: new Date(0) } });

    expect(await recoverJobs(db)).toBe(0);
    expect((await db.job.findUniqueOrThrow({ where: { id: jobId }, select: { status: true } })).status).toBe("succeeded");
    const examples = await db.example.findMany({ where: { projectId }, select: { stage: true, reviewRound: true, reviewRevisionId: true, headRevisionId: true } });
    expect(examples).toHaveLength(3);
    for (const example of examples) expect(example).toEqual({ stage: "review", reviewRound: 1, reviewRevisionId: example.headRevisionId, headRevisionId: expect.any(String) });
  });

  it("an import whose last step fails after its audit event committed is complete: the job succeeds and every example gets its stage", async () => {
    const { db } = database;
    const projectId = await newProject();
    const file = await writeLines("late-failure.jsonl", [{ id: "f1", text: "one" }, { id: "f2", text: "two" }, "not json"]);
    const rejectsFile = file.replace(/\.jsonl$/, ".rejects.jsonl");
    const run = await startJob(db, { projectId, kind: "import", params: { stage: "review", file, rejectsFile }, createdById: null });
    const outcome = await runJob(db, run, "import", async () => {
      await importFile(db, { projectId, stage: "review", file, rejectsFile, run });
      // As a failure between two chunks of the last step leaves it.
      await db.example.updateMany({ where: { projectId, sourceId: "f2" }, data: { stage: IMPORTING_STAGE, reviewRound: 0, reviewRevisionId: null } });
      throw new Error("The disk failed.");
    });
    expect(outcome).toEqual({ ok: true, result: { lines: 3, imported: 2, skipped: 0, rejected: 1, rejectsFile, skippedSourceIds: [], rejections: [] } });
    expect(await db.job.findUniqueOrThrow({ where: { id: run.id }, select: { status: true } })).toEqual({ status: "succeeded" });
    expect(await db.example.findMany({ where: { projectId }, select: { stage: true, reviewRound: true } })).toEqual([
      { stage: "review", reviewRound: 1 },
      { stage: "review", reviewRound: 1 },
    ]);
    expect(existsSync(rejectsFile)).toBe(true);
  });

  it("puts examples into review as the workflow does, and into accepted only with every mark commented", async () => {
    const projectId = await newProject();
    const file = await writeLines("stages.jsonl", [
      { id: "c", text: LIAR, marks: [LIAR_MARK] },
      { id: "u", text: LIAR, marks: [{ ...LIAR_MARK, commentary: null }] },
    ]);
    const review = reportOf((await runImport(projectId, "review", file)).outcome);
    expect(review).toMatchObject({ imported: 2, rejected: 0 });
    const reviewed = await database.db.example.findMany({ where: { projectId }, select: { stage: true, reviewRound: true, reviewRevisionId: true, headRevisionId: true } });
    for (const example of reviewed) expect(example).toEqual({ stage: "review", reviewRound: 1, reviewRevisionId: example.headRevisionId, headRevisionId: expect.any(String) });

    const other = await newProject();
    const accepted = reportOf((await runImport(other, "accepted", file)).outcome);
    expect(accepted).toMatchObject({ imported: 1, rejected: 1, rejections: [{ line: 2, reason: expect.stringContaining("imported as accepted") }] });
    expect(await database.db.example.findMany({ where: { projectId: other }, select: { stage: true, sourceId: true, reviewRound: true } })).toEqual([
      { stage: "accepted", sourceId: "c", reviewRound: 0 },
    ]);
  });

  it("an example imported as accepted is exported with its import's end as accepted_at, and its source", async () => {
    const projectId = await newProject();
    const file = await writeLines("lineage.jsonl", [{ id: "c", source: "pipeline-7", text: LIAR, marks: [LIAR_MARK] }]);
    const { jobId, outcome } = await runImport(projectId, "accepted", file);
    expect(reportOf(outcome)).toMatchObject({ imported: 1 });
    const { finishedAt } = await database.db.job.findUniqueOrThrow({ where: { id: jobId }, select: { finishedAt: true } });

    const outDir = join(folder, "lineage-export");
    const run = await startJob(database.db, { projectId, kind: "export", params: {}, createdById: null });
    const exported = await runJob(database.db, run, "export", () => exportSnapshot(database.db, { projectId, outDir, format: "jsonl", tokenizer: "none", run }));
    if (!exported.ok) throw exported.error;
    const [shard] = exported.result.shards;
    const record = JSON.parse((await readFile(join(outDir, shard!.path), "utf8")).trim()) as { lineage: { accepted_at: string | null; source: string | null } };
    expect(record.lineage).toMatchObject({ accepted_at: finishedAt!.toISOString(), source: "pipeline-7" });
  });

  it("reuses a scenario the project has and adds the ones it lacks once", async () => {
    const projectId = await newProject();
    await database.db.scenario.create({ data: { projectId, key: "known", prompt: "Write a refusal.", categories: ["violence"], interactionTypes: ["refusal"] } });
    const file = await writeLines("scenarios.jsonl", [
      { text: "a", scenario: "known" },
      { text: "b", scenario: "new" },
      { text: "c", scenario: "new" },
    ]);
    expect(reportOf((await runImport(projectId, "draft", file)).outcome)).toMatchObject({ imported: 3 });
    const scenarios = await database.db.scenario.findMany({
      where: { projectId },
      orderBy: { key: "asc" },
      select: { key: true, prompt: true, _count: { select: { examples: true } } },
    });
    expect(scenarios).toEqual([
      { key: "known", prompt: "Write a refusal.", _count: { examples: 1 } },
      { key: "new", prompt: "", _count: { examples: 2 } },
    ]);
  });

  it("stops at a line that is not UTF-8, naming it, and keeps nothing of the batches already written", async () => {
    const projectId = await newProject();
    const good = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ id: `u${i}`, text: `line ${i}`, scenario: "fresh" }));
    const file = join(folder, "latin1.jsonl");
    await writeFile(file, Buffer.concat([Buffer.from(good.join("\n") + "\n"), Buffer.from('{"text": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    const { outcome, job, rejectsFile } = await runImport(projectId, "draft", file);
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(ImportFileError);
    expect(error.message).toBe(`${file} is not UTF-8 text: line 2501 holds bytes that are not UTF-8. Save the file as UTF-8 and import it again; nothing was imported.`);
    expect(job).toMatchObject({ status: "failed", message: error.message });
    expect(await database.db.example.count({ where: { projectId } })).toBe(0);
    expect(await database.db.scenario.count({ where: { projectId } })).toBe(0);
    expect(existsSync(rejectsFile)).toBe(false);
    const leftovers = (await import("node:fs/promises")).readdir(folder);
    expect((await leftovers).filter((name) => name.endsWith(".partial"))).toEqual([]);
  });

  it("refuses a missing file and a rejects file it cannot write, naming them", async () => {
    const projectId = await newProject();
    const missing = join(folder, "nowhere.jsonl");
    const { outcome } = await runImport(projectId, "draft", missing);
    expect((outcome as { error: Error }).error).toEqual(new ImportFileError(`Cannot read ${missing}: no such file or folder.`));

    const file = await writeLines("fine.jsonl", [{ text: "x" }]);
    const rejectsFolder = join(folder, "a-folder");
    await mkdir(rejectsFolder);
    const intoFolder = await runImport(projectId, "draft", file, rejectsFolder);
    expect((intoFolder.outcome as { error: Error }).error.message).toBe(`Cannot write the rejects file ${rejectsFolder}: it is a folder.`);
    const nowhere = join(folder, "no-such-folder", "r.jsonl");
    const unwritable = await runImport(projectId, "draft", file, nowhere);
    expect((unwritable.outcome as { error: Error }).error.message).toBe(`Cannot write the rejects file ${nowhere}: no such file or folder.`);
    expect(await database.db.example.count({ where: { projectId } })).toBe(0);
  });

  it("on SQLite writes the job's progress and heartbeat on the writer's connection, as Prisma reads them, and learns a cancel there", async () => {
    const { db } = database;
    const projectId = await newProject();
    const run = await startJob(db, { projectId, kind: "import", params: {}, createdById: null });
    const writer = await openBulkWriter(db, { projectId, jobId: run.id, jobParams: {}, importerId: await importerUserId(db), guidelineVersion: null });
    try {
      if (providerOf(db) === "postgresql") {
        // There Prisma's writes hold no thread: the job writes them itself.
        expect(writer.writeJobState).toBeUndefined();
        return;
      }
      const written: JobState[] = [];
      await run.writeStateWith((id, state) => {
        written.push(state);
        return writer.writeJobState!(id, state);
      });
      run.progress(3, 10);
      await db.job.update({ where: { id: run.id }, data: { cancelRequested: true } });
      // Progress is written at most every 250 ms.
      await new Promise((resolve) => setTimeout(resolve, 300));
      run.progress(7);
      await run.writeStateWith(null);
      expect(written.map((state) => [state.done, state.total])).toEqual([[3, 10], [7, 10]]);
      const job = await db.job.findUniqueOrThrow({ where: { id: run.id }, select: { done: true, total: true, heartbeatAt: true } });
      expect(job).toEqual({ done: 7, total: 10, heartbeatAt: written[1]!.heartbeatAt });
      expect(() => run.checkpoint()).toThrow(JobCancelledError);
    } finally {
      await run.writeStateWith(null);
      await writer.close();
      await run.cancelled();
    }
  });

  it("leaves every foreign key intact (SQLite's writer connection does not check them as it writes)", async () => {
    if (database.provider === "sqlite") expect(await database.db.$queryRawUnsafe("PRAGMA foreign_key_check")).toEqual([]);
    const examples = await database.db.example.findMany({ where: { importJobId: { not: null } }, select: { headRevision: { select: { number: true } } } });
    expect(examples.length).toBeGreaterThan(2000);
    expect(examples.every((example) => example.headRevision?.number === 1)).toBe(true);
  });

  it("stores a revision's text, document and excerpt exactly, as text (SQLite's writer binds them as UTF-8 bytes, cast in the insert)", async () => {
    const projectId = await newProject();
    const texts = ["\uFEFFZürich, naïve 😀 <AI>They said “<AI_quoting_human>déjà vu</AI_quoting_human>” 𝔘.</AI>", "日本語のテキスト <AI>コメント</AI>"];
    const file = await writeLines("unicode.jsonl", texts.map((text, i) => ({ id: `u${i}`, text })));
    expect(reportOf((await runImport(projectId, "draft", file)).outcome).imported).toBe(2);
    const revisions = await database.db.revision.findMany({ where: { example: { projectId } }, orderBy: { example: { sourceId: "asc" } }, select: { text: true, excerpt: true, doc: true } });
    expect(revisions.map((revision) => [revision.text, revision.excerpt])).toEqual(texts.map((text) => [text, text]));
    expect(revisions.map((revision) => docToText(documentFromJSON(JSON.parse(revision.doc))))).toEqual(texts);
    if (database.provider === "sqlite") {
      const stored = await database.db.$queryRawUnsafe<{ kinds: string }[]>(
        `SELECT DISTINCT typeof("text") || ' ' || typeof("doc") || ' ' || typeof("excerpt") AS kinds FROM "Revision"`,
      );
      expect(stored.map((row) => row.kinds)).toEqual(["text text text"]);
    }
  });
});
