/**
 * The load benchmark, full form (issue 12): `load.save_p99`. 200 people sign in (in waves of
 * 20), take an example from the commentary queue, autosave it about every 2 s and browse the
 * project between saves (a page of the list, or one example, in turn), for 60 s, over HTTP against a
 * `studio serve` process of its own — on a temporary SQLite file, then on a fresh database on
 * the PostgreSQL server at 127.0.0.1:5432 (skipped, with a note on stderr, when none answers).
 * The driver is the load test's (apps/api/src/load/driver.ts). Goal: save p99 under 150 ms on
 * SQLite and under 250 ms on PostgreSQL.
 *
 * Each database prints `load.save_p99` beside its baseline, the save p99 of one person saving
 * alone on the same server just before (so the ratio is what the crowd costs), and then the
 * other figures without baseline: p50/p95/p99 and calls per second of every procedure, the
 * number of failed calls (and of "database is locked" among them) and of acknowledged saves
 * missing from the database afterwards — both must be 0.
 *
 * `LOAD_PEOPLE` and `LOAD_SECONDS` override the 200 people and 60 s for a quick look, and
 * `LOAD_DATABASES=sqlite` or `=postgresql` measures only one of the two.
 */
import { rm, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "../apps/api/src/db/database.ts";
import { findLostSaves, runLoad, seedLoadProject, type LoadReport, type LoadTeam } from "../apps/api/src/load/driver.ts";
import { startServerProcess } from "../apps/api/src/load/server-process.ts";
import { createTestDatabase, type TestDatabase } from "../apps/api/src/test/database.ts";
import type { Benchmark, BenchResult } from "./harness.ts";

const PEOPLE = Number(process.env.LOAD_PEOPLE ?? 200);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const DATABASES = (process.env.LOAD_DATABASES ?? "sqlite,postgresql").split(",");
const SAVE_EVERY_MS = 2_000;
const LOGIN_WAVE = 20;
/** The shared PostgreSQL server the benchmark makes its fresh database on. */
const POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

/** Progress and diagnostics, on stderr so that stdout keeps one JSON line per figure. */
function log(message: string): void {
  process.stderr.write(`load: ${message}\n`);
}

/** A fresh, migrated database: SQLite in a temporary folder, or a new database on {@link POSTGRES_SERVER}. */
async function freshDatabase(provider: "sqlite" | "postgresql"): Promise<TestDatabase> {
  const previous = process.env.TEST_DATABASE_URL;
  // The tests' helper picks its provider from TEST_DATABASE_URL, read when it is called.
  if (provider === "postgresql") process.env.TEST_DATABASE_URL = POSTGRES_SERVER;
  else delete process.env.TEST_DATABASE_URL;
  try {
    return await createTestDatabase();
  } finally {
    if (previous === undefined) delete process.env.TEST_DATABASE_URL;
    else process.env.TEST_DATABASE_URL = previous;
  }
}

/** Runs the load against one database and answers its figures. */
async function measure(provider: "sqlite" | "postgresql"): Promise<BenchResult[]> {
  const label = provider === "sqlite" ? "SQLite" : "PostgreSQL";
  const database = await freshDatabase(provider);
  const dataDir = await mkdtemp(join(tmpdir(), "studio-load-"));
  try {
    const team = await seedLoadProject(database.db, PEOPLE + 1);
    // The server process must be the database file's only user while it migrates.
    await database.db.$disconnect();
    const server = await startServerProcess(database.url, { dataDir });
    let alone: LoadReport;
    let crowd: LoadReport;
    const solo: LoadTeam = { ...team, emails: team.emails.slice(PEOPLE) };
    const everyone: LoadTeam = { ...team, emails: team.emails.slice(0, PEOPLE) };
    try {
      alone = await runLoad({ url: server.url, team: solo, durationMs: 5_000, saveEveryMs: 100 });
      log(`${label}: ${PEOPLE} people for ${SECONDS} s`);
      crowd = await runLoad({ url: server.url, team: everyone, durationMs: SECONDS * 1000, saveEveryMs: SAVE_EVERY_MS, loginWave: LOGIN_WAVE });
    } finally {
      await server.stop();
    }
    const serverLog = server.output().trim();
    if (serverLog !== "") log(`${label}: the server wrote:\n${serverLog.slice(-4000)}`);
    const db = await createDb(database.url);
    const lost = await findLostSaves(db, [...alone.saves, ...crowd.saves]);
    await db.$disconnect();
    for (const message of lost.slice(0, 10)) log(`${label}: lost: ${message}`);
    for (const [message, count] of Object.entries(crowd.errorMessages)) log(`${label}: ${count} × ${message}`);
    const setting = `${label}, ${PEOPLE} people, ${SECONDS} s`;
    const save = crowd.operations["examples.save"];
    if (!save) throw new Error(`No save was made on ${label}: ${JSON.stringify(crowd.errorMessages)}`);
    const results: BenchResult[] = [
      { name: "load.save_p99", value: save.p99, unit: `ms (p99 of examples.save, ${setting}; baseline: one person alone)`, baseline: alone.operations["examples.save"]?.p99 ?? 0 },
    ];
    for (const [path, stats] of Object.entries(crowd.operations)) {
      for (const p of ["p50", "p95", "p99"] as const) results.push({ name: `load.${path}_${p}`, value: stats[p], unit: `ms (${setting})` });
      results.push({ name: `load.${path}_throughput`, value: stats.perSecond, unit: `calls/s (${setting})` });
    }
    const errors = Object.values(crowd.operations).reduce((sum, stats) => sum + stats.errors, 0);
    results.push(
      { name: "load.errors", value: errors, unit: `failed calls (${setting})` },
      { name: "load.locked_errors", value: crowd.lockedErrors, unit: `"database is locked" failures (${setting})` },
      { name: "load.saves_lost", value: lost.length, unit: `of ${crowd.saves.length + alone.saves.length} acknowledged saves (${setting})` },
    );
    return results;
  } finally {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Whether the shared PostgreSQL server answers. */
async function postgresAnswers(): Promise<boolean> {
  try {
    await (await createDb(POSTGRES_SERVER)).$disconnect();
    return true;
  } catch (error) {
    log(`PostgreSQL at 127.0.0.1:5432 does not answer, so it is skipped: ${(error as Error).message}`);
    return false;
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: "load.save_p99",
    async run() {
      const results: BenchResult[] = [];
      if (DATABASES.includes("sqlite")) results.push(...(await measure("sqlite")));
      if (DATABASES.includes("postgresql") && (await postgresAnswers())) results.push(...(await measure("postgresql")));
      return results;
    },
  },
];
