/**
 * `studio migrate` as a person runs it after an upgrade: besides migrating, it sums the revisions
 * queued for the quality dashboard, so that the first dashboard read has nothing left to sum.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findProjectAccess } from "../services/access.ts";
import { getAgreement } from "../services/quality.ts";
import { refreshQualitySummary } from "../services/quality-summary.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { runStudio as run } from "../test/processes.ts";
import { createTeam, exampleIn } from "../test/workflow.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** `studio migrate` on the test database, which Prisma migrates on SQLite only while it holds the file's sole connection. */
async function migrate() {
  await database.db.$disconnect();
  return run(["migrate"], { databaseUrl: database.url });
}

describe("studio migrate", () => {
  it("sums the revisions queued for the dashboard, saying how far it got, and leaves the queue empty", async () => {
    const { db } = database;
    const team = await createTeam(db);
    // Three reviewed revisions, each reviewed twice: the triggers queue each revision once.
    for (const verdict of ["accept", "changes_needed", "accept"] as const) {
      await exampleIn(db, team, {
        stage: "adjudication",
        reviews: [
          { by: team.reviewer, verdict: "accept" },
          { by: team.reviewer2, verdict },
        ],
      });
    }
    expect(await db.qualityRefresh.count()).toBe(3);

    const result = await migrate();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("The database is up to date");
    expect(result.stderr).toContain("Summing revisions for the quality dashboard: 3/3 revisions (100%)");

    // Summed by the command, before any dashboard read: the queue is empty, every revision's
    // share is kept, and a read finds nothing left to sum and the figures complete.
    expect(await db.qualityRefresh.count()).toBe(0);
    expect(await db.qualityRevision.count()).toBe(3);
    expect(await refreshQualitySummary(db)).toBe(0);
    const access = await findProjectAccess(db, { projectSlug: team.project.slug }, team.admin.user);
    expect((await getAgreement(db, access, { days: 1 })).overall).toMatchObject({ units: 3, verdicts: 6 });
  });

  it("says nothing of the dashboard when nothing is queued", async () => {
    expect(await database.db.qualityRefresh.count()).toBe(0);
    const result = await migrate();
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
  });
});
