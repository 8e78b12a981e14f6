/**
 * `studio import` as a person or a pipeline runs it: the summary and exit statuses of SPEC §6,
 * usage and I/O errors, and a SIGKILL in the middle of a big import, after which nothing of it
 * is visible, the recovery fails the job with a reason and deletes what it staged, and the same
 * import run again imports every line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMPORTING_STAGE } from "@prealign/core";
// Registers the clean-up of import jobs that recoverJobs runs, as the command line's own import does.
import "../services/import/importer.ts";
import { recoverJobs } from "../services/jobs.ts";
import { createProject } from "../services/projects.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";

const studio = fileURLToPath(new URL("../../bin/studio.js", import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], databaseUrl: string): ChildProcess {
  return spawn(process.execPath, [studio, ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs `studio ARGS…` to the end. */
function run(args: string[], databaseUrl: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = start(args, databaseUrl);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

let database: TestDatabase;
let folder: string;

beforeAll(async () => {
  database = await createTestDatabase();
  folder = await mkdtemp(join(tmpdir(), "studio-import-cli-"));
  await createProject(database.db, { slug: "cli-import", name: "CLI import", actorId: null });
});

afterAll(async () => {
  await database?.drop();
  await rm(folder, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, content);
  return path;
}

const jsonl = (records: object[]) => records.map((record) => JSON.stringify(record)).join("\n") + "\n";

describe("studio import", () => {
  it("imports every line with status 0, reports rejections with status 1, and skips a second import of the same ids", async () => {
    const good = await file("good.jsonl", jsonl([{ id: "g1", text: "Hello <AI>Hi.</AI>" }, { id: "g2", text: "Bye." }]));
    const first = await run(["import", "--project", "cli-import", "--stage", "draft", good], database.url);
    expect(first.stderr).not.toContain("studio:");
    expect(first.stdout).toBe(`Read 2 lines of ${good} into project "cli-import" as draft: 2 imported, 0 skipped, 0 rejected.\n`);
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/Importing: \d+\/\d+ KiB \(100%\)\n$/);
    expect(existsSync(join(folder, "good.rejects.jsonl"))).toBe(false);

    const again = await run(["import", "--project", "cli-import", "--stage", "draft", good], database.url);
    expect(again.stdout).toContain("0 imported, 2 skipped, 0 rejected.\nSkipped (source id already in the project, or earlier in the file): g1, g2.\n");
    expect(again.status).toBe(0);

    const mixed = await file("mixed.jsonl", jsonl([{ id: "m1", text: "Fine." }, { id: "m2", text: "</AI>" }]));
    const rejects = join(folder, "elsewhere.jsonl");
    const some = await run(["import", "--project", "cli-import", "--stage", "review", "--rejects", rejects, mixed], database.url);
    expect(some.stdout).toContain("1 imported, 0 skipped, 1 rejected.");
    expect(some.stdout).toContain(`Rejected (every one is in ${rejects} with "error" and "line" added; fix them there and import that file):\n  line 2: The text is not valid tagged text: line 1, column 1 of the text (code point 0)`);
    expect(some.status).toBe(1);
    const rejected = JSON.parse(await readFile(rejects, "utf8"));
    expect(rejected).toMatchObject({ id: "m2", text: "</AI>", line: 2 });
    const imported = await database.db.example.findFirstOrThrow({ where: { sourceId: "m1" }, select: { stage: true, reviewRound: true } });
    expect(imported).toEqual({ stage: "review", reviewRound: 1 });
  });

  it.each([
    { why: "an unknown project", args: ["--project", "nope", "--stage", "draft"], file: "ok", message: 'There is no project "nope"' },
    { why: "an unknown stage", args: ["--project", "cli-import", "--stage", "published"], file: "ok", message: "Allowed choices are draft, review, accepted" },
    { why: "a missing --stage", args: ["--project", "cli-import"], file: "ok", message: "required option '--stage <stage>' not specified" },
    { why: "a missing file", args: ["--project", "cli-import", "--stage", "draft"], file: "missing", message: "no such file or folder." },
    { why: "a file that is not UTF-8", args: ["--project", "cli-import", "--stage", "draft"], file: "latin1", message: "is not UTF-8 text: line 2 holds bytes that are not UTF-8" },
    { why: "a rejects file that cannot be written", args: ["--project", "cli-import", "--stage", "draft", "--rejects", "/nonexistent-folder/r.jsonl"], file: "ok", message: "Cannot write the rejects file /nonexistent-folder/r.jsonl: no such file or folder." },
  ])("stops on $why with status 2 and says why", async ({ args, file: kind, message }) => {
    const paths: Record<string, () => Promise<string>> = {
      ok: () => file("ok.jsonl", jsonl([{ text: "fine" }])),
      missing: async () => join(folder, "missing.jsonl"),
      latin1: () => file("latin1.jsonl", Buffer.concat([Buffer.from('{"text": "a"}\n{"text": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')])),
    };
    const before = await database.db.example.count();
    const result = await run(["import", ...args, await paths[kind]!()], database.url);
    expect(result.stderr).toContain(message);
    expect(result.status).toBe(2);
    expect(await database.db.example.count()).toBe(before);
  });
});

/** A file of `lines` valid lines, each with a source id and one of seven scenario keys. */
async function bigFile(name: string, lines: number): Promise<string> {
  const records = Array.from({ length: lines }, (_, i) => JSON.stringify({ id: `k${i}`, text: `Line ${i} <AI>Commentary ${i}.</AI>`, scenario: `s${i % 7}` }));
  return file(name, records.join("\n") + "\n");
}

/** Starts `studio import` of `path` into `slug` and resolves once some of its batches are committed (staged, not yet visible). */
async function startedImport(slug: string, projectId: string, path: string) {
  const child = start(["import", "--project", slug, "--stage", "accepted", path], database.url);
  const output = { stdout: "", stderr: "" };
  child.stdout!.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (status, signal) => resolve({ status, signal })));
  let staged = 0;
  for (let waited = 0; staged === 0 && waited < 120_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    staged = await database.db.example.count({ where: { projectId, stage: IMPORTING_STAGE } });
  }
  expect(staged).toBeGreaterThan(0);
  return { child, output, exited };
}

