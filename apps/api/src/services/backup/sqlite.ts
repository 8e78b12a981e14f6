/**
 * Backup and restore of a SQLite database through SQLite's online backup API (better-sqlite3's
 * `backup()`), which copies the database page by page while others go on reading and writing.
 *
 * A copy that another connection writes to in the middle starts over, so that the copy is
 * always one consistent state of the database. The studio's server writes through its own
 * connection, so under a steady stream of saves a copy taken in small steps could start over
 * for ever: after {@link RESTARTS_BEFORE_ONE_STEP} restarts the rest is copied in one step,
 * which holds a read snapshot (in WAL mode writers are not held up by it) and cannot restart.
 */
import { existsSync } from "node:fs";
import { open } from "node:fs/promises";
import type BetterSqlite3 from "better-sqlite3";
import { SqliteDatabase as Database } from "../../db/drivers.ts";
import { BackupRefusedError } from "./errors.ts";

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/** Pages copied per step (4 MB at SQLite's default page size, 16 MB at the studio's): small enough for a lively bar. */
const PAGES_PER_STEP = 1024;

/** How many times a copy may start over before the rest is copied in one step. */
const RESTARTS_BEFORE_ONE_STEP = 2;

/** How long a connection waits for another's lock before failing. */
const BUSY_TIMEOUT_MS = 60_000;

/** Reports pages copied so far of the database's pages. */
export type PageProgress = (done: number, total: number) => void;

/** Whether `file` begins as a SQLite database does. */
export async function isSqliteFile(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    return bytesRead === header.length && header.equals(SQLITE_HEADER);
  } finally {
    await handle.close();
  }
}

/** Copies the database `from` (open by a connection of its own) into the file `to`. */
async function copy(from: BetterSqlite3.Database, to: string, onProgress: PageProgress): Promise<void> {
  let restarts = 0;
  let lastRemaining = Number.POSITIVE_INFINITY;
  const { totalPages } = await from.backup(to, {
    progress({ totalPages, remainingPages }) {
      // A step that went on leaves fewer pages to copy; one that started over copied its pages
      // from the beginning again, which leaves at least as many as before.
      if (remainingPages >= lastRemaining) restarts += 1;
      lastRemaining = remainingPages;
      onProgress(totalPages - remainingPages, totalPages);
      return restarts >= RESTARTS_BEFORE_ONE_STEP ? 0x7fffffff : PAGES_PER_STEP;
    },
  });
  onProgress(totalPages, totalPages);
}

/** Copies the SQLite database `file` into `out` (a new file) while it stays in use. */
export async function backupSqlite(file: string, out: string, onProgress: PageProgress): Promise<void> {
  const source = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    await copy(source, out, onProgress);
  } finally {
    source.close();
  }
}

/** Whether the SQLite database `file` holds any row outside Prisma's migration table. */
export function sqliteHasData(file: string): boolean {
  const database = new Database(file, { fileMustExist: true, readonly: true, timeout: BUSY_TIMEOUT_MS });
  try {
    const tables = database
      .prepare(`SELECT "name" FROM "sqlite_master" WHERE "type" = 'table' AND "name" NOT LIKE 'sqlite_%' AND "name" <> '_prisma_migrations'`)
      .pluck()
      .all() as string[];
    return tables.some((table) => database.prepare(`SELECT EXISTS (SELECT 1 FROM "${table.replaceAll('"', '""')}")`).pluck().get() === 1);
  } finally {
    database.close();
  }
}

/**
 * Replaces the SQLite database `file` with the backup `backup`, page by page through the
 * backup API, so that the file's write-ahead log stays consistent with it.
 */
export async function restoreSqlite(backup: string, file: string, onProgress: PageProgress): Promise<void> {
  const source = new Database(backup, { fileMustExist: true, readonly: true });
  try {
    const check = source.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new BackupRefusedError(`${backup} is a damaged SQLite database (${String(check)}); nothing was restored. Restore another backup.`);
    const leftWal = existsSync(file) && leaveWalForPageSize(file, source.pragma("page_size", { simple: true }) as number);
    try {
      await copy(source, file, onProgress);
    } finally {
      if (leftWal) withConnection(file, (database) => database.pragma("journal_mode = WAL"));
    }
  } finally {
    source.close();
  }
}

function withConnection<T>(file: string, work: (database: BetterSqlite3.Database) => T): T {
  const database = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    return work(database);
  } finally {
    database.close();
  }
}

/**
 * Takes the database `file` out of WAL mode when its page size is not `pageSize`; returns whether
 * it did. The backup API gives the database it writes the backup's page size, except in WAL mode,
 * where it refuses to write ("attempt to write a readonly database"): the studio creates files
 * with 16 KB pages (`SQLITE_PAGE_SIZE`), and earlier versions made them with SQLite's 4 KB, so a
 * backup of one restored into the other differs.
 */
function leaveWalForPageSize(file: string, pageSize: number): boolean {
  return withConnection(file, (database) => {
    if (database.pragma("page_size", { simple: true }) === pageSize || database.pragma("journal_mode", { simple: true }) !== "wal") return false;
    // SQLite leaves WAL mode only when no other connection has the file open ("database is locked").
    let mode: unknown;
    try {
      mode = database.pragma("journal_mode = DELETE", { simple: true });
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_BUSY") throw error;
      mode = null;
    }
    if (mode !== "delete") throw new BackupRefusedError(`${file} is in use by another process; nothing was restored. Stop every studio server that uses it, then restore again.`);
    return true;
  });
}
