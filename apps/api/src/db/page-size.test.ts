/** The page size of the SQLite files the studio creates (see `SQLITE_PAGE_SIZE`). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteDatabase } from "./drivers.ts";
import { migrateDatabase, SQLITE_PAGE_SIZE } from "./migrate.ts";

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
  it("are created with 16 KB pages, in WAL mode, and migrated", async () => {
    const file = join(folder, "new", "studio.db");
    await migrateDatabase(`file:${file}`);
    expect(SQLITE_PAGE_SIZE).toBe(16_384);
    expect(inspect(file)).toEqual({ pageSize: 16_384, journalMode: "wal", migrated: true });
  });

  it("keep the page size they already have", async () => {
    const file = join(folder, "old.db");
    const old = new SqliteDatabase(file);
    // As SQLite made the studio's files before: 4 KB pages, written by setting WAL mode.
    old.pragma("page_size = 4096");
    old.pragma("journal_mode = WAL");
    old.close();
    await migrateDatabase(`file:${file}`);
    expect(inspect(file)).toMatchObject({ pageSize: 4096, migrated: true });
  });
});
