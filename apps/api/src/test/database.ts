/**
 * A fresh, migrated database for one test file: a temporary SQLite file, or, when
 * `TEST_DATABASE_URL` names a PostgreSQL server, a new database `studio_t_<random>` on it.
 * Either way it is deleted afterwards.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createDb, parseDatabaseUrl, type Db } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";

/** A database that exists for the length of a test file. */
export interface TestDatabase {
  /** The open client. */
  db: Db;
  /** Its URL, for child processes (`DATABASE_URL`). */
  url: string;
  /** Which provider the suite runs against. */
  provider: "sqlite" | "postgresql";
  /** Closes the client and deletes the database. */
  drop(): Promise<void>;
}

async function withServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const target = parseDatabaseUrl(serverUrl);
  if (target.provider !== "postgresql") throw new Error(`TEST_DATABASE_URL must be a postgresql:// URL, not ${serverUrl}`);
  const { host, port, user, password, database } = target;
  const client = new pg.Client({ host, port, database, ...(user ? { user } : {}), ...(password ? { password } : {}) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createPostgresDatabase(serverUrl: string, migrate: boolean): Promise<TestDatabase> {
  const name = `studio_t_${randomBytes(6).toString("hex")}`;
  await withServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const drop = () => withServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  try {
    if (migrate) await migrateDatabase(databaseUrl);
    const db = await createDb(databaseUrl);
    return {
      db,
      url: databaseUrl,
      provider: "postgresql",
      drop: async () => {
        await db.$disconnect();
        await drop();
      },
    };
  } catch (error) {
    await drop();
    throw error;
  }
}

async function createSqliteDatabase(migrate: boolean): Promise<TestDatabase> {
  const folder = await mkdtemp(join(tmpdir(), "studio-test-"));
  const url = `file:${join(folder, "studio.db")}`;
  if (migrate) await migrateDatabase(url);
  const db = await createDb(url);
  return {
    db,
    url,
    provider: "sqlite",
    drop: async () => {
      await db.$disconnect();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/**
 * Creates and migrates a database for one test file (PostgreSQL when `TEST_DATABASE_URL` is
 * set); with `migrate: false` it is left without tables, as a newly created database is.
 */
export function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL?.trim();
  const migrate = options.migrate ?? true;
  return serverUrl ? createPostgresDatabase(serverUrl, migrate) : createSqliteDatabase(migrate);
}
