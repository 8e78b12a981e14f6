/**
 * The database commands as a person runs them: `studio project create`, `studio user add`
 * (password on standard input), `studio migrate`, `studio serve` with first-run setup, and
 * what happens when DATABASE_URL is wrong.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../services/passwords.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { runStudio as run, STUDIO as studio } from "../test/processes.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe("studio project create", () => {
  it("creates a project, and refuses a taken or malformed slug with status 2", async () => {
    const created = await run(["project", "create", "--slug", "cli-project", "--name", "CLI project"], { databaseUrl: database.url });
    expect(created.stdout).toContain('Created project "cli-project"');
    expect(created.status).toBe(0);
    const again = await run(["project", "create", "--slug", "cli-project", "--name", "Again"], { databaseUrl: database.url });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('A project with the slug "cli-project" already exists');
    const malformed = await run(["project", "create", "--slug", "Bad Slug", "--name", "x"], { databaseUrl: database.url });
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toContain("lowercase letters, digits or hyphens");
  });
});

describe("studio user add", () => {
  it("makes a global admin from --role admin without --project, reading the password from standard input", async () => {
    const result = await run(["user", "add", "--email", "Root@Example.org", "--role", "admin"], {
      databaseUrl: database.url,
      input: "a long admin password\n",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const user = await database.db.user.findUniqueOrThrow({
      where: { email: "root@example.org" },
      select: { isAdmin: true, passwordHash: true, memberships: { select: { role: true } } },
    });
    expect(user).toMatchObject({ isAdmin: true, memberships: [] });
    expect(await verifyPassword(user.passwordHash, "a long admin password")).toBe(true);
  });

  it("gives the role in the project with --project", async () => {
    await run(["project", "create", "--slug", "cli-members", "--name", "Members"], { databaseUrl: database.url });
    const result = await run(["user", "add", "--email", "writer@example.org", "--role", "author", "--project", "cli-members"], {
      databaseUrl: database.url,
      input: "writer password",
    });
    expect(result.stdout).toContain('with the author role in project "cli-members"');
    const user = await database.db.user.findUniqueOrThrow({
      where: { email: "writer@example.org" },
      select: { isAdmin: true, memberships: { select: { role: true, project: { select: { slug: true } } } } },
    });
    expect(user).toEqual({ isAdmin: false, memberships: [{ role: "author", project: { slug: "cli-members" } }] });
  });

  it.each([
    { why: "an unknown role", args: ["--email", "a@example.org", "--role", "boss"], message: 'Unknown role "boss". Use one of: author, commentator, reviewer, adjudicator, admin.' },
    { why: "a project role without a project", args: ["--email", "a@example.org", "--role", "reviewer"], message: "The reviewer role belongs to a project: add --project SLUG" },
    { why: "an unknown project", args: ["--email", "a@example.org", "--role", "author", "--project", "nowhere"], message: 'There is no project "nowhere"' },
    { why: "a taken email", args: ["--email", "ROOT@example.org", "--role", "admin"], message: "An account with the email root@example.org already exists" },
    { why: "a malformed email", args: ["--email", "not-an-email", "--role", "admin"], message: '"not-an-email" is not an email address' },
    { why: "a missing --email", args: ["--role", "admin"], message: "required option '--email <email>' not specified" },
  ])("refuses $why with status 2 and says what to do", async ({ args, message }) => {
    const result = await run(["user", "add", ...args], { databaseUrl: database.url, input: "some password" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it("refuses an empty password and a short one with status 2", async () => {
    const empty = await run(["user", "add", "--email", "empty@example.org", "--role", "admin"], { databaseUrl: database.url, input: "" });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain("No password was given on standard input");
    const short = await run(["user", "add", "--email", "short@example.org", "--role", "admin"], { databaseUrl: database.url, input: "abc" });
    expect(short.status).toBe(2);
    expect(short.stderr).toContain("at least 8 characters");
    expect(await database.db.user.count({ where: { email: { in: ["empty@example.org", "short@example.org"] } } })).toBe(0);
  });
});

describe("a wrong DATABASE_URL", () => {
  it.each([
    ["a malformed URL", "mysql://localhost/studio", 2, "is not a database URL this studio understands"],
    ["a URL without a database", "postgresql://127.0.0.1:5432", 2, "names no database"],
    ["an unreachable server", "postgresql://postgres@127.0.0.1:1/studio", 1, "Can't reach database server at 127.0.0.1:1"],
  ])("stops %s with a non-zero status naming DATABASE_URL and the cause", async (_why, url, status, cause) => {
    for (const args of [["migrate"], ["project", "create", "--slug", "x1", "--name", "X"]]) {
      const result = await run(args, { databaseUrl: url });
      expect(result.status, args.join(" ")).toBe(status);
      expect(result.stderr).toContain("DATABASE_URL");
      expect(result.stderr).toContain(cause);
    }
  });
});

describe("studio migrate", () => {
  it("reports a migrated database as up to date", async () => {
    // Prisma migrates SQLite only while it holds the file's sole connection.
    await database.db.$disconnect();
    const result = await run(["migrate"], { databaseUrl: database.url });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("The database is up to date");
  });

  it.runIf(!process.env.TEST_DATABASE_URL)("says so when another process holds the SQLite file", async () => {
    // Reading through the test's own connection keeps the file open, as a running server would.
    expect(await database.db.user.count()).toBeGreaterThan(0);
    const result = await run(["migrate"], { databaseUrl: database.url });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("another process is using the SQLite file (a running studio serve?)");
  });
});

/** Starts `studio serve` and resolves once it prints its address. */
function startServer(databaseUrl: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [studio, "serve", "--port", "0"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<{ url: string; stdout: string }>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url) resolve({ url, stdout });
    });
    child.on("close", (status) => reject(new Error(`studio serve exited with ${status}: ${stderr}`)));
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.once("close", resolve);
      child.kill("SIGTERM");
    });
  return { ready, stop };
}

