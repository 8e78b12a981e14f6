/**
 * Creating and listing accounts as a global admin, and how passwords end up stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActiveSession } from "../services/sessions.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { callerFor, failure, signedInUser, uniqueEmail } from "../test/fixtures.ts";

let database: TestDatabase;
let admin: ActiveSession;

beforeAll(async () => {
  database = await createTestDatabase();
  admin = await signedInUser(database.db, { isAdmin: true });
});

afterAll(async () => {
  await database?.drop();
});

describe("users.create", () => {
  it("creates an account with a generated password that signs in", async () => {
    const { caller } = callerFor(database.db, admin);
    const email = uniqueEmail("grace");
    const created = await caller.users.create({ email: email.toUpperCase(), name: "Grace" });
    expect(created.user).toMatchObject({ email, name: "Grace", isAdmin: false });
    expect(created.generatedPassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const { caller: anonymous } = callerFor(database.db, null);
    await expect(anonymous.auth.login({ email, password: created.generatedPassword! })).resolves.toBeTruthy();
  });

  it("uses a chosen password and does not echo it", async () => {
    const { caller } = callerFor(database.db, admin);
    const created = await caller.users.create({ email: uniqueEmail(), password: "a chosen password" });
    expect(created).not.toHaveProperty("generatedPassword");
    expect(JSON.stringify(created)).not.toContain("a chosen password");
  });

  it("refuses a duplicate email, whatever its case", async () => {
    const { caller } = callerFor(database.db, admin);
    const email = uniqueEmail("twice");
    await caller.users.create({ email });
    const error = await failure(caller.users.create({ email: email.toUpperCase() }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toContain(`An account with the email ${email} already exists`);
  });

  it("refuses a short password and a malformed email with messages that say what to fix", async () => {
    const { caller } = callerFor(database.db, admin);
    const short = await failure(caller.users.create({ email: uniqueEmail(), password: "short" }));
    expect(short.code).toBe("BAD_REQUEST");
    expect(short.message).toMatch(/password/);
    const malformed = await failure(caller.users.create({ email: "not an email" }));
    expect(malformed.code).toBe("BAD_REQUEST");
    expect(malformed.message).toMatch(/email/);
  });

  it("is refused to a user who is not a global admin", async () => {
    const someone = await signedInUser(database.db);
    const { caller } = callerFor(database.db, someone);
    expect((await failure(caller.users.create({ email: uniqueEmail() }))).code).toBe("FORBIDDEN");
    expect((await failure(caller.users.list())).code).toBe("FORBIDDEN");
  });

  it("records the creation in the audit log", async () => {
    const { caller } = callerFor(database.db, admin);
    const { user } = await caller.users.create({ email: uniqueEmail("audited") });
    const events = await database.db.auditEvent.findMany({ where: { action: "user.create", to: user.email }, select: { actorId: true } });
    expect(events).toEqual([{ actorId: admin.user.id }]);
  });
});

describe("users.list", () => {
  it("lists accounts without their password hashes", async () => {
    const { caller } = callerFor(database.db, admin);
    const users = await caller.users.list();
    expect(users.map((user) => user.email)).toContain(admin.user.email);
    for (const user of users) expect(user).not.toHaveProperty("passwordHash");
  });
});

describe("stored passwords", () => {
  it("are salted argon2id hashes: two accounts with one password store different hashes, and never the password", async () => {
    const { caller } = callerFor(database.db, admin);
    const password = "shared password 123";
    const first = await caller.users.create({ email: uniqueEmail(), password });
    const second = await caller.users.create({ email: uniqueEmail(), password });
    const rows = await database.db.user.findMany({
      where: { id: { in: [first.user.id, second.user.id] } },
      select: { passwordHash: true, email: true, name: true },
    });
    const [a, b] = rows.map((row) => row.passwordHash);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(b).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(JSON.stringify(rows)).not.toContain(password);
    const { caller: anonymous } = callerFor(database.db, null);
    await expect(anonymous.auth.login({ email: first.user.email, password: "shared password 124" })).rejects.toThrow(
      "Email or password is incorrect.",
    );
  });
});
