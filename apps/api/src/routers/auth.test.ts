/**
 * Signing in and out through the API, sessions' expiry, and login throttling.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LOGIN_FAILED_MESSAGE } from "../services/auth.ts";
import { LoginLimiter } from "../services/login-limiter.ts";
import { hashPassword } from "../services/passwords.ts";
import { hashSessionToken, resumeSession, type ActiveSession, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, startSession } from "../services/sessions.ts";
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

// Failures are counted in the database, whichever limiter counted them: each test starts with none.
beforeEach(async () => {
  await database.db.loginThrottle.deleteMany();
});

/** The tRPC code each call failed with, or "OK" for a call that succeeded. */
function codesOf(results: PromiseSettledResult<unknown>[]): string[] {
  return results.map((result) => (result.status === "rejected" ? (result.reason as { code: string }).code : "OK"));
}

/**
 * Creates `count` accounts with {@link TEST_PASSWORD} in one query and returns their emails.
 * They share one hash, because hashing with argon2 two hundred times would be slow.
 */
async function manyAccounts(count: number, prefix: string): Promise<string[]> {
  const passwordHash = await hashPassword(TEST_PASSWORD);
  const emails = Array.from({ length: count }, () => uniqueEmail(prefix));
  await database.db.user.createMany({ data: emails.map((email) => ({ email, name: "Office worker", passwordHash })) });
  return emails;
}

/** A session of the account `email`, started by signing in; with its token, to resume it later. */
async function signIn(email: string): Promise<{ token: string; session: ActiveSession }> {
  const { caller, cookies } = callerFor(database.db, null);
  await caller.auth.login({ email, password: TEST_PASSWORD });
  const token = cookies.issued[0]!.token;
  const session = await resumeSession(database.db, token);
  if (!session) throw new Error("A session just issued must resume");
  return { token, session };
}

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
    const codes = codesOf(results);
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

  it("lets 200 people sign in at once from one address, and the admin after them", async () => {
    // An office behind one NAT address at nine in the morning: every password is right, so
    // nothing counts toward the address's limit of 50 failures.
    const office = await manyAccounts(200, "office");
    const admin = uniqueEmail("office-admin");
    await createUser(database.db, { email: admin, password: TEST_PASSWORD, isAdmin: true, actorId: null });
    const limiter = new LoginLimiter();
    const fromOffice = () => callerFor(database.db, null, { limiter, clientAddress: "203.0.113.200" }).caller;
    const results = await Promise.allSettled(office.map((one) => fromOffice().auth.login({ email: one, password: TEST_PASSWORD })));
    expect(codesOf(results).filter((code) => code !== "OK")).toEqual([]);
    await expect(fromOffice().auth.login({ email: admin, password: TEST_PASSWORD })).resolves.toMatchObject({ user: { email: admin } });
  });

  it("does not let an earlier failure from an address turn away right passwords that arrive together", async () => {
    const office = await manyAccounts(8, "colleague");
    const limiter = new LoginLimiter({ perEmailAndAddress: 5, perEmail: 20, perAddress: 3, windowSeconds: 900 });
    const fromOffice = () => callerFor(database.db, null, { limiter, clientAddress: "203.0.113.201" }).caller;
    expect((await failure(fromOffice().auth.login({ email: office[0]!, password: "mistyped" }))).code).toBe("UNAUTHORIZED");
    const results = await Promise.allSettled(office.map((one) => fromOffice().auth.login({ email: one, password: TEST_PASSWORD })));
    expect(codesOf(results)).toEqual(office.map(() => "OK"));
    // The one failure still counts: two more reach the limit of three.
    for (const attempt of [1, 2]) {
      expect((await failure(fromOffice().auth.login({ email: office[attempt]!, password: "mistyped" }))).code).toBe("UNAUTHORIZED");
    }
    expect((await failure(fromOffice().auth.login({ email: office[3]!, password: TEST_PASSWORD }))).code).toBe("TOO_MANY_REQUESTS");
  });

  it("lets no more parallel wrong guesses reach a password check than the limit allows", async () => {
    const limiter = new LoginLimiter({ perEmailAndAddress: 3, perEmail: 20, perAddress: 7, windowSeconds: 900 });
    const from = (clientAddress: string) => callerFor(database.db, null, { limiter, clientAddress }).caller;
    // Twelve guesses at one account from one address: three are checked.
    const atOneAccount = codesOf(
      await Promise.allSettled(Array.from({ length: 12 }, (_, guess) => from("192.0.2.80").auth.login({ email, password: `guess ${guess}` }))),
    );
    expect(atOneAccount.filter((code) => code === "UNAUTHORIZED")).toHaveLength(3);
    expect(atOneAccount.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(9);
    // Twelve guesses at twelve accounts from another address: seven are checked.
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, guess) => from("192.0.2.81").auth.login({ email: `nobody-${guess}@example.org`, password: "guess" })),
    );
    const codes = codesOf(results);
    expect(codes.filter((code) => code === "UNAUTHORIZED")).toHaveLength(7);
    expect(codes.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(5);
    for (const result of results) {
      const error = (result as PromiseRejectedResult).reason as Error;
      expect(error.message).toMatch(/^(Email or password is incorrect\.|Too many failed sign-in attempts\. Wait 15 minutes before trying again\.)$/);
    }
  });

  it("counts a refused attempt toward no limit", async () => {
    const target = uniqueEmail("refused");
    await createUser(database.db, { email: target, password: TEST_PASSWORD, actorId: null });
    const limiter = new LoginLimiter({ perEmailAndAddress: 2, perEmail: 4, perAddress: 5, windowSeconds: 900 });
    const from = (clientAddress: string) => callerFor(database.db, null, { limiter, clientAddress }).caller;
    for (const guess of [1, 2]) {
      expect((await failure(from("192.0.2.90").auth.login({ email: target, password: `guess ${guess}` }))).code).toBe("UNAUTHORIZED");
    }
    // The pair is locked; ten more attempts at it are refused, in parallel and one by one.
    const refusals = codesOf(
      await Promise.allSettled(Array.from({ length: 5 }, (_, guess) => from("192.0.2.90").auth.login({ email: target, password: `more ${guess}` }))),
    );
    for (let attempt = 0; attempt < 5; attempt += 1) {
      refusals.push((await failure(from("192.0.2.90").auth.login({ email: target, password: TEST_PASSWORD }))).code);
    }
    expect(refusals).toEqual(Array(10).fill("TOO_MANY_REQUESTS"));
    // They did not count toward the email's limit of four: the account still signs in elsewhere…
    await expect(from("192.0.2.91").auth.login({ email: target, password: TEST_PASSWORD })).resolves.toBeTruthy();
    // …nor toward the address's limit of five: three more failures are checked before it is locked.
    for (const guess of [1, 2, 3]) {
      const error = await failure(from("192.0.2.90").auth.login({ email: `nobody-${guess}@example.org`, password: "guess" }));
      expect(error.code).toBe("UNAUTHORIZED");
    }
    expect((await failure(from("192.0.2.90").auth.login({ email, password: TEST_PASSWORD }))).code).toBe("TOO_MANY_REQUESTS");
  });

  it("turns away a malformed request with a readable message", async () => {
    const { caller } = callerFor(database.db, null);
    const error = await failure(caller.auth.login({ email: "", password: "" }));
    expect(error.code).toBe("BAD_REQUEST");
  });
});

