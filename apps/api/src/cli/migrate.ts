/**
 * `studio migrate`: applies the database's pending migrations.
 */
import { Command } from "commander";
import { databaseUrlFromEnv, redactDatabaseUrl } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { exitTwoOnUsageErrors, runCommand, withDatabase } from "./support.ts";

/** The `migrate` command. */
export function migrateCommand(): Command {
  return exitTwoOnUsageErrors(
    new Command("migrate")
      .description("apply database migrations (the database is chosen by DATABASE_URL)")
      .action(() =>
        runCommand(async () => {
          const url = databaseUrlFromEnv();
          // Opening first gives a clear message when the URL is malformed or the database unreachable.
          await withDatabase(async () => undefined);
          await migrateDatabase(url);
          process.stdout.write(`The database is up to date (DATABASE_URL=${redactDatabaseUrl(url)}).\n`);
        }),
      ),
  );
}
