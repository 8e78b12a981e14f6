/**
 * What the database commands (`serve`, `migrate`, `user add`, `project create`) share:
 * opening the database named by `DATABASE_URL`, and turning failures into a message on
 * standard error and an exit status (2 for usage and input errors, 1 for everything else).
 */
import type { Command } from "commander";
import { createDb, DatabaseUnavailableError, DatabaseUrlError, databaseUrlFromEnv, type Db } from "../db/database.ts";
import { MigrationError } from "../db/migrate.ts";
import { DomainError } from "../errors.ts";

/** A mistake in how the command was called; exits with status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A command could not do its work for a reason its message explains; exits with status 1. */
export class CommandError extends Error {
  override name = "CommandError";
}

/** Commander's own usage errors (unknown option, missing value) exit with status 2 too. */
export function exitTwoOnUsageErrors(command: Command): Command {
  return command.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
}

/** Failures whose message says all a person needs; anything else is a bug and keeps its stack. */
function isExpected(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    error instanceof CommandError ||
    error instanceof DomainError ||
    error instanceof DatabaseUrlError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof MigrationError
  );
}

function exitStatusOf(error: unknown): number {
  return error instanceof UsageError || error instanceof DomainError || error instanceof DatabaseUrlError ? 2 : 1;
}

/** Runs a command's work, printing any failure as `studio: <message>` on standard error and setting the exit status. */
export async function runCommand(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const text = isExpected(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`studio: ${text}\n`);
    process.exitCode = exitStatusOf(error);
  }
}

/** Opens the database named by `DATABASE_URL`, runs `work` with it, and closes it. */
export async function withDatabase<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const db = await createDb(databaseUrlFromEnv());
  try {
    return await work(db);
  } finally {
    await db.$disconnect();
  }
}
