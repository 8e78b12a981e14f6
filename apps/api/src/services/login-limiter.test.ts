/**
 * The login limiter on its own, on a real database: what it counts, when it holds an attempt
 * back, when it refuses one, and when it forgets; and that two limiters on one database (two
 * servers) count together. Password checks are stood in for by promises the test settles.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { RateLimitedError } from "../errors.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { HOLD_MS, LoginLimiter, RECHECK_MS, type LoginLimits } from "./login-limiter.ts";

const MINUTE = 60 * 1000;

/** A password check the test settles by hand, and whether the limiter let it start. */
function pendingCheck() {
  let settle!: (user: string | null) => void;
  let fail!: (error: Error) => void;
  const check = {
    started: false,
    settle: (user: string | null) => settle(user),
    fail: (error: Error) => fail(error),
    run: () => {
      check.started = true;
      return new Promise<string | null>((resolve, reject) => {
        settle = resolve;
        fail = reject;
      });
    },
  };
  return check;
}

/**
 * Lets every attempt that can move on move on: a few of the limiter's rechecks, so that an
 * attempt still held back afterwards is held back for good reason.
 */
function settled(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 6 * RECHECK_MS));
}

/** Waits until `count` of the checks have started. */
async function started(checks: { started: boolean }[], count: number): Promise<void> {
  await vi.waitFor(() => expect(checks.filter((check) => check.started)).toHaveLength(count), { timeout: 5_000 });
}

const right = () => Promise.resolve("user");
const wrong = () => Promise.resolve(null);

/** What an attempt ended in: the check's result, or the error it failed with. */
function outcome(attempt: Promise<string | null>): Promise<string | null | Error> {
  return attempt.catch((error: unknown) => error as Error);
}

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** A limiter (as one server holds it) on the test database, with small limits. */
function limiter(limits: Partial<LoginLimits> = {}) {
  const server = new LoginLimiter({ perEmailAndAddress: 2, perEmail: 4, perAddress: 6, windowSeconds: 15 * 60, ...limits });
  return {
    attempt: (email: string, address: string, check: () => Promise<string | null>) => server.attempt(database.db, email, address, check),
  };
}

beforeEach(async () => {
  await database.db.loginThrottle.deleteMany();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2030-01-01T09:00:00Z"));
});

afterEach(() => {
  vi.useRealTimers();
});

