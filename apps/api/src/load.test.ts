/**
 * The load test, short form (issue 12): thirty people sign in, take an example from the
 * commentary queue, autosave every half second and browse the project for four seconds,
 * over HTTP against a real server on the suite's database (PostgreSQL when
 * `TEST_DATABASE_URL` is set). No call may fail — in particular none with "database is
 * locked" — and every save the server acknowledged must be in the database. Timings are the
 * benchmark's business (`npm run bench -- load.save_p99`), not this test's.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { findLostSaves, runLoad, seedLoadProject, type LoadTeam } from "./load/driver.ts";
import { createTestDatabase, type TestDatabase } from "./test/database.ts";
import { startTestServer, type TestServer } from "./test/http.ts";

const PEOPLE = 30;

let database: TestDatabase;
let server: TestServer;
let team: LoadTeam;

beforeAll(async () => {
  database = await createTestDatabase();
  team = await seedLoadProject(database.db, PEOPLE);
  server = await startTestServer(database.db);
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

it("thirty people autosaving and browsing at once get no error and lose no save", async () => {
  const report = await runLoad({ url: server.url, team, durationMs: 4_000, saveEveryMs: 500, loginWave: 10, minSavesPerPerson: 3 });
  expect(report.errorMessages).toEqual({});
  expect(report.lockedErrors).toBe(0);
  expect(report.operations["auth.login"]?.calls).toBe(PEOPLE);
  expect(report.operations["claims.next"]?.calls).toBe(PEOPLE);
  // Every person saved several times on their own example, so the saves really overlapped.
  expect(new Set(report.saves.map((save) => save.exampleId)).size).toBe(PEOPLE);
  expect(report.saves.length).toBeGreaterThanOrEqual(PEOPLE * 3);
  expect(await findLostSaves(database.db, report.saves)).toEqual([]);
  const revisions = await database.db.revision.count({ where: { example: { project: { slug: team.projectSlug } } } });
  expect(revisions).toBe(PEOPLE + report.saves.length);
}, 120_000);
