/**
 * `studio backup` and `studio restore` as an operator runs them, on the suite's database
 * (SQLite, or PostgreSQL when TEST_DATABASE_URL is set). The restore drill: authors keep
 * saving through a real server while the backup runs; the backup is restored into a newly
 * created database, which must hold every example, revision and audit event that was
 * acknowledged before the backup started.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../db/database.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { projectWithMembers, signedInUser } from "../test/fixtures.ts";
import { mutate, sessionCookie, startTestServer, type TestServer } from "../test/http.ts";
import { runStudio } from "../test/processes.ts";
import { docJson } from "../test/workflow.ts";

let source: TestDatabase;
let restored: TestDatabase;
let server: TestServer;
let folder: string;
let cookie: string;
let projectSlug: string;

beforeAll(async () => {
  source = await createTestDatabase();
  restored = await createTestDatabase({ migrate: false });
  folder = await mkdtemp(join(tmpdir(), "studio-backup-"));
  const author = await signedInUser(source.db);
  projectSlug = (await projectWithMembers(source.db, [{ session: author, roles: ["author"] }])).slug;
  cookie = await sessionCookie(source.db, author.user.id);
  server = await startTestServer(source.db);
});

afterAll(async () => {
  await server?.close();
  await source?.drop();
  await restored?.drop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** A row the studio acknowledged, and when the answer arrived. */
interface Acknowledged {
  id: string;
  at: number;
}

/** What the authors were told was saved. */
interface Acknowledgements {
  examples: Acknowledged[];
  revisions: Acknowledged[];
}

/**
 * One author's work until `stop()`: create an example (an example, its first revision and an
 * audit event), then save two revisions of it, again and again, noting each acknowledgement.
 */
async function author(stop: () => boolean, acknowledged: Acknowledgements): Promise<void> {
  while (!stop()) {
    const created = await mutate(server.url, "examples.create", { projectSlug }, cookie);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const exampleId = (created.body.result!.data as { id: string }).id;
    acknowledged.examples.push({ id: exampleId, at: Date.now() });
    const { headRevisionId } = await source.db.example.findUniqueOrThrow({ where: { id: exampleId }, select: { headRevisionId: true } });
    let base = headRevisionId!;
    for (let line = 1; line <= 2; line += 1) {
      const saved = await mutate(server.url, "examples.save", { exampleId, baseRevisionId: base, doc: docJson(`Line ${line}. <AI>Reply ${line}.</AI>`) }, cookie);
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      base = (saved.body.result!.data as { id: string }).id;
      acknowledged.revisions.push({ id: base, at: Date.now() });
    }
  }
}

/** The ids of `rows` acknowledged before `moment`. */
function before(rows: Acknowledged[], moment: number): string[] {
  return rows.filter((row) => row.at < moment).map((row) => row.id);
}

describe("studio backup and studio restore", () => {
  it("restore a backup taken while authors save into a new database, with everything acknowledged before the backup began", async () => {
    const file = join(folder, "studio.backup");
    const acknowledged: Acknowledgements = { examples: [], revisions: [] };
    let stopped = false;
    const authors = Promise.all(Array.from({ length: 3 }, () => author(() => stopped, acknowledged)));
    await expect.poll(() => acknowledged.revisions.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(6);

    const startedAt = Date.now();
    const auditEvents = (await source.db.auditEvent.findMany({ select: { id: true } })).map((event) => event.id);
    const backup = await runStudio(["backup", "--out", file], { databaseUrl: source.url });
    const finishedAt = Date.now();
    stopped = true;
    await authors;
    expect(backup.stderr).not.toContain("studio:");
    expect(backup.status).toBe(0);
    expect(backup.stdout).toContain(`to ${file}`);
    // The authors went on saving while the backup ran.
    expect(acknowledged.revisions.some((row) => row.at > startedAt && row.at < finishedAt)).toBe(true);

    const restore = await runStudio(["restore", file], { databaseUrl: restored.url });
    expect(restore.stderr).not.toContain("studio:");
    expect(restore.status).toBe(0);

    const db = await createDb(restored.url);
    try {
      const examples = before(acknowledged.examples, startedAt);
      const revisions = before(acknowledged.revisions, startedAt);
      expect(examples.length).toBeGreaterThan(0);
      const found = {
        examples: await db.example.count({ where: { id: { in: examples } } }),
        revisions: await db.revision.count({ where: { id: { in: revisions } } }),
        auditEvents: await db.auditEvent.count({ where: { id: { in: auditEvents } } }),
      };
      expect(found).toEqual({ examples: examples.length, revisions: revisions.length, auditEvents: auditEvents.length });
      if (restored.provider === "sqlite") expect(await db.$queryRawUnsafe("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
    } finally {
      await db.$disconnect();
    }
  });

  it("refuses to overwrite a database that holds data unless --force, and a backup file that exists", async () => {
    const file = join(folder, "second.backup");
    expect((await runStudio(["backup", "--out", file], { databaseUrl: source.url })).status).toBe(0);

    const again = await runStudio(["backup", "--out", file], { databaseUrl: source.url });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`${file} already exists`);

    const examplesBefore = await source.db.example.count();
    await mutate(server.url, "examples.create", { projectSlug }, cookie);
    const refused = await runStudio(["restore", file], { databaseUrl: source.url });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("already holds data");
    expect(refused.stderr).toContain("--force");
    expect(await source.db.example.count()).toBe(examplesBefore + 1);

    await server.close();
    const forced = await runStudio(["restore", "--force", file], { databaseUrl: source.url });
    expect(forced.stderr).not.toContain("studio:");
    expect(forced.status).toBe(0);
    const db = await createDb(source.url);
    try {
      expect(await db.example.count()).toBe(examplesBefore);
    } finally {
      await db.$disconnect();
    }
  });

  it("refuses a file that is not a backup, and says what is missing when pg_dump cannot be found", async () => {
    const notBackup = await runStudio(["restore", join(import.meta.dirname, "backup.ts")], { databaseUrl: restored.url });
    expect(notBackup.status).toBe(2);
    expect(notBackup.stderr).toContain("is not a studio backup");
    if (source.provider === "postgresql") {
      const missing = await runStudio(["backup", "--out", join(folder, "none.backup")], {
        databaseUrl: source.url,
        env: { STUDIO_PG_DUMP: join(folder, "no-such-pg_dump") },
      });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain("was not found");
      expect(missing.stderr).toContain("STUDIO_PG_DUMP");
    }
  });
});