describe("LoginLimiter", () => {
  it("refuses, without checking, once failures reach a limit, and says how long to wait", async () => {
    const limits = limiter();
    await limits.attempt("ada@example.org", "192.0.2.1", wrong);
    await limits.attempt("ada@example.org", "192.0.2.1", wrong);
    vi.advanceTimersByTime(10 * MINUTE);
    const check = vi.fn(right);
    const refused = await outcome(limits.attempt("ada@example.org", "192.0.2.1", check));
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).message).toBe("Too many failed sign-in attempts. Wait 5 minutes before trying again.");
    expect((refused as RateLimitedError).details).toEqual({ retryAfterSeconds: 5 * 60 });
    expect(check).not.toHaveBeenCalled();
  });

  it("counts right passwords toward nothing", async () => {
    const limits = limiter();
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await expect(limits.attempt("ada@example.org", "192.0.2.1", right)).resolves.toBe("user");
    }
    await expect(limits.attempt("ada@example.org", "192.0.2.1", wrong)).resolves.toBeNull();
  });

  it("forgets a pair's failures after a success, but not the email's or the address's", async () => {
    const limits = limiter();
    await limits.attempt("ada@example.org", "192.0.2.1", wrong);
    await limits.attempt("ada@example.org", "192.0.2.1", right);
    await limits.attempt("ada@example.org", "192.0.2.1", wrong);
    await limits.attempt("ada@example.org", "192.0.2.1", right);
    // The email has two failures; two more from elsewhere reach its limit of four.
    await limits.attempt("ada@example.org", "192.0.2.2", wrong);
    await limits.attempt("ada@example.org", "192.0.2.3", wrong);
    await expect(limits.attempt("ada@example.org", "192.0.2.4", right)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("counts a refused attempt toward nothing and does not lengthen the wait", async () => {
    const limits = limiter();
    await limits.attempt("ada@example.org", "192.0.2.1", wrong);
    await limits.attempt("ada@example.org", "192.0.2.1", wrong);
    for (let minute = 1; minute < 15; minute += 1) {
      vi.advanceTimersByTime(MINUTE);
      const refused = await outcome(limits.attempt("ada@example.org", "192.0.2.1", wrong));
      expect((refused as RateLimitedError).details).toEqual({ retryAfterSeconds: (15 - minute) * 60 });
    }
    // Fourteen refusals, yet the email has room for its two other failures…
    await limits.attempt("ada@example.org", "192.0.2.2", wrong);
    await limits.attempt("ada@example.org", "192.0.2.3", wrong);
    await expect(limits.attempt("ada@example.org", "192.0.2.4", right)).rejects.toBeInstanceOf(RateLimitedError);
    // …the address for its four others…
    for (let other = 0; other < 4; other += 1) await limits.attempt(`other-${other}@example.org`, "192.0.2.1", wrong);
    await expect(limits.attempt("someone@example.org", "192.0.2.1", right)).rejects.toBeInstanceOf(RateLimitedError);
    // …and the first window ends on time, fifteen minutes after its first failure.
    vi.advanceTimersByTime(MINUTE);
    await expect(limits.attempt("ada@example.org", "192.0.2.1", right)).resolves.toBe("user");
  });

  it("holds an attempt back while running checks could use up a limit, and lets it on when one succeeds", async () => {
    const limits = limiter();
    const checks = [pendingCheck(), pendingCheck(), pendingCheck()];
    const attempts = checks.map((check) => outcome(limits.attempt("ada@example.org", "192.0.2.1", check.run)));
    await started(checks, 2);
    await settled();
    expect(checks.filter((check) => check.started)).toHaveLength(2);
    const [succeeding, failing] = checks.filter((check) => check.started);
    const held = checks.find((check) => !check.started)!;
    succeeding!.settle("user");
    await started(checks, 3);
    failing!.settle(null);
    held.settle("user");
    const outcomes = await Promise.all(attempts);
    expect(outcomes[checks.indexOf(held)]).toBe("user");
    expect(outcomes.filter((result) => result === null)).toHaveLength(1);
  });

  it("refuses the attempts held back once the running checks fail", async () => {
    const limits = limiter();
    const checks = Array.from({ length: 10 }, pendingCheck);
    const attempts = checks.map((check) => outcome(limits.attempt("ada@example.org", "192.0.2.1", check.run)));
    await started(checks, 2);
    await settled();
    const running = checks.filter((check) => check.started);
    expect(running).toHaveLength(2);
    for (const check of running) check.settle(null);
    const outcomes = await Promise.all(attempts);
    for (const [index, result] of outcomes.entries()) {
      if (running.includes(checks[index]!)) expect(result).toBeNull();
      else expect(result).toBeInstanceOf(RateLimitedError);
    }
    expect(checks.filter((check) => check.started)).toHaveLength(2);
  });

  it("holds back attempts on one address across emails, as many as its limit at a time", async () => {
    const limits = limiter({ perAddress: 3 });
    const checks = Array.from({ length: 8 }, pendingCheck);
    const attempts = checks.map((check, index) => outcome(limits.attempt(`person-${index}@example.org`, "192.0.2.1", check.run)));
    const done = new Set<(typeof checks)[number]>();
    while (done.size < checks.length) {
      const expected = Math.min(done.size + 3, checks.length);
      await started(checks, expected);
      if (done.size === 0) await settled();
      expect(checks.filter((check) => check.started)).toHaveLength(expected);
      const next = checks.find((check) => check.started && !done.has(check))!;
      done.add(next);
      next.settle("user");
    }
    expect(await Promise.all(attempts)).toEqual(checks.map(() => "user"));
  });

  it("counts a check that throws toward nothing and lets the attempts it held back on", async () => {
    const limits = limiter({ perEmailAndAddress: 1 });
    const broken = pendingCheck();
    const held = pendingCheck();
    const first = outcome(limits.attempt("ada@example.org", "192.0.2.1", broken.run));
    await started([broken], 1);
    const second = outcome(limits.attempt("ada@example.org", "192.0.2.1", held.run));
    await settled();
    expect(held.started).toBe(false);
    broken.fail(new Error("database unreachable"));
    expect(((await first) as Error).message).toBe("database unreachable");
    await started([held], 1);
    held.settle("user");
    expect(await second).toBe("user");
  });

  it("counts failures together across servers, and lets no more checks run at once than a limit allows", async () => {
    const servers = [limiter(), limiter()];
    const checks = Array.from({ length: 12 }, pendingCheck);
    // Twelve guesses at once, alternating between the two servers.
    const attempts = checks.map((check, index) => outcome(servers[index % 2]!.attempt("ada@example.org", "192.0.2.1", check.run)));
    await started(checks, 2);
    await settled();
    expect(checks.filter((check) => check.started)).toHaveLength(2);
    for (const check of checks.filter((check) => check.started)) check.settle(null);
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((result) => result === null)).toHaveLength(2);
    expect(outcomes.filter((result) => result instanceof RateLimitedError)).toHaveLength(10);
    // The failures went through both servers; the other server refuses the right password too.
    await expect(servers[1]!.attempt("ada@example.org", "192.0.2.1", right)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(servers[0]!.attempt("ada@example.org", "192.0.2.1", right)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("forgets a place held by a server that died mid-check once the hold has lapsed", async () => {
    const { db } = database;
    const key = JSON.stringify(["email+address", "ada@example.org", "192.0.2.1"]);
    // What a server killed during two checks leaves behind: two places nobody will give back.
    await db.loginThrottle.create({ data: { key, checking: 2, checkingUntil: BigInt(Date.now() + HOLD_MS) } });
    const check = pendingCheck();
    const attempt = outcome(limiter().attempt("ada@example.org", "192.0.2.1", check.run));
    await settled();
    expect(check.started).toBe(false);
    vi.advanceTimersByTime(HOLD_MS);
    await started([check], 1);
    check.settle("user");
    expect(await attempt).toBe("user");
  });
});
