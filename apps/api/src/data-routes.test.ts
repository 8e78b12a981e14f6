/**
 * Imports and exports through the web app's routes, over HTTP against a real server: an admin
 * uploads a file, the job imports it and reports; the rejects file and a snapshot's files
 * download; everyone else is refused, and a refused upload leaves no file behind.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSRF_HEADER } from "./server.ts";
import { createTestDatabase, type TestDatabase } from "./test/database.ts";
import { mutate, query, sessionCookie, startTestServer, type TestServer } from "./test/http.ts";
import { createTeam, type Team } from "./test/workflow.ts";

let database: TestDatabase;
let server: TestServer;
let dataDir: string;
let team: Team;
let adminCookie: string;
let reviewerCookie: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "studio-data-routes-"));
  server = await startTestServer(database.db, { dataDir, importMaxMb: 1 });
  team = await createTeam(database.db);
  adminCookie = await sessionCookie(database.db, team.admin.user.id);
  reviewerCookie = await sessionCookie(database.db, team.reviewer.user.id);
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

function upload(body: string | Uint8Array, options: { cookie?: string; stage?: string; csrf?: boolean } = {}) {
  const search = new URLSearchParams({ stage: options.stage ?? "accepted", name: "candidates.jsonl" });
  return fetch(`${server.url}/api/projects/${team.project.slug}/imports?${search}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-ndjson",
      ...(options.csrf === false ? {} : { [CSRF_HEADER]: "1" }),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    body,
  });
}

interface JobAnswer {
  id: string;
  status: string;
  message: string | null;
  result: Record<string, unknown> | null;
}

async function finished(id: string): Promise<JobAnswer> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const answer = await query(server.url, "jobs.get", { projectSlug: team.project.slug, id }, adminCookie);
    const job = answer.body.result?.data as JobAnswer;
    if (job.status !== "running" && job.status !== "queued") return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${id} did not finish`);
}

const GOOD = [
  { id: "route-1", source: "test", text: "Hello. <AI>Hello! What can I do for you?</AI>" },
  { id: "route-2", source: "test", text: "<AI>A quiet morning 🌅 in the garden.</AI>" },
];
const BAD = ['{"id": "route-3", "text": "Open <AI>never closed"}', "not json at all"];
const FILE = `${[...GOOD.map((line) => JSON.stringify(line)), ...BAD].join("\n")}\n`;

describe("importing through the upload route", () => {
  let jobId: string;

  it("stores the upload, imports the good lines and reports the bad ones", async () => {
    const response = await upload(FILE, { cookie: adminCookie });
    expect(response.status).toBe(202);
    jobId = ((await response.json()) as { job: { id: string } }).job.id;
    const job = await finished(jobId);
    expect(job.status).toBe("succeeded");
    expect(job.result).toMatchObject({ lines: 4, imported: 2, skipped: 0, rejected: 2 });
    const listed = await query(server.url, "examples.list", { projectSlug: team.project.slug, stage: "accepted" }, adminCookie);
    const excerpts = (listed.body.result?.data as { items: Array<{ excerpt: string }> }).items.map((item) => item.excerpt);
    expect(excerpts.sort()).toEqual(GOOD.map((line) => line.text).sort());
  });

  it("serves the rejects file: each rejected line with its line number and reason", async () => {
    const response = await fetch(`${server.url}/api/projects/${team.project.slug}/imports/${jobId}/rejects`, { headers: { cookie: adminCookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toContain("candidates.rejects.jsonl");
    const lines = (await response.text()).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.line)).toEqual([3, 4]);
    for (const line of lines) expect(String(line.error)).not.toBe("");
  });

  it("skips lines already imported when the same file comes again", async () => {
    const response = await upload(FILE, { cookie: adminCookie });
    const job = await finished(((await response.json()) as { job: { id: string } }).job.id);
    expect(job.result).toMatchObject({ imported: 0, skipped: 2, rejected: 2 });
  });

  it("refuses everyone but the project's admins, and a forged request", async () => {
    expect((await upload(FILE)).status).toBe(401);
    const reviewer = await upload(FILE, { cookie: reviewerCookie });
    expect(reviewer.status).toBe(403);
    expect(((await reviewer.json()) as { message: string }).message).toContain("Only admins");
    expect((await upload(FILE, { cookie: adminCookie, csrf: false })).status).toBe(403);
    expect((await upload(FILE, { cookie: adminCookie, stage: "commentary" })).status).toBe(400);
  });

  it("refuses a file over the upload limit and keeps nothing of it", async () => {
    const before = await readdir(join(dataDir, "imports"));
    const response = await upload(new Uint8Array(1024 * 1024 + 10).fill(0x41), { cookie: adminCookie });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { message: string }).message).toContain("studio import");
    expect(await readdir(join(dataDir, "imports"))).toEqual(before);
  });
});

describe("exporting through the web app", () => {
  let snapshot: { id: string; records: number; summary: { shards: Array<{ path: string; sha256: string }> } };

  it("runs an export job whose snapshot is listed with its shards", async () => {
    const started = await mutate(server.url, "exports.start", { projectSlug: team.project.slug, format: "both", tokenizer: "none" }, adminCookie);
    const job = await finished((started.body.result?.data as { id: string }).id);
    expect(job.message).toBeNull();
    expect(job.status).toBe("succeeded");
    const list = await query(server.url, "exports.list", { projectSlug: team.project.slug }, adminCookie);
    const snapshots = (list.body.result?.data as { snapshots: (typeof snapshot)[] }).snapshots;
    expect(snapshots).toHaveLength(1);
    snapshot = snapshots[0]!;
    expect(snapshot.records).toBe(2);
    expect(snapshot.summary.shards.some((shard) => shard.path.endsWith(".parquet"))).toBe(true);
  });

  it("serves the manifest and each shard, and nothing else", async () => {
    const base = `${server.url}/api/projects/${team.project.slug}/snapshots/${snapshot.id}/files`;
    const manifest = await fetch(`${base}/manifest.json`, { headers: { cookie: adminCookie } });
    expect(manifest.status).toBe(200);
    expect(((await manifest.json()) as { shards: unknown[] }).shards).toHaveLength(snapshot.summary.shards.length);
    const shard = snapshot.summary.shards[0]!;
    const bytes = new Uint8Array(await (await fetch(`${base}/${shard.path}`, { headers: { cookie: adminCookie } })).arrayBuffer());
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(shard.sha256);
    for (const path of ["../manifest.json", "data/../../secret", "%2e%2e/README.md"]) {
      expect((await fetch(`${base}/${path}`, { headers: { cookie: adminCookie } })).status).not.toBe(200);
    }
    expect((await fetch(`${base}/manifest.json`, { headers: { cookie: reviewerCookie } })).status).toBe(403);
  });

  it("refuses to start an export of a project with nothing accepted", async () => {
    const other = await createTeam(database.db);
    const cookie = await sessionCookie(database.db, other.admin.user.id);
    const answer = await mutate(server.url, "exports.start", { projectSlug: other.project.slug }, cookie);
    expect(answer.body.error?.data.code).toBe("BAD_REQUEST");
    expect(answer.body.error?.message).toContain("no accepted examples");
  });
});
