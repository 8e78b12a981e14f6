/**
 * `studio export` as a person or a script runs it: the snapshot and its summary, the exit
 * statuses of SPEC §6 for each refusal, byte-identical output from two separate processes, a
 * full disk and a read-only folder (on small filesystems mounted in a private namespace, where
 * `unshare` allows it), and a process killed with SIGKILL half-way, which leaves no snapshot
 * folder and whose temporary folder the next run's recovery removes.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../services/export/exporter.ts";
import { splitOf } from "../services/export/records.ts";
import { recoverJobs } from "../services/jobs.ts";
import { bulkAccepted, acceptedExample } from "../services/export/test-support.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { createTeam, type Team } from "../test/workflow.ts";

const studio = fileURLToPath(new URL("../../bin/studio.js", import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let database: TestDatabase;
let folder: string;
let team: Team;

/** Starts `studio ARGS…` with the test database. */
function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [studio, ...args], { env: { ...process.env, DATABASE_URL: database.url }, stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs `studio ARGS…` to the end. */
function run(args: string[]): Promise<Run> {
  return finished(start(args));
}

function finished(child: ChildProcess): Promise<Run> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Whether this machine lets a test mount a filesystem in a private namespace (`unshare -rm`). */
const canMount = spawnSync("unshare", ["-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], { stdio: "ignore" }).status === 0;

/**
 * Runs `studio export` into `out` inside a private mount namespace where `mountPoint` is a new
 * tmpfs mounted with `options`; then lists what is left in the mount point, which vanishes
 * with the namespace.
 */
function exportOnTmpfs(mountPoint: string, options: string, out: string, project: string): Promise<Run & { left: string[] }> {
  const script = `mount -t tmpfs -o ${options} tmpfs "$1" || exit 99; shift; "$@"; status=$?; echo "left:$(ls -A "$MOUNT_POINT" | tr '\\n' ' ')" >&2; exit $status`;
  const child = spawn("unshare", ["-rm", "sh", "-c", script, "sh", mountPoint, process.execPath, studio, "export", "--project", project, "--out", out], {
    env: { ...process.env, DATABASE_URL: database.url, MOUNT_POINT: mountPoint },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return finished(child).then((result) => {
    const left = /left:(.*)/.exec(result.stderr)?.[1]?.trim() ?? "";
    return { ...result, left: left === "" ? [] : left.split(" ") };
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  folder = await mkdtemp(join(tmpdir(), "studio-export-cli-"));
  team = await createTeam(database.db);
  await acceptedExample(database.db, team, { text: "Rude remark. <AI>That was unkind.</AI>", mark: "commented" });
  await acceptedExample(database.db, team, { text: "😀 Hello <AI>“<AI_quoting_human>Hi</AI_quoting_human>” they said.</AI>" });
  await acceptedExample(database.db, team, { text: "Rude remark. <AI>That was unkind.</AI>" });
});

afterAll(async () => {
  await database?.drop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe("studio export", () => {
  it("writes the snapshot and prints what it wrote", async () => {
    const out = join(folder, "first");
    const result = await run(["export", "--project", team.project.slug, "--out", out]);
    expect(result.stderr).not.toMatch(/studio:/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Exported 2 examples of project "${team.project.slug}" to ${out}`);
    expect(result.stdout).toMatch(/Left out 1 duplicate text: \w+ \(same text as \w+\)/);
    expect(result.stdout).toContain("This is the project's first snapshot.");
    // Each id's split follows from its hash; ids are random here, so both may land in one split.
    const leftOut = /Left out 1 duplicate text: (\w+)/.exec(result.stdout)![1];
    const { validation_share: share } = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as { validation_share: number };
    const accepted = await database.db.example.findMany({ where: { projectId: team.project.id, stage: "accepted" }, select: { id: true } });
    const splits = new Set(accepted.filter((example) => example.id !== leftOut).map((example) => splitOf(example.id, share)));
    expect(splits.size).toBeGreaterThan(0);
    for (const split of splits) expect(result.stdout).toMatch(new RegExp(`data/${split}-00000-of-00001\\.parquet {2}\\d+ records`));
    expect(result.stdout).toMatch(/Tokens: \d+ \(o200k_base\)/);
    expect((await readdir(out)).sort()).toEqual(["README.md", "data", "grammar.json", "manifest.json"]);
    const job = await database.db.job.findFirstOrThrow({ where: { projectId: team.project.id, kind: "export" }, orderBy: { createdAt: "desc" }, select: { status: true, params: true } });
    expect(job).toMatchObject({ status: "succeeded", params: { format: "both", tokenizer: "o200k_base" } });
  });

  it("exports only the examples the filters take, and says which filters it used", async () => {
    const out = join(folder, "filtered");
    const result = await run(["export", "--project", team.project.slug, "--out", out, "--format", "jsonl", "--tokenizer", "none", "--created-from", "2000-01-01"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Filters: created 2000-01-01 to now.");
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as { filters: unknown };
    expect(manifest.filters).toEqual({ scenario: null, category: null, created_from: "2000-01-01", created_to: null });
  });

  it("two runs in separate processes write byte-identical shards, card and grammar.json", async () => {
    const outs = [join(folder, "twice-a"), join(folder, "twice-b")];
    for (const out of outs) expect((await run(["export", "--project", team.project.slug, "--out", out, "--tokenizer", "cl100k_base"])).status).toBe(0);
    const files = (await readdir(join(outs[0]!, "data"))).map((name) => `data/${name}`).concat("README.md", "grammar.json");
    expect(files.filter((file) => file.endsWith(".parquet")).length).toBeGreaterThan(0);
    for (const file of files) expect((await readFile(join(outs[1]!, file))).equals(await readFile(join(outs[0]!, file))), file).toBe(true);
  });

  it("refuses with status 2: an unknown project, an existing folder, a missing parent, a bad option", async () => {
    const unknown = await run(["export", "--project", "no-such-project", "--out", join(folder, "x")]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('There is no project "no-such-project"');

    const existing = join(folder, "existing");
    await mkdir(existing);
    await writeFile(join(existing, "mine.txt"), "keep");
    const exists = await run(["export", "--project", team.project.slug, "--out", existing]);
    expect(exists.status).toBe(2);
    expect(exists.stderr).toContain(`studio: ${existing} already exists`);
    expect(await readdir(existing)).toEqual(["mine.txt"]);

    const missing = await run(["export", "--project", team.project.slug, "--out", join(folder, "nowhere", "out")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("does not exist");

    const format = await run(["export", "--project", team.project.slug, "--out", join(folder, "y"), "--format", "csv"]);
    expect(format.status).toBe(2);
    expect(format.stderr).toMatch(/Allowed choices are jsonl, parquet, both/);
    expect((await run(["export", "--project", team.project.slug])).status).toBe(2);
    const day = await run(["export", "--project", team.project.slug, "--out", join(folder, "z"), "--created-from", "yesterday"]);
    expect(day.status).toBe(2);
    expect(day.stderr).toContain('The first creation day must be a day written YYYY-MM-DD (for example 2026-01-31), not "yesterday".');
    expect((await readdir(folder)).filter((name) => name.includes(".tmp-"))).toEqual([]);
  });

  it("refuses with status 1 when the project has no accepted examples", async () => {
    const empty = await createTeam(database.db);
    const result = await run(["export", "--project", empty.project.slug, "--out", join(folder, "empty")]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("has no accepted examples, so there is nothing to export");
    expect(await readdir(folder)).not.toContain("empty");
  });

  it.skipIf(!canMount)("refuses a read-only parent folder with status 2", async () => {
    const mountPoint = join(folder, "read-only");
    await mkdir(mountPoint);
    const result = await exportOnTmpfs(mountPoint, "ro,size=1m", join(mountPoint, "out"), team.project.slug);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`Cannot write in ${mountPoint}`);
    expect(result.left).toEqual([]);
  });

  it.skipIf(!canMount)("stops on a full disk with status 2, a clear message and nothing left behind", async () => {
    const big = await createTeam(database.db);
    await bulkAccepted(database.db, big.project.id, big.writer.user.id, 3_000, (i) => `Example ${i}: ${"words of a long example ".repeat(20)}<AI>${"and a long commentary ".repeat(20)}</AI>`);
    const mountPoint = join(folder, "small-disk");
    await mkdir(mountPoint);
    const result = await exportOnTmpfs(mountPoint, "size=1m", join(mountPoint, "out"), big.project.slug);
    expect(result.stderr).toContain("The disk is full");
    expect(result.status).toBe(2);
    expect(result.left).toEqual([]);
    const job = await database.db.job.findFirstOrThrow({ where: { projectId: big.project.id }, select: { status: true, message: true } });
    expect(job.status).toBe("failed");
    expect(job.message).toContain("The disk is full");
  });

  it("killed with SIGKILL half-way: no snapshot folder; recovery removes the temporary folder and fails the job; the next run succeeds", async () => {
    const big = await createTeam(database.db);
    await bulkAccepted(database.db, big.project.id, big.writer.user.id, 40_000, (i) => `Example ${i}. She asked for help with a letter to the council. <AI>I can help you write it, and keep it polite: ${i}.</AI>`);
    const out = join(folder, "killed");
    const child = start(["export", "--project", big.project.slug, "--out", out]);
    const exited = finished(child);
    // Wait until the export is under way: its job reports progress and its temporary folder exists.
    const deadline = Date.now() + 60_000;
    let jobId: string | null = null;
    while (Date.now() < deadline) {
      const job = await database.db.job.findFirst({ where: { projectId: big.project.id, kind: "export", status: "running", done: { gt: 0 } }, select: { id: true } });
      if (job) {
        jobId = job.id;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(jobId).not.toBeNull();
    expect(await readdir(folder)).toContain(`killed.tmp-${jobId}`);
    child.kill("SIGKILL");
    const result = await exited;
    expect(result.status).toBeNull();

    expect(await readdir(folder)).not.toContain("killed");
    expect(await database.db.snapshot.count({ where: { projectId: big.project.id } })).toBe(0);
    expect(await recoverJobs(database.db)).toBe(1);
    expect((await readdir(folder)).filter((name) => name.startsWith("killed"))).toEqual([]);
    const job = await database.db.job.findUniqueOrThrow({ where: { id: jobId! }, select: { status: true, message: true } });
    expect(job.status).toBe("failed");
    expect(job.message).toMatch(/stopped before it finished; nothing it had started was kept/);

    const again = await run(["export", "--project", big.project.slug, "--out", out, "--format", "jsonl"]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("Exported 40,000 examples");
  }, 180_000);
});
