/**
 * Applying the migration history of the database's provider with the Prisma CLI
 * (`prisma migrate deploy`), run as a child process with the provider's config.
 */
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDatabaseUrl, redactDatabaseUrl } from "../../../../prisma/adapters.ts";

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
 * Brings the database at `databaseUrl` up to the newest migration. Throws
 * `DatabaseUrlError` for a malformed URL and {@link MigrationError} when the CLI fails.
 *
 * On PostgreSQL this takes about ten seconds longer than the work itself: Prisma's
 * WebAssembly schema engine starts a ten-second timer around its advisory lock and has no
 * way to cancel it, so the CLI process only exits when the timer fires.
 */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  const target = parseDatabaseUrl(databaseUrl);
  // Hand the CLI an absolute path so that it opens the same file whatever its working directory.
  const url = target.provider === "sqlite" ? `file:${target.file}` : databaseUrl;
  if (target.provider === "sqlite") await mkdir(dirname(target.file), { recursive: true });
  const output = await new Promise<{ status: number | null; text: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, "migrate", "deploy", "--config", configFiles[target.provider]], {
      env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, text }));
  });
  if (output.status !== 0) {
    throw new MigrationError(
      `Applying migrations to DATABASE_URL="${redactDatabaseUrl(databaseUrl)}" failed:\n${output.text.trim()}`,
    );
  }
}
