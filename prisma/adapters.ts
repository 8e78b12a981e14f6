/**
 * Reading `DATABASE_URL` and opening the Prisma driver adapter it names. Used at run time by
 * the API's database factory and by the Prisma CLI (through each provider's
 * `prisma.config.ts`) when it applies migrations, so both always agree on where the data is.
 */
import { isAbsolute, resolve } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { Mutex } from "async-mutex";
import pg from "pg";

/** The database used when `DATABASE_URL` is unset: a SQLite file under `data/`. */
export const DEFAULT_DATABASE_URL = "file:./data/studio.db";

/** A SQLite database file. */
export interface SqliteTarget {
  /** Which schema, migration history and generated client apply. */
  provider: "sqlite";
  /** Absolute path of the database file (relative paths are resolved against the working directory). */
  file: string;
}

/** A PostgreSQL database, as discrete connection fields (the migration fix below needs them). */
export interface PostgresTarget {
  /** Which schema, migration history and generated client apply. */
  provider: "postgresql";
  /** Host name, or the directory of a Unix socket (from `?host=`). */
  host: string;
  /** TCP port, 5432 unless the URL names one. */
  port: number;
  /** Role to connect as; empty means the driver's default (`PGUSER` or the OS user). */
  user: string;
  /** Password, empty when the server trusts the connection. */
  password: string;
  /** Database name. */
  database: string;
}

/** Where the data lives, as `DATABASE_URL` describes it. */
export type DatabaseTarget = SqliteTarget | PostgresTarget;

/** `DATABASE_URL` cannot be understood; the message says what is wrong and what would work. */
export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
}

/** The URL with any password replaced by `***`, fit for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*:)[^@/]*@/, "$1***@");
}

/**
 * Reads a database URL: `file:PATH` is SQLite, `postgresql://` or `postgres://` is
 * PostgreSQL. Throws {@link DatabaseUrlError} naming `DATABASE_URL` when the URL is malformed.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseTarget {
  const shown = redactDatabaseUrl(url);
  if (url.startsWith("file:")) {
    const path = url.slice("file:".length);
    if (path === "" || path.includes("?") || path === ":memory:") {
      throw new DatabaseUrlError(
        `DATABASE_URL "${shown}" does not name a SQLite file. Use file:PATH, for example ${DEFAULT_DATABASE_URL}.`,
      );
    }
    return { provider: "sqlite", file: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    return parsePostgresUrl(url, shown);
  }
  throw new DatabaseUrlError(
    `DATABASE_URL "${shown}" is not a database URL this studio understands. Use file:PATH for SQLite ` +
      `(the default is ${DEFAULT_DATABASE_URL}) or postgresql://USER:PASSWORD@HOST:PORT/DATABASE for PostgreSQL.`,
  );
}

function parsePostgresUrl(url: string, shown: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUrlError(
      `DATABASE_URL "${shown}" is not a valid URL. Expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE.`,
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (database === "" || database.includes("/")) {
    throw new DatabaseUrlError(
      `DATABASE_URL "${shown}" names no database. Add it after the host, as in postgresql://USER@HOST:5432/DATABASE.`,
    );
  }
  const unsupported = [...parsed.searchParams.keys()].filter((key) => key !== "host");
  if (unsupported.length > 0) {
    throw new DatabaseUrlError(
      `DATABASE_URL "${shown}" has parameters this studio does not support (${unsupported.join(", ")}). ` +
        `Only ?host=SOCKET_DIRECTORY is understood; remove the others.`,
    );
  }
  const host = parsed.searchParams.get("host") ?? decodeURIComponent(parsed.hostname);
  if (host === "") {
    throw new DatabaseUrlError(`DATABASE_URL "${shown}" names no host. Use postgresql://USER@HOST:5432/DATABASE.`);
  }
  return {
    provider: "postgresql",
    host,
    port: parsed.port === "" ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  };
}

/**
 * Rewrites result columns of the PostgreSQL catalog types `name` (OID 19) and `"char"`
 * (OID 18) as `text` (OID 25). Prisma's JavaScript schema engine reads `pg_catalog` columns of
 * these types, which the pg adapter cannot deserialize (prisma/prisma#27403): without this,
 * `migrate deploy` fails on `name` and `migrate diff --from-migrations` on `"char"`.
 */
function retypeNameColumns<R>(result: R): R {
  for (const one of Array.isArray(result) ? result : [result]) {
    const fields = (one as { fields?: { dataTypeID: number }[] } | undefined)?.fields;
    for (const field of fields ?? []) {
      if (field.dataTypeID === 19 || field.dataTypeID === 18) field.dataTypeID = 25;
    }
  }
  return result;
}