describe("studio import interrupted", () => {
  it("stops on Ctrl-C with status 1, keeping nothing", { timeout: 300_000 }, async () => {
    const project = await createProject(database.db, { slug: "cli-interrupt", name: "Interrupt", actorId: null });
    const { child, output, exited } = await startedImport("cli-interrupt", project.id, await bigFile("interrupted.jsonl", 100_000));
    child.kill("SIGINT");
    expect((await exited).status).toBe(1);
    expect(output.stderr).toContain("studio: The import was cancelled; nothing of it was kept.");
    expect(await database.db.job.findFirstOrThrow({ where: { projectId: project.id }, select: { status: true } })).toEqual({ status: "cancelled" });
    expect(await database.db.example.count({ where: { projectId: project.id } })).toBe(0);
    expect(await database.db.scenario.count({ where: { projectId: project.id } })).toBe(0);
  });

  it("leaves nothing visible when killed with SIGKILL; the recovery fails the job and deletes what it staged; the next run imports every line", { timeout: 300_000 }, async () => {
    const { db } = database;
    const project = await createProject(db, { slug: "cli-kill", name: "Kill", actorId: null });
    const lines = 100_000;
    const big = await bigFile("big.jsonl", lines);
    const { child, output, exited } = await startedImport("cli-kill", project.id, big);
    child.kill("SIGKILL");
    const stderr = output.stderr;
    expect((await exited).signal).toBe("SIGKILL");
    const job = await db.job.findFirstOrThrow({ where: { projectId: project.id, kind: "import" }, select: { id: true, status: true } });
    expect(job.status).toBe("running");
    expect(await db.example.count({ where: { projectId: project.id, NOT: { stage: IMPORTING_STAGE } } })).toBe(0);
    expect(await db.example.count({ where: { importJobId: job.id } })).toBeGreaterThan(0);
    expect(stderr).not.toContain("studio:");

    expect(await recoverJobs(db)).toBe(1);
    const failed = await db.job.findUniqueOrThrow({ where: { id: job.id }, select: { status: true, message: true } });
    expect(failed.status).toBe("failed");
    expect(failed.message).toMatch(/^The process running this import \(.+:\d+\) stopped before it finished; nothing it had started was kept\. Run the import again\.$/);
    expect(await db.example.count({ where: { projectId: project.id } })).toBe(0);
    expect(await db.revision.count({ where: { example: { projectId: project.id } } })).toBe(0);
    expect(await db.scenario.count({ where: { projectId: project.id } })).toBe(0);
    expect((await readdir(folder)).filter((name) => name.includes(".partial"))).toEqual([]);
    if (database.provider === "sqlite") expect(await db.$queryRawUnsafe("PRAGMA foreign_key_check")).toEqual([]);

    const again = await run(["import", "--project", "cli-kill", "--stage", "accepted", big], database.url);
    expect(again.stdout).toContain(`Read ${lines.toLocaleString("en-US")} lines of ${big} into project "cli-kill" as accepted: ${lines.toLocaleString("en-US")} imported, 0 skipped, 0 rejected.`);
    expect(again.status).toBe(0);
    expect(await db.example.count({ where: { projectId: project.id, stage: "accepted" } })).toBe(lines);
    expect(await db.scenario.count({ where: { projectId: project.id } })).toBe(7);
  });
});
