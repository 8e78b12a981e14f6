/**
 * The two ways a backup or restore stops on purpose, which the command line turns into
 * different exit statuses.
 */

/**
 * The command was asked for something it must not or cannot do with the files and database
 * it was given (the output exists, the input is not a backup, the database is not empty, a
 * file cannot be read or written); the message says what to do instead.
 */
export class BackupRefusedError extends Error {
  override name = "BackupRefusedError";
}

/** The program that does the work (`pg_dump`, `pg_restore`) is missing or failed. */
export class BackupToolError extends Error {
  override name = "BackupToolError";
}
