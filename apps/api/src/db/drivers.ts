/**
 * What code that goes around Prisma for speed needs to know about the database behind a
 * client: which provider it is, the SQLite file it has open, and better-sqlite3 loaded so that
 * a second connection to that file is safe.
 *
 * A second SQLite connection (an import's writer thread, an export's page threads, a backup)
 * must come from the same copy of SQLite as Prisma's: the locks that keep the connections of
 * one process from trampling on each other's WAL are kept per copy of the library, so a
 * connection from another copy (apps/api's own better-sqlite3 is another version than the one
 * @prisma/adapter-better-sqlite3 brings) could checkpoint or reset the WAL under Prisma's
 * connection. {@link SqliteDatabase} is therefore loaded from where the adapter loads it.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { Db } from "./database.ts";

/** The database a client talks to. */
export type SqlProvider = "sqlite" | "postgresql";

/** Which database `db` talks to, as the Prisma client records it. */
export function providerOf(db: Db): SqlProvider {
  const provider = (db as unknown as { _activeProvider?: string })._activeProvider;
  if (provider !== "sqlite" && provider !== "postgresql") throw new Error(`Unknown database provider ${String(provider)}`);
  return provider;
}

/** The file of the SQLite database `db` has open, for a second connection to it. */
export async function sqliteFileOf(db: Db): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ file: string }[]>(`SELECT "file" FROM pragma_database_list WHERE "name" = 'main'`);
  const file = rows[0]?.file;
  if (!file) throw new Error("The SQLite database has no file to open a second connection to");
  return file;
}

/** better-sqlite3 as Prisma's SQLite adapter loads it (see the module comment). */
const adapterRequire = createRequire(createRequire(import.meta.url).resolve("@prisma/adapter-better-sqlite3"));
export const SqliteDatabase = adapterRequire("better-sqlite3") as typeof BetterSqlite3;

/**
 * The page size of the SQLite files the studio creates (SQLite's default is 4,096 bytes). A
 * revision (its text and its editor document, 2 KB or more) fills most of a 4 KB page, which then
 * holds one; pages of 16 KB hold several, and every page written costs a system call in the
 * write-ahead log and another when it is copied into the file. Imports of a million lines ran at
 * 17,150 and 15,100 lines/s against 15,080 and 13,850 with 4 KB pages, using 6-12% less CPU time per
 * line (alternated runs of `npm run bench -- import.throughput`). A file keeps the page size it
 * was created with.
 */
export const SQLITE_PAGE_SIZE = 16_384;

/**
 * Creates the SQLite database `file`, when it is missing or empty, with the studio's page size
 * and in WAL mode, before anything else opens it (whatever opens a missing file first makes it
 * with SQLite's default page size, for good), and its folder if need be.
 */
export function ensureSqliteFile(file: string): void {
  if (existsSync(file) && statSync(file).size > 0) return;
  mkdirSync(dirname(file), { recursive: true });
  const created = new SqliteDatabase(file);
  try {
    // Before anything is written: the first write fixes the page size.
    created.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
    created.pragma("journal_mode = WAL");
  } finally {
    created.close();
  }
}