/** A `pg.Client` whose results report catalog `name` and `"char"` columns as `text`; see {@link retypeNameColumns}. */
class NameAsTextClient extends pg.Client {
  override query(...args: unknown[]): never {
    const callbackIndex = args.findIndex((arg) => typeof arg === "function");
    const callback = args[callbackIndex] as ((error: Error | null, result: unknown) => void) | undefined;
    if (callback) {
      args[callbackIndex] = (error: Error | null, result: unknown) =>
        callback(error, error ? result : retypeNameColumns(result));
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
    return (returned instanceof Promise ? returned.then(retypeNameColumns) : returned) as never;
  }
}

/** What a driver adapter factory opens: one connection, with queries and transactions. */
type SqlDriverAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;

/** An open transaction of a {@link SqlDriverAdapter}. */
type SqlTransaction = Awaited<ReturnType<SqlDriverAdapter["startTransaction"]>>;

/**
 * A SQLite connection on which a statement outside a transaction waits until no transaction is
 * open. better-sqlite3 gives Prisma one connection; Prisma's adapter serialises transactions
 * on it but lets other statements run straight away, and a statement run while another
 * request's transaction is open becomes part of that transaction: it is committed or rolled
 * back with it (a sign-in's new session would vanish when someone else's save rolls back).
 * Here the transaction takes a lock from `BEGIN` until it commits or rolls back, and every
 * statement outside it takes the same lock for the moment it runs.
 */
function serializeTransactions(connection: SqlDriverAdapter): SqlDriverAdapter {
  // async-mutex grants the lock in call order; its release functions are safe to call twice.
  const lock = new Mutex();
  const alone = <T>(work: () => Promise<T>): Promise<T> => lock.runExclusive(work);
  const releasing = (transaction: SqlTransaction, release: () => void): SqlTransaction => ({
    provider: transaction.provider,
    adapterName: transaction.adapterName,
    options: transaction.options,
    queryRaw: (query) => transaction.queryRaw(query),
    executeRaw: (query) => transaction.executeRaw(query),
    commit: () => transaction.commit().finally(release),
    rollback: () => transaction.rollback().finally(release),
  });
  return {
    provider: connection.provider,
    adapterName: connection.adapterName,
    queryRaw: (query) => alone(() => connection.queryRaw(query)),
    executeRaw: (query) => alone(() => connection.executeRaw(query)),
    executeScript: (script) => alone(() => connection.executeScript(script)),
    async startTransaction(isolationLevel) {
      const release = await lock.acquire();
      try {
        return releasing(await connection.startTransaction(isolationLevel), release);
      } catch (error) {
        release();
        throw error;
      }
    },
    ...(connection.getConnectionInfo ? { getConnectionInfo: () => connection.getConnectionInfo!() } : {}),
    dispose: () => connection.dispose(),
  };
}

/** The better-sqlite3 adapter factory, whose connections keep outside statements out of open transactions; see {@link serializeTransactions}. */
class SerializedSqliteAdapter {
  readonly provider = "sqlite";
  readonly adapterName: string;
  readonly #inner: PrismaBetterSQLite3;

  constructor(inner: PrismaBetterSQLite3) {
    this.#inner = inner;
    this.adapterName = inner.adapterName;
  }

  /** Opens the database file. */
  async connect(): Promise<SqlDriverAdapter> {
    return serializeTransactions(await this.#inner.connect());
  }

  /** Opens the shadow database the Prisma CLI diffs against. */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return serializeTransactions(await this.#inner.connectToShadowDb());
  }
}

/** How a long-running process sizes its PostgreSQL connection pool (SQLite has one connection). */
export interface PoolOptions {
  /** The most connections at once (pg's default is 10). */
  max?: number;
  /** How long an unused connection stays open; 100 ms unless given, so that a finished CLI exits at once. */
  idleTimeoutMillis?: number;
}

/** The Prisma driver adapter for a target: better-sqlite3 for SQLite, pg for PostgreSQL. */
export function createAdapter(target: DatabaseTarget, pool: PoolOptions = {}): SerializedSqliteAdapter | PrismaPg {
  if (target.provider === "sqlite") {
    // `timeout` is better-sqlite3's busy timeout: wait this long for another writer.
    return new SerializedSqliteAdapter(new PrismaBetterSQLite3({ url: `file:${target.file}`, timeout: 5000 }));
  }
  const { host, port, user, password, database } = target;
  return new PrismaPg({
    host,
    port,
    database,
    ...(user === "" ? {} : { user }),
    ...(password === "" ? {} : { password }),
    Client: NameAsTextClient,
    connectionTimeoutMillis: 10_000,
    // Idle pooled connections must not keep a finished process (the Prisma CLI) alive.
    allowExitOnIdle: true,
    idleTimeoutMillis: pool.idleTimeoutMillis ?? 100,
    ...(pool.max === undefined ? {} : { max: pool.max }),
  });
}