// Each start spawns the Prisma CLI to migrate before it listens.
describe("studio serve", { timeout: 60_000 }, () => {
  it("on an empty database creates an admin once, prints the password, and that admin can sign in", async () => {
    const fresh = await createTestDatabase();
    await fresh.db.$disconnect();
    try {
      const first = startServer(fresh.url);
      const { url, stdout } = await first.ready;
      const created = /^Admin account created: (\S+) \/ (\S+)$/m.exec(stdout);
      expect(created?.[1]).toBe("admin@localhost");
      expect(stdout).toContain("Demo project created: demo");
      const login = await fetch(`${url}/trpc/auth.login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-studio-csrf": "1" },
        body: JSON.stringify({ email: created![1], password: created![2] }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
      const input = encodeURIComponent(JSON.stringify({ projectSlug: "demo" }));
      const response = await fetch(`${url}/trpc/projects.get?input=${input}`, { headers: { cookie } });
      const project = (await response.json()) as { result: { data: { roles: string[]; guideline: { markdown: string } } } };
      expect(project.result.data.roles).toEqual(["author", "commentator", "reviewer", "adjudicator", "admin"]);
      expect(project.result.data.guideline.markdown).toContain("<AI_quoting_human>");
      expect(await first.stop()).toBe(0);

      const second = startServer(fresh.url);
      expect((await second.ready).stdout).not.toContain("Admin account created");
      expect(await second.stop()).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it("uses STUDIO_ADMIN_EMAIL and STUDIO_ADMIN_PASSWORD when both are set", async () => {
    const fresh = await createTestDatabase();
    await fresh.db.$disconnect();
    try {
      const server = startServer(fresh.url, { STUDIO_ADMIN_EMAIL: "lead@example.org", STUDIO_ADMIN_PASSWORD: "e2e password 1" });
      const { url, stdout } = await server.ready;
      expect(stdout).toContain("Admin account created: lead@example.org");
      expect(stdout).not.toContain("e2e password 1");
      const login = await fetch(`${url}/trpc/auth.login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-studio-csrf": "1" },
        body: JSON.stringify({ email: "lead@example.org", password: "e2e password 1" }),
      });
      expect(login.status).toBe(200);
      expect(await server.stop()).toBe(0);
    } finally {
      await fresh.drop();
    }
  });
});
