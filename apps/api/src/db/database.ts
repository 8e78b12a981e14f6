/**
 * Opening the database named by `DATABASE_URL`: the generated Prisma client of the right
 * provider behind one type, {@link Db}.
 */
import {
  createAdapter,
  DatabaseUrlError,
  DEFAULT_DATABASE_URL,
  parseDatabaseUrl,
  redactDatabaseUrl,
  type PoolOptions,
} from "../../../../prisma/adapters.ts";
import type { PrismaClient } from "../../../../prisma/generated/sqlite/client.ts";
import { ensureSqliteFile } from "./drivers.ts";

export { DatabaseUrlError, DEFAULT_DATABASE_URL, parseDatabaseUrl, redactDatabaseUrl };
export type { Prisma } from "../../../../prisma/generated/sqlite/client.ts";

/**
 * The database client the app works with. Typed as the SQLite client: the PostgreSQL client
 * is generated from a schema with the same models (a test checks this), and the app uses no
 * provider-specific query features, so one type serves both.
 */
export type Db = PrismaClient;

/**
 * The PostgreSQL connection pool of the studio's processes. Connections stay open while idle
 * for a while (the adapters' default closes them after 100 ms, for the CLI's sake, so that a
 * server under uneven load kept opening new ones, each a new PostgreSQL backend process), and
 * the pool allows `STUDIO_DB_POOL_SIZE` connections (default 10, pg's own default): a save holds
 * one for its transaction, and on a two-core machine more backends than that only take turns.
 */
const POSTGRES_POOL = {
  max: Number(process.env.STUDIO_DB_POOL_SIZE) || 10,
  idleTimeoutMillis: 30_000,
} satisfies PoolOptions;

/** The database cannot be opened or reached; the message names `DATABASE_URL` and the cause. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

/** `DATABASE_URL` from the environment, or the SQLite default when it is unset or empty. */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  return url === undefined || url === "" ? DEFAULT_DATABASE_URL : url;
}

function causeOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Prisma wraps driver errors as "Raw query failed. Code: `…`. Message: `…`"; keep the driver's words.
  const driverMessage = /Message: `(.*)`/.exec(message)?.[1];
  return driverMessage ?? message.trim().split("\n").filter(Boolean).at(-1) ?? "unknown error";
}

/**
 * Opens the database at `databaseUrl` and checks that it answers. `file:` URLs open SQLite
 * (creating the file's folder, with WAL and a busy timeout); `postgresql://` and
 * `postgres://` open PostgreSQL. Throws {@link DatabaseUrlError} for a malformed URL and
 * {@link DatabaseUnavailableError} when the database cannot be reached.
 */
export async function createDb(databaseUrl: string): Promise<Db> {
  const target = parseDatabaseUrl(databaseUrl);
  const shown = redactDatabaseUrl(databaseUrl);
  if (target.provider === "sqlite") {
    try {
      ensureSqliteFile(target.file);
    } catch (error) {
      throw new DatabaseUnavailableError(
        `Cannot create the SQLite database DATABASE_URL="${shown}" or its folder: ${causeOf(error)}. ` +
          `Point DATABASE_URL at a writable location.`,
      );
    }
  }
  const adapter = createAdapter(target, POSTGRES_POOL);
  // Only the chosen provider's client is loaded; each brings its own query compiler.
  const db: Db =
    target.provider === "sqlite"
      ? new (await import("../../../../prisma/generated/sqlite/client.ts")).PrismaClient({ adapter })
      : (new (await import("../../../../prisma/generated/postgres/client.ts")).PrismaClient({
          adapter,
        }) as unknown as Db);
  try {
    if (target.provider === "sqlite") {
      // WAL lets readers proceed while one writer writes; the setting persists in the file.
      await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    } else {
      await db.$queryRawUnsafe("SELECT 1");
    }
  } catch (error) {
    await db.$disconnect().catch(() => undefined);
    const advice =
      target.provider === "sqlite"
        ? "Check that the file is a SQLite database and that its folder is writable."
        : "Check that PostgreSQL is running, that the database exists, and that DATABASE_URL names the right host, port, user and database.";
    throw new DatabaseUnavailableError(`Cannot open the database DATABASE_URL="${shown}": ${causeOf(error)}. ${advice}`);
  }
  return db;
}

/** Prisma's codes for a database it cannot reach, that closed the connection, or whose pool ran dry. */
const UNREACHABLE_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]);

/** The driver adapters' kinds of the same failures. */
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/**
 * PostgreSQL's SQLSTATEs of a server going away or not there yet: class 08 (connection
 * exception) and 57P01–57P03 (shut down by the operator, crashed, starting up).
 */
const UNREACHABLE_SQLSTATE = /^(08|57P0[1-3])/;

/** What pg says when the server drops a connection without a SQLSTATE. */
const UNREACHABLE_MESSAGE = /Connection terminated|not queryable|ECONNREFUSED|ECONNRESET/;

/**
 * Whether `error` (or what it wraps) says that the database is out of reach — stopped,
 * restarting, or not answering — rather than that the request was wrong, so that callers can
 * be told to try again shortly. Looks through Prisma's wrapping: its error codes, the driver
 * adapter's error kinds and PostgreSQL's SQLSTATEs.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    const { code, kind, originalCode, message, cause, meta } = value as Record<string, unknown>;
    if (typeof code === "string" && (UNREACHABLE_CODES.has(code) || (kind === "postgres" && UNREACHABLE_SQLSTATE.test(code)))) return true;
    if (typeof kind === "string" && UNREACHABLE_KINDS.has(kind)) return true;
    if (typeof originalCode === "string" && UNREACHABLE_SQLSTATE.test(originalCode)) return true;
    if (typeof message === "string" && UNREACHABLE_MESSAGE.test(message)) return true;
    pending.push(cause, (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
  }
  return false;
}
