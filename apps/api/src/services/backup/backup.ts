/**
 * `studio backup` and `studio restore` (SPEC §6): a consistent copy of the whole database named
 * by `DATABASE_URL`, taken while the studio goes on working, and its way back.
 *
 * SQLite is copied with its online backup API (./sqlite.ts) into a copy that is itself a
 * SQLite database; PostgreSQL with `pg_dump` in one transaction (./postgres.ts) into a dump in
 * its custom format. Either is written under a temporary name and renamed when complete, so that
 * an interrupted backup never leaves a file that looks like a backup. A restore takes the kind
 * of backup its database uses, and refuses to overwrite a database that holds data unless forced.
 */
import { access, mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { parseDatabaseUrl, redactDatabaseUrl } from "../../db/database.ts";
import { BackupRefusedError } from "./errors.ts";
import { backupPostgres, isPostgresDump, postgresHasData, restorePostgres } from "./postgres.ts";
import { backupSqlite, isSqliteFile, restoreSqlite, sqliteHasData } from "./sqlite.ts";

export { BackupRefusedError, BackupToolError } from "./errors.ts";

/** Reports progress: `done` units (pages of SQLite, tables of PostgreSQL) of `total`. */
export interface BackupProgress {
  /** What is counted: "pages" or "tables". */
  unit: string;
  /** Called as the copy goes. */
  update(done: number, total: number): void;
}

/** What a finished backup or restore reports. */
export interface BackupSummary {
  /** Which kind of database was copied. */
  provider: "sqlite" | "postgresql";
  /** The database, as `DATABASE_URL` names it with any password hidden. */
  database: string;
  /** The backup file. */
  file: string;
  /** The backup file's size in bytes. */
  bytes: number;
}

/** The unit progress is counted in for each kind of database. */
export function progressUnitOf(databaseUrl: string): string {
  return parseDatabaseUrl(databaseUrl).provider === "sqlite" ? "pages" : "tables";
}

/** Whether a file exists at `path`. */
async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Why a file system call failed, in a person's words. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Copies the database at `databaseUrl` into the new file `out`. Throws
 * {@link BackupRefusedError} when `out` exists or its folder does not, and `BackupToolError`
 * when PostgreSQL's `pg_dump` is missing or fails.
 */
export async function backupDatabase(databaseUrl: string, out: string, onProgress: (done: number, total: number) => void): Promise<BackupSummary> {
  const target = parseDatabaseUrl(databaseUrl);
  if (await exists(out)) throw new BackupRefusedError(`${out} already exists. Choose a new file name for the backup, or move the old file away.`);
  if (!(await exists(dirname(out)))) throw new BackupRefusedError(`The folder ${dirname(out)} does not exist. Create it, or choose another place for the backup.`);
  const partial = `${out}.partial`;
  await rm(partial, { force: true });
  try {
    if (target.provider === "sqlite") {
      if (!(await exists(target.file))) {
        throw new BackupRefusedError(`There is no SQLite database at ${target.file} to back up. Check DATABASE_URL.`);
      }
      await backupSqlite(target.file, partial, onProgress);
    } else {
      await backupPostgres(target, partial, onProgress);
    }
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    // A system error of the file system (ENOSPC, EACCES, EROFS…): the place, not the database.
    if (error instanceof Error && "code" in error && typeof error.code === "string" && /^E[A-Z]+$/.test(error.code)) {
      throw new BackupRefusedError(`Cannot write the backup to ${out}: ${reasonOf(error)}. Choose a writable place with enough room.`);
    }
    throw error;
  }
  return { provider: target.provider, database: redactDatabaseUrl(databaseUrl), file: out, bytes: (await stat(out)).size };
}

/** Which kind of database the backup `file` is a copy of; refuses a file that is neither. */
async function providerOfBackup(file: string): Promise<"sqlite" | "postgresql"> {
  try {
    if (await isSqliteFile(file)) return "sqlite";
    if (await isPostgresDump(file)) return "postgresql";
  } catch (error) {
    throw new BackupRefusedError(`Cannot read the backup ${file}: ${reasonOf(error)}. Check the file name.`);
  }
  throw new BackupRefusedError(`${file} is not a studio backup: it is neither a SQLite database nor a PostgreSQL dump (pg_dump --format=custom).`);
}

/** How to restore. */
export interface RestoreOptions {
  /** Overwrite a database that holds data. */
  force: boolean;
  /** Called as the copy goes. */
  onProgress: (done: number, total: number) => void;
}

/**
 * Replaces the database at `databaseUrl` with the backup `file`. Throws
 * {@link BackupRefusedError} when the file is not a backup of that kind of database, or when
 * the database holds data and `force` is not set.
 */
export async function restoreDatabase(databaseUrl: string, file: string, options: RestoreOptions): Promise<BackupSummary> {
  const target = parseDatabaseUrl(databaseUrl);
  const shown = redactDatabaseUrl(databaseUrl);
  const kind = await providerOfBackup(file);
  if (kind !== target.provider) {
    const names = { sqlite: "SQLite", postgresql: "PostgreSQL" };
    throw new BackupRefusedError(
      `${file} is a backup of a ${names[kind]} database, but DATABASE_URL="${shown}" names a ${names[target.provider]} one. ` +
        `Restore it into a ${names[kind]} database (set DATABASE_URL accordingly).`,
    );
  }
  const hasData = target.provider === "sqlite" ? (await exists(target.file)) && sqliteHasData(target.file) : await postgresHasData(target);
  if (hasData && !options.force) {
    throw new BackupRefusedError(
      `The database DATABASE_URL="${shown}" already holds data, which the restore would replace. ` +
        `Restore into a new, empty database, or add --force to overwrite it (stop every studio server that uses it first).`,
    );
  }
  if (target.provider === "sqlite") {
    await mkdir(dirname(target.file), { recursive: true });
    await restoreSqlite(file, target.file, options.onProgress);
  } else {
    await restorePostgres(file, target, options.onProgress);
  }
  return { provider: target.provider, database: shown, file, bytes: (await stat(file)).size };
}