describe("auth.login while signed in", () => {
  it("keeps the current session when the new sign-in fails or is refused", async () => {
    const { token, session } = await signIn(email);
    const limiter = new LoginLimiter({ perEmailAndAddress: 1, perEmail: 20, perAddress: 50, windowSeconds: 900 });
    const { caller, cookies } = callerFor(database.db, session, { limiter, clientAddress: "192.0.2.100" });
    expect((await failure(caller.auth.login({ email, password: "not the password" }))).code).toBe("UNAUTHORIZED");
    expect((await failure(caller.auth.login({ email, password: TEST_PASSWORD }))).code).toBe("TOO_MANY_REQUESTS");
    expect(cookies).toEqual({ issued: [], cleared: 0 });
    const resumed = await resumeSession(database.db, token);
    expect(resumed?.id).toBe(session.id);
    await expect(callerFor(database.db, resumed).caller.auth.me()).resolves.toMatchObject({ email });
  });

  it("ends the previous session when the new sign-in succeeds", async () => {
    const { token, session } = await signIn(email);
    const { caller, cookies } = callerFor(database.db, session);
    await caller.auth.login({ email, password: TEST_PASSWORD });
    expect(await resumeSession(database.db, token)).toBeNull();
    expect(cookies.issued).toHaveLength(1);
    expect(await resumeSession(database.db, cookies.issued[0]!.token)).not.toBeNull();
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
