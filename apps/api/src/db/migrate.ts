/**
 * Applying the migration history of the database's provider with the Prisma CLI
 * (`prisma migrate deploy`), run as a child process with the provider's config.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { parseDatabaseUrl, redactDatabaseUrl } from "../../../../prisma/adapters.ts";
import { ensureSqliteFile } from "./drivers.ts";

const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");

/** Each provider's Prisma config; it names the schema and the migration history. */
const configFiles = {
  sqlite: fileURLToPath(new URL("../../../../prisma/sqlite/prisma.config.ts", import.meta.url)),
  postgresql: fileURLToPath(new URL("../../../../prisma/postgres/prisma.config.ts", import.meta.url)),
} as const;

/** `prisma migrate deploy` failed; the message carries the CLI's own explanation. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

/**
 * What `prisma migrate deploy` prints last, once every migration is committed. Prisma's
 * WebAssembly schema engine arms a ten-second timer around its PostgreSQL advisory lock and
 * cannot cancel it, so the CLI lingers that long after its work is done; once this line is
 * out, the process is stopped instead of waited for.
 */
const DEPLOY_FINISHED = /^(All migrations have been successfully applied\.|No pending migrations to apply\.)$/m;

/** How long a finished CLI may take to exit on its own before it is stopped. */
const EXIT_GRACE_MS = 500;

/**
 * Brings the database at `databaseUrl` up to the newest migration. Throws
 * `DatabaseUrlError` for a malformed URL and {@link MigrationError} when the CLI fails.
 *
 * SQLite files must not be open in another connection meanwhile: Prisma takes an exclusive
 * lock for the migration, and fails when another connection holds the file.
 */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  const target = parseDatabaseUrl(databaseUrl);
  // Hand the CLI an absolute path so that it opens the same file whatever its working directory.
  const url = target.provider === "sqlite" ? `file:${target.file}` : databaseUrl;
  if (target.provider === "sqlite") ensureSqliteFile(target.file);
  const output = await new Promise<{ succeeded: boolean; text: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, "migrate", "deploy", "--config", configFiles[target.provider]], {
      env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    let finished = false;
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (!finished && DEPLOY_FINISHED.test(text)) {
        finished = true;
        setTimeout(() => child.kill(), EXIT_GRACE_MS).unref();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ succeeded: status === 0 || finished, text }));
  });
  if (!output.succeeded && target.provider === "sqlite" && /SQLITE_BUSY|SocketTimeout/.test(output.text)) {
    // Prisma locks a SQLite file exclusively while it migrates; another process has it open.
    throw new MigrationError(
      `Cannot migrate DATABASE_URL="${redactDatabaseUrl(databaseUrl)}": another process is using the SQLite file ` +
        `(a running studio serve?). Stop it, then try again.`,
    );
  }
  if (!output.succeeded) {
    throw new MigrationError(
      `Applying migrations to DATABASE_URL="${redactDatabaseUrl(databaseUrl)}" failed:\n${output.text.trim()}`,
    );
  }
}
