/**
 * Signing in and out through the API, sessions' expiry, and login throttling.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGIN_FAILED_MESSAGE } from "../services/auth.ts";
import { LoginLimiter } from "../services/login-limiter.ts";
import { hashSessionToken, resumeSession, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, startSession } from "../services/sessions.ts";
import { createUser } from "../services/users.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { callerFor, failure, TEST_PASSWORD, uniqueEmail } from "../test/fixtures.ts";

let database: TestDatabase;
let email: string;

beforeAll(async () => {
  database = await createTestDatabase();
  email = uniqueEmail("ada");
  await createUser(database.db, { email, name: "Ada", password: TEST_PASSWORD, actorId: null });
});

afterAll(async () => {
  await database?.drop();
});

describe("auth.login", () => {
  it("signs in with the right password, issues a session cookie, and auth.me names the user", async () => {
    const { caller, cookies } = callerFor(database.db, null);
    const { user } = await caller.auth.login({ email, password: TEST_PASSWORD });
    expect(user).toMatchObject({ email, name: "Ada", isAdmin: false });
    expect(cookies.issued).toHaveLength(1);
    const session = await resumeSession(database.db, cookies.issued[0]!.token);
    expect(session?.user.email).toBe(email);
    const { caller: signedIn } = callerFor(database.db, session);
    await expect(signedIn.auth.me()).resolves.toMatchObject({ email, name: "Ada" });
  });

  it("accepts the email in any case and with surrounding spaces", async () => {
    const { caller } = callerFor(database.db, null);
    await expect(caller.auth.login({ email: `  ${email.toUpperCase()} `, password: TEST_PASSWORD })).resolves.toBeTruthy();
  });

  it("stores only a hash of the session token", async () => {
    const { caller, cookies } = callerFor(database.db, null);
    await caller.auth.login({ email, password: TEST_PASSWORD });
    const token = cookies.issued[0]!.token;
    expect(await database.db.session.findUnique({ where: { id: token } })).toBeNull();
    expect(await database.db.session.findUnique({ where: { id: hashSessionToken(token) } })).not.toBeNull();
  });

  it("gives one message for a wrong password and for an unknown email", async () => {
    const { caller, cookies } = callerFor(database.db, null, { clientAddress: "198.51.100.1" });
    const wrongPassword = await failure(caller.auth.login({ email, password: "not the password" }));
    const unknownEmail = await failure(caller.auth.login({ email: "nobody@example.org", password: TEST_PASSWORD }));
    for (const error of [wrongPassword, unknownEmail]) {
      expect(error.code).toBe("UNAUTHORIZED");
      expect(error.message).toBe(LOGIN_FAILED_MESSAGE);
    }
    expect(cookies.issued).toHaveLength(0);
  });

  it("refuses a disabled account with the same message", async () => {
    const disabledEmail = uniqueEmail("gone");
    const { user } = await createUser(database.db, { email: disabledEmail, password: TEST_PASSWORD, actorId: null });
    await database.db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() }, select: { id: true } });
    const { caller } = callerFor(database.db, null);
    const error = await failure(caller.auth.login({ email: disabledEmail, password: TEST_PASSWORD }));
    expect(error.message).toBe(LOGIN_FAILED_MESSAGE);
  });

  it("refuses every attempt after five failures from one address, even with the right password", async () => {
    const limiter = new LoginLimiter();
    const { caller } = callerFor(database.db, null, { limiter, clientAddress: "192.0.2.50" });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await failure(caller.auth.login({ email, password: `guess ${attempt}` }))).code).toBe("UNAUTHORIZED");
    }
    const blocked = await failure(caller.auth.login({ email, password: TEST_PASSWORD }));
    expect(blocked.code).toBe("TOO_MANY_REQUESTS");
    expect(blocked.message).toMatch(/Too many failed sign-in attempts\. Wait 15 minutes/);
    expect((blocked.cause as { details?: { retryAfterSeconds?: number } }).details?.retryAfterSeconds).toBeGreaterThan(800);
    // Another address is not held back by these failures.
    const { caller: elsewhere } = callerFor(database.db, null, { limiter, clientAddress: "192.0.2.51" });
    await expect(elsewhere.auth.login({ email, password: TEST_PASSWORD })).resolves.toBeTruthy();
  });

  it("counts guesses sent in parallel as they arrive: only five of ten reach the password check", async () => {
    const limiter = new LoginLimiter();
    const { caller } = callerFor(database.db, null, { limiter, clientAddress: "192.0.2.70" });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, attempt) => caller.auth.login({ email, password: `parallel guess ${attempt}` })),
    );
    const codes = results.map((result) => (result.status === "rejected" ? (result.reason as { code: string }).code : "OK"));
    expect(codes.filter((code) => code === "UNAUTHORIZED")).toHaveLength(5);
    expect(codes.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(5);
    expect((await failure(caller.auth.login({ email, password: TEST_PASSWORD }))).code).toBe("TOO_MANY_REQUESTS");
  });

  it("refuses an email after twenty failures spread over many addresses, but not other emails from them", async () => {
    const target = uniqueEmail("target");
    await createUser(database.db, { email: target, password: TEST_PASSWORD, actorId: null });
    const limiter = new LoginLimiter();
    const from = (host: number) => callerFor(database.db, null, { limiter, clientAddress: `198.51.100.${host}` }).caller;
    const guesses = await Promise.allSettled(
      Array.from({ length: 20 }, (_, host) => from(host).auth.login({ email: target, password: `spread guess ${host}` })),
    );
    expect(guesses.every((result) => result.status === "rejected" && (result.reason as { code: string }).code === "UNAUTHORIZED")).toBe(true);
    expect((await failure(from(100).auth.login({ email: target, password: TEST_PASSWORD }))).code).toBe("TOO_MANY_REQUESTS");
    await expect(from(0).auth.login({ email, password: TEST_PASSWORD })).resolves.toBeTruthy();
  });

  it("forgets earlier failures after a successful sign-in", async () => {
    const limiter = new LoginLimiter();
    const { caller } = callerFor(database.db, null, { limiter, clientAddress: "192.0.2.60" });
    for (let attempt = 0; attempt < 4; attempt += 1) await failure(caller.auth.login({ email, password: "wrong" }));
    await caller.auth.login({ email, password: TEST_PASSWORD });
    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect((await failure(caller.auth.login({ email, password: "wrong" }))).code).toBe("UNAUTHORIZED");
    }
  });

  it("turns away a malformed request with a readable message", async () => {
    const { caller } = callerFor(database.db, null);
    const error = await failure(caller.auth.login({ email: "", password: "" }));
    expect(error.code).toBe("BAD_REQUEST");
  });
});

describe("auth.logout", () => {
  it("deletes the session and clears the cookie", async () => {
    const { caller, cookies } = callerFor(database.db, null);
    await caller.auth.login({ email, password: TEST_PASSWORD });
    const token = cookies.issued[0]!.token;
    const session = await resumeSession(database.db, token);
    const { caller: signedIn, cookies: after } = callerFor(database.db, session);
    await signedIn.auth.logout();
    expect(after.cleared).toBe(1);
    expect(await resumeSession(database.db, token)).toBeNull();
  });
});

describe("sessions", () => {
  async function freshSession(now: Date) {
    const user = await database.db.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
    return startSession(database.db, user.id, now);
  }

  it("expire after twelve idle hours", async () => {
    const start = new Date("2030-01-01T08:00:00Z");
    const { token } = await freshSession(start);
    expect(await resumeSession(database.db, token, new Date(start.getTime() + SESSION_IDLE_MS + 1000))).toBeNull();
    expect(await database.db.session.findUnique({ where: { id: hashSessionToken(token) } })).toBeNull();
  });

  it("stay alive while used, up to seven days after sign-in", async () => {
    const start = new Date("2030-02-01T08:00:00Z");
    const { token } = await freshSession(start);
    const hour = 60 * 60 * 1000;
    let now = start.getTime();
    // Used every eleven hours: never idle for twelve.
    while (now + 11 * hour < start.getTime() + SESSION_ABSOLUTE_MS) {
      now += 11 * hour;
      expect(await resumeSession(database.db, token, new Date(now)), new Date(now).toISOString()).not.toBeNull();
    }
    expect(await resumeSession(database.db, token, new Date(start.getTime() + SESSION_ABSOLUTE_MS + 1000))).toBeNull();
  });
});
