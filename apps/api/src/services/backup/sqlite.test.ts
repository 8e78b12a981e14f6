/**
 * The SQLite backup under a steady stream of writes from another connection, which makes a
 * copy taken in steps start over each time: it must still finish, and hold one consistent
 * moment of the database.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteDatabase as Database } from "../../db/drivers.ts";
import { backupSqlite, restoreSqlite } from "./sqlite.ts";

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "studio-sqlite-backup-"));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

it("finishes while another connection writes between every step, with a consistent copy", async () => {
  const file = join(folder, "busy.db");
  const writer = new Database(file);
  writer.pragma("journal_mode = WAL");
  writer.exec(`CREATE TABLE "Row" ("id" INTEGER PRIMARY KEY, "body" BLOB NOT NULL, "total" INTEGER NOT NULL)`);
  // About 5,000 pages, so that the copy takes several steps.
  const insert = writer.prepare(`INSERT INTO "Row" ("body", "total") VALUES (?, (SELECT count(*) FROM "Row") + 1)`);
  writer.transaction(() => {
    for (let row = 0; row < 5_000; row += 1) insert.run(Buffer.alloc(3_000, row % 251));
  })();
  let writes = 0;
  const writing = setInterval(() => {
    insert.run(Buffer.alloc(3_000, 7));
    writes += 1;
  }, 1);
  const progress: number[] = [];
  try {
    await backupSqlite(file, join(folder, "busy.backup"), (done) => progress.push(done));
  } finally {
    clearInterval(writing);
    writer.close();
  }
  expect(writes).toBeGreaterThan(0);
  // The copy started over at least once (a step that did not get further): the writes did
  // land between its steps.
  expect(progress.some((done, index) => index > 1 && done <= progress[index - 1]!)).toBe(true);
  const copy = new Database(join(folder, "busy.backup"), { readonly: true });
  try {
    expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
    // Each row counts the rows up to it: a copy of one moment has no gap and no torn row.
    const { rows, last } = copy.prepare(`SELECT count(*) AS "rows", max("total") AS "last" FROM "Row"`).get() as { rows: number; last: number };
    expect(rows).toBeGreaterThanOrEqual(5_000);
    expect(last).toBe(rows);
  } finally {
    copy.close();
  }
});

describe("restoring into a database of another page size", () => {
  /** A database in WAL mode with `pageSize` pages and, unless `empty`, a table of rows. */
  function database(name: string, pageSize: number, empty = false): string {
    const file = join(folder, name);
    const db = new Database(file);
    db.pragma(`page_size = ${pageSize}`);
    db.pragma("journal_mode = WAL");
    if (!empty) {
      db.exec(`CREATE TABLE "Row" ("id" INTEGER PRIMARY KEY, "body" BLOB NOT NULL)`);
      const insert = db.prepare(`INSERT INTO "Row" ("body") VALUES (?)`);
      for (let row = 0; row < 100; row += 1) insert.run(Buffer.alloc(3_000, row));
    }
    db.close();
    return file;
  }

  // The studio's files have 16 KB pages (SQLITE_PAGE_SIZE); earlier versions made them with 4 KB.
  it.each([
    [4096, 16_384],
    [16_384, 4096],
  ])("restores a backup with %i-byte pages into a WAL database with %i-byte pages, which takes the backup's and stays in WAL mode", async (from, into) => {
    const backup = join(folder, `from-${from}.backup`);
    await backupSqlite(database(`from-${from}.db`, from), backup, () => {});
    const target = database(`into-${into}.db`, into, true);
    await restoreSqlite(backup, target, () => {});
    const restored = new Database(target, { readonly: true });
    try {
      expect(restored.pragma("page_size", { simple: true })).toBe(from);
      expect(restored.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(restored.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(restored.prepare(`SELECT count(*) AS "rows" FROM "Row"`).get()).toEqual({ rows: 100 });
    } finally {
      restored.close();
    }
  });

  it("refuses, changing nothing, while another connection has that database open", async () => {
    const backup = join(folder, "busy-from.backup");
    await backupSqlite(database("busy-from.db", 4096), backup, () => {});
    const target = database("busy-into.db", 16_384, true);
    const other = new Database(target);
    try {
      other.prepare("SELECT 1").get();
      await expect(restoreSqlite(backup, target, () => {})).rejects.toThrow(/in use by another process; nothing was restored/);
      expect(other.pragma("page_size", { simple: true })).toBe(16_384);
      expect(other.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      other.close();
    }
  });
});
