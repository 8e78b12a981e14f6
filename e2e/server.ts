/**
 * Starts `studio serve` for the end-to-end run on a database of its own: a temporary SQLite
 * file, or, when `TEST_DATABASE_URL` names a PostgreSQL server, a fresh database there that
 * is dropped again on exit. The global admin is fixed through STUDIO_ADMIN_* (see fixtures).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { ADMIN } from "./fixtures.ts";

const portIndex = process.argv.indexOf("--port");
const port = portIndex > 0 ? process.argv[portIndex + 1] : "4391";

const cleanups: Array<() => Promise<void> | void> = [];
let databaseUrl: string;
const server = process.env.TEST_DATABASE_URL;
if (server) {
  const name = `studio_e2e_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });
} else {
  const dir = mkdtempSync(join(tmpdir(), "prealign-e2e-"));
  databaseUrl = `file:${join(dir, "studio.db")}`;
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
}

// Uploads and snapshots go to a folder of the run's own, deleted on exit.
const dataDir = mkdtempSync(join(tmpdir(), "prealign-e2e-data-"));
cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

const child = spawn(process.execPath, ["apps/api/bin/studio.js", "serve", "--port", String(port)], {
  stdio: "inherit",
  env: {
    ...process.env,
    DATABASE_URL: databaseUrl,
    STUDIO_DATA_DIR: dataDir,
    STUDIO_ADMIN_EMAIL: ADMIN.email,
    STUDIO_ADMIN_PASSWORD: ADMIN.password,
  },
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  for (const cleanup of cleanups) await cleanup();
  process.exit(code);
}
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
child.on("exit", (code) => void stop(code ?? 1));
