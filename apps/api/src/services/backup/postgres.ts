/**
 * Backup and restore of a PostgreSQL database through PostgreSQL's own programs: `pg_dump`
 * takes the backup inside one transaction (a repeatable-read snapshot), so it holds exactly
 * what was committed when it began, however much the studio writes meanwhile; `pg_restore`
 * writes it back in one transaction, so that a failed restore leaves nothing half-done.
 *
 * The programs are found on the PATH, or named by `STUDIO_PG_DUMP` and `STUDIO_PG_RESTORE`.
 * They connect with the fields of `DATABASE_URL`, passed in their environment (`PGHOST` and so
 * on) so that a password never shows in a process list. Progress is read from their `--verbose`
 * lines: one per table copied.
 */
import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import pg from "pg";
import type { PostgresTarget } from "../../../../../prisma/adapters.ts";
import { DatabaseUnavailableError } from "../../db/database.ts";
import { BackupToolError } from "./errors.ts";

/** The first bytes of a dump in `pg_dump`'s custom format. */
const DUMP_HEADER = Buffer.from("PGDMP", "latin1");

/** Reports tables copied so far of the tables to copy. */
export type TableProgress = (done: number, total: number) => void;

/** A PostgreSQL program and the variable that names it. */
interface Tool {
  /** Its usual name on the PATH. */
  name: "pg_dump" | "pg_restore";
  /** The variable that names it instead. */
  variable: "STUDIO_PG_DUMP" | "STUDIO_PG_RESTORE";
}

const PG_DUMP: Tool = { name: "pg_dump", variable: "STUDIO_PG_DUMP" };
const PG_RESTORE: Tool = { name: "pg_restore", variable: "STUDIO_PG_RESTORE" };

/** Whether `file` begins as a dump in `pg_dump`'s custom format does. */
export async function isPostgresDump(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const header = Buffer.alloc(DUMP_HEADER.length);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    return bytesRead === header.length && header.equals(DUMP_HEADER);
  } finally {
    await handle.close();
  }
}

/** The environment that points libpq's programs at `target`. */
function connectionEnv(target: PostgresTarget): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGDATABASE: target.database,
    ...(target.user ? { PGUSER: target.user } : {}),
    ...(target.password ? { PGPASSWORD: target.password } : {}),
  };
}

/**
 * Runs `tool` with `args`, calling `onLine` with each line it writes to standard error.
 * Throws {@link BackupToolError} when it cannot be started or fails, with its own last words.
 */
function run(tool: Tool, args: string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void = () => undefined): Promise<string> {
  const program = process.env[tool.variable]?.trim() || tool.name;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let pending = "";
    const complaints: string[] = [];
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        onLine(line);
        if (/error|fatal|warning/i.test(line)) complaints.push(line);
      }
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT"
          ? new BackupToolError(
              `${program} was not found${program === tool.name ? " on the PATH" : ""}. Install PostgreSQL's client programs ` +
                `(for example \`apt-get install postgresql-client\`), or name the program with ${tool.variable}=/path/to/${tool.name}.`,
            )
          : new BackupToolError(`${program} could not be started: ${error.message}.`),
      );
    });
    child.on("close", (status) => {
      if (status === 0) return resolve(stdout);
      const said = complaints.slice(-5).join("\n") || pending.trim() || "no message";
      reject(new BackupToolError(`${program} failed (exit status ${status}):\n${said}`));
    });
  });
}

/** Runs `work` with a client connected to `target`. */
async function withClient<T>(target: PostgresTarget, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const { host, port, user, password, database } = target;
  const client = new pg.Client({ host, port, database, ...(user ? { user } : {}), ...(password ? { password } : {}) });
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnavailableError(
      `Cannot connect to the PostgreSQL database "${database}" on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}. ` +
        `Check that PostgreSQL is running, that the database exists (createdb makes one), and that DATABASE_URL names it.`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The user tables of the database, without Prisma's migration table unless asked. */
async function tablesOf(client: pg.Client, withMigrations: boolean): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name FROM pg_tables
     WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND ($1 OR tablename <> '_prisma_migrations')`,
    [withMigrations],
  );
  return rows.map((row) => row.name);
}

/** Whether the database holds any row outside Prisma's migration table. */
export function postgresHasData(target: PostgresTarget): Promise<boolean> {
  return withClient(target, async (client) => {
    for (const table of await tablesOf(client, false)) {
      const { rows } = await client.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS found`);
      if (rows[0]?.found) return true;
    }
    return false;
  });
}

/** Dumps the database into `out` (a new file) as one consistent snapshot. */
export async function backupPostgres(target: PostgresTarget, out: string, onProgress: TableProgress): Promise<void> {
  const total = await withClient(target, async (client) => (await tablesOf(client, true)).length);
  let done = 0;
  onProgress(done, total);
  await run(PG_DUMP, ["--format=custom", "--verbose", "--file", out], connectionEnv(target), (line) => {
    if (/dumping contents of table/.test(line)) onProgress(++done, total);
  });
  onProgress(total, total);
}

/**
 * Restores the dump `backup` into the database, in one transaction. Objects the dump holds are
 * dropped first where they exist (a database that was only migrated has the tables already).
 */
export async function restorePostgres(backup: string, target: PostgresTarget, onProgress: TableProgress): Promise<void> {
  const env = connectionEnv(target);
  const listing = await run(PG_RESTORE, ["--list", backup], env);
  const total = listing.split("\n").filter((line) => / TABLE DATA /.test(line)).length;
  let done = 0;
  onProgress(done, total);
  await run(
    PG_RESTORE,
    ["--verbose", "--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", `--dbname=${target.database}`, backup],
    env,
    (line) => {
      if (/processing data for table/.test(line)) onProgress(++done, total);
    },
  );
  onProgress(total, total);
}
