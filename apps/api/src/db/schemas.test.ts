/**
 * The two Prisma schemas (SQLite and PostgreSQL) describe the same models, and each
 * provider's migration history builds exactly its schema, so that the app behaves the same
 * on both and no migration is forgotten.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "./migrate.ts";

const prismaFolder = fileURLToPath(new URL("../../../../prisma/", import.meta.url));
const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");

/** The model blocks of a schema, without comments, generator and datasource. */
async function models(provider: "sqlite" | "postgres"): Promise<string> {
  const text = await readFile(join(prismaFolder, provider, "schema.prisma"), "utf8");
  return text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("//"))
    .join("\n")
    .replace(/(generator|datasource) \w+ \{[^}]*\}/g, "")
    .trim();
}

function prisma(args: string[], databaseUrl: string) {
  return spawnSync(process.execPath, [prismaCli, ...args], {
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}

/** Tables, columns and indexes of a SQLite database, in a comparable form. */
function describeSqlite(file: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name")
      .all() as { name: string }[];
    return tables.map(({ name }) => ({
      name,
      columns: db.prepare(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`).all(name),
      foreignKeys: db.prepare(`SELECT "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY "from"`).all(name),
      indexes: db.prepare(`SELECT name, "unique" FROM pragma_index_list(?) ORDER BY name`).all(name),
    }));
  } finally {
    db.close();
  }
}

describe("the Prisma schemas", () => {
  it("define the same models and fields for SQLite and PostgreSQL", async () => {
    const sqlite = await models("sqlite");
    expect(sqlite).toMatch(/model User \{/);
    expect(await models("postgres")).toBe(sqlite);
  });

  it("have migration histories with the same steps", async () => {
    const steps = async (provider: string) =>
      (await readdir(join(prismaFolder, provider, "migrations"), { withFileTypes: true }))
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
    const sqlite = await steps("sqlite");
    expect(sqlite.length).toBeGreaterThan(0);
    expect(await steps("postgres")).toEqual(sqlite);
  });
});

describe("the SQLite migration history", () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "studio-schema-"));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("builds the same tables as the schema", async () => {
    const migrated = join(folder, "migrated.db");
    await migrateDatabase(`file:${migrated}`);
    const config = join(prismaFolder, "sqlite", "prisma.config.ts");
    const script = prisma(
      ["migrate", "diff", "--config", config, "--from-empty", "--to-schema-datamodel", join(prismaFolder, "sqlite", "schema.prisma"), "--script"],
      `file:${join(folder, "unused.db")}`,
    );
    expect(script.status, script.stderr).toBe(0);
    const fromSchema = join(folder, "from-schema.db");
    const db = new Database(fromSchema);
    db.exec(script.stdout);
    db.close();
    expect(describeSqlite(migrated)).toEqual(describeSqlite(fromSchema));
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)("the PostgreSQL migration history", () => {
  it("builds exactly the schema", () => {
    const result = prisma(
      [
        "migrate",
        "diff",
        "--config",
        join(prismaFolder, "postgres", "prisma.config.ts"),
        "--from-migrations",
        join(prismaFolder, "postgres", "migrations"),
        "--to-schema-datamodel",
        join(prismaFolder, "postgres", "schema.prisma"),
        "--exit-code",
      ],
      process.env.TEST_DATABASE_URL!,
    );
    // Exit status 0: no difference; 2: the migrations and the schema differ.
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});
