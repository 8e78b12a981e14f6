/**
 * `studio migrate`: applies the database's pending migrations, then sums the revisions queued
 * for the quality dashboard, so that its first read after an upgrade is as fast as any other.
 */
import { Command } from "commander";
import { databaseUrlFromEnv, redactDatabaseUrl, type Db } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { refreshQualitySummary } from "../services/quality-summary.ts";
import { createProgress } from "./progress.ts";
import { exitTwoOnUsageErrors, runCommand, withDatabase } from "./support.ts";

/** The `migrate` command. */
export function migrateCommand(): Command {
  return exitTwoOnUsageErrors(
    new Command("migrate")
      .description("apply database migrations and bring the quality dashboard's sums up to date (the database is chosen by DATABASE_URL)")
      .action(() =>
        runCommand(async () => {
          const url = databaseUrlFromEnv();
          // Opening first gives a clear message when the URL is malformed or the database unreachable.
          await withDatabase(async () => undefined);
          await migrateDatabase(url);
          await withDatabase(sumQueuedRevisions);
          process.stdout.write(`The database is up to date (DATABASE_URL=${redactDatabaseUrl(url)}).\n`);
        }),
      ),
  );
}

/**
 * Sums the revisions queued for the dashboard, every project's at once (the queue is shared),
 * with progress on standard error. An upgrade that adds the per-day sums queues every reviewed
 * revision, about a minute's work per 800,000, which would otherwise fall on the first person
 * to open a dashboard; on a database already current there is nothing to sum and nothing said.
 */
async function sumQueuedRevisions(db: Db): Promise<void> {
  const queued = await db.qualityRefresh.count();
  if (queued === 0) return;
  const progress = createProgress("Summing revisions for the quality dashboard", "revisions");
  progress.update(0, queued);
  // Revisions queued while it runs are summed too, so the count may pass the first total.
  await refreshQualitySummary(db, (summed) => progress.update(summed, Math.max(queued, summed)));
  progress.stop();
}
