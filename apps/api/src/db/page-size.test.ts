/** The page size of the SQLite files the studio creates, whichever command creates them (see `SQLITE_PAGE_SIZE`). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStudio } from "../test/processes.ts";
import { createDb } from "./database.ts";
import { SQLITE_PAGE_SIZE, SqliteDatabase } from "./drivers.ts";
import { migrateDatabase } from "./migrate.ts";

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "studio-page-size-"));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The file's page size, journal mode and whether it has the examples' table. */
function inspect(file: string): { pageSize: unknown; journalMode: unknown; migrated: boolean } {
  const db = new SqliteDatabase(file, { readonly: true });
  try {
    return {
      pageSize: db.pragma("page_size", { simple: true }),
      journalMode: db.pragma("journal_mode", { simple: true }),
      migrated: db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'Example'`).get() !== undefined,
    };
  } finally {
    db.close();
  }
}

describe("SQLite files", () => {
  it("are created with 16 KB pages, in WAL mode, by `studio migrate`", async () => {
    const file = join(folder, "cli", "studio.db");
    const run = await runStudio(["migrate"], { databaseUrl: `file:${file}` });
    expect(run.status, run.stderr).toBe(0);
    expect(SQLITE_PAGE_SIZE).toBe(16_384);
    expect(inspect(file)).toEqual({ pageSize: 16_384, journalMode: "wal", migrated: true });
  });

  it("are created so by opening a database that does not exist yet, and by migrating one", async () => {
    const opened = join(folder, "opened.db");
    await (await createDb(`file:${opened}`)).$disconnect();
    expect(inspect(opened)).toEqual({ pageSize: 16_384, journalMode: "wal", migrated: false });
    const migrated = join(folder, "new", "studio.db");
    await migrateDatabase(`file:${migrated}`);
    expect(inspect(migrated)).toEqual({ pageSize: 16_384, journalMode: "wal", migrated: true });
  });

  it("keep the page size they already have", async () => {
    const file = join(folder, "old.db");
    const old = new SqliteDatabase(file);
    // Another page size than SQLite's default or the studio's, written by setting WAL mode.
    old.pragma("page_size = 8192");
    old.pragma("journal_mode = WAL");
    old.close();
    await migrateDatabase(`file:${file}`);
    await (await createDb(`file:${file}`)).$disconnect();
    expect(inspect(file)).toEqual({ pageSize: 8192, journalMode: "wal", migrated: true });
  });
});
