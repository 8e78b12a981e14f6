/**
 * `studio backup --out FILE` and `studio restore FILE [--force]` (SPEC §6): a consistent backup
 * of the database named by `DATABASE_URL`, taken while the studio serves, and its restore
 * (services/backup/backup.ts says how each database is copied). Progress is a bar on a terminal
 * and plain lines otherwise. Exit status: 0 when done; 2 for usage and I/O errors (FILE exists
 * or cannot be read or written, is not a backup of this kind of database, or the database to
 * restore into holds data and --force is missing); 1 when the database cannot be reached or
 * pg_dump or pg_restore is missing or fails.
 */
import { Command } from "commander";
import { databaseUrlFromEnv } from "../db/database.ts";
import { BackupRefusedError, BackupToolError, backupDatabase, progressUnitOf, restoreDatabase, type BackupSummary } from "../services/backup/backup.ts";
import { createProgress } from "./progress.ts";
import { CommandError, exitTwoOnUsageErrors, runCommand, UsageError } from "./support.ts";

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;
}

/** Runs a backup or restore with a progress reporter, turning its refusals into exit statuses. */
async function withProgress(label: string, work: (onProgress: (done: number, total: number) => void) => Promise<BackupSummary>): Promise<BackupSummary> {
  const progress = createProgress(label, progressUnitOf(databaseUrlFromEnv()));
  try {
    return await work((done, total) => progress.update(done, total));
  } catch (error) {
    if (error instanceof BackupRefusedError) throw new UsageError(error.message);
    if (error instanceof BackupToolError) throw new CommandError(error.message);
    throw error;
  } finally {
    progress.stop();
  }
}

/** The `backup` command. */
export function backupCommand(): Command {
  return exitTwoOnUsageErrors(
    new Command("backup")
      .description("write a consistent backup of the database to a new file (the studio may keep running)")
      .requiredOption("--out <file>", "the backup file to create (it must not exist)")
      .action((options: { out: string }) =>
        runCommand(async () => {
          const summary = await withProgress("Backing up", (onProgress) => backupDatabase(databaseUrlFromEnv(), options.out, onProgress));
          process.stdout.write(`Backed up ${summary.database} to ${summary.file} (${megabytes(summary.bytes)}).\n`);
        }),
      ),
  );
}

/** The `restore` command. */
export function restoreCommand(): Command {
  return exitTwoOnUsageErrors(
    new Command("restore")
      .description("restore a backup into the database (which must be empty unless --force)")
      .argument("<file>", "a backup written by studio backup")
      .option("--force", "overwrite a database that holds data (stop the studio servers that use it first)", false)
      .action((file: string, options: { force: boolean }) =>
        runCommand(async () => {
          const summary = await withProgress("Restoring", (onProgress) => restoreDatabase(databaseUrlFromEnv(), file, { force: options.force, onProgress }));
          process.stdout.write(`Restored ${summary.file} into ${summary.database}.\n`);
        }),
      ),
  );
}
