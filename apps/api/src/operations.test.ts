/**
 * What an operator relies on when running the server: request ids in answers and in the JSON
 * log, `/healthz` telling when the database is down, and a shutdown that stops the server's
 * background jobs between two batches rather than in the middle of one.
 */
import { Writable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REQUEST_ID_HEADER } from "./server.ts";
import { JobCancelledError, runJob, startJob, stopRunningJobs } from "./services/jobs.ts";
import { createTestDatabase, type TestDatabase } from "./test/database.ts";
import { projectWithMembers, signedInUser } from "./test/fixtures.ts";
import { startTestServer } from "./test/http.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** A log destination that keeps every JSON line the server writes. */
function logLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe("request ids", () => {
  it("are kept from the caller or made up, echoed in the answer, and on every log line of the request", async () => {
    const log = logLines();
    const server = await startTestServer(database.db, { logger: { level: "info", stream: log.stream } });
    try {
      const given = await fetch(`${server.url}/healthz`, { headers: { [REQUEST_ID_HEADER]: "trace-42.a:b" } });
      expect(given.headers.get(REQUEST_ID_HEADER)).toBe("trace-42.a:b");
      const made = await fetch(`${server.url}/trpc/auth.me`);
      const madeId = made.headers.get(REQUEST_ID_HEADER);
      expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
      // An id that could write into the log is replaced, not kept.
      const hostile = await fetch(`${server.url}/healthz`, { headers: { [REQUEST_ID_HEADER]: "x".repeat(200) } });
      expect(hostile.headers.get(REQUEST_ID_HEADER)).toMatch(/^[0-9a-f-]{36}$/);

      const ofRequest = (id: string | null) => log.lines.filter((line) => line.requestId === id);
      expect(ofRequest("trace-42.a:b").map((line) => line.msg)).toEqual(["incoming request", "request completed"]);
      expect(ofRequest(madeId).find((line) => line.msg === "request completed")).toMatchObject({ res: { statusCode: made.status } });
    } finally {
      await server.close();
    }
  });
});

describe("/healthz", () => {
  /** Runs one statement on the PostgreSQL server of the suite, outside the test database. */
  async function onServer(statement: string): Promise<void> {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  // SQLite is a file in the server's own process: there is no database server to go down.
  it.skipIf(!process.env.TEST_DATABASE_URL)("answers 503 with the reason while PostgreSQL refuses connections, and 200 again after", async () => {
    const down = await createTestDatabase();
    const name = new URL(down.url).pathname.slice(1);
    const server = await startTestServer(down.db);
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      await onServer(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await onServer(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
      const response = await fetch(`${server.url}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "unavailable", reason: "The database does not answer." });
      await onServer(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      await expect.poll(async () => (await fetch(`${server.url}/healthz`)).status, { timeout: 10_000 }).toBe(200);
    } finally {
      await server.close();
      await onServer(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      await down.drop();
    }
  });
});

describe("closing the server", () => {
  it("lets a running job finish the batch it is writing, then stops it as a cancel would", async () => {
    const { db } = database;
    const admin = await signedInUser(db, { isAdmin: true });
    const project = await projectWithMembers(db, [{ session: admin, roles: ["admin"] }]);
    const server = await startTestServer(db);
    const run = await startJob(db, { projectId: project.id, kind: "import", params: {}, createdById: admin.user.id });
    const batches: string[] = [];
    let batchStarted!: () => void;
    const inBatch = new Promise<void>((resolve) => (batchStarted = resolve));
    const job = runJob(db, run, "import", async () => {
      for (let batch = 1; ; batch += 1) {
        run.checkpoint();
        batches.push(`batch ${batch} started`);
        batchStarted();
        await new Promise((resolve) => setTimeout(resolve, 300));
        batches.push(`batch ${batch} written`);
      }
    });
    await inBatch;
    await server.close();
    const outcome = await job;
    expect(outcome.ok === false && outcome.error).toBeInstanceOf(JobCancelledError);
    expect(batches).toEqual(["batch 1 started", "batch 1 written"]);
    expect(await db.job.findUniqueOrThrow({ where: { id: run.id }, select: { status: true } })).toEqual({ status: "cancelled" });
    // Nothing is left for a second shutdown to wait for.
    await stopRunningJobs(db);
  });
});
