/**
 * The login limiter on its own: what it counts, when it holds an attempt back, when it refuses
 * one, and when it forgets. Password checks are stood in for by promises the test settles.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RateLimitedError } from "../errors.ts";
import { LoginLimiter, type LoginLimits } from "./login-limiter.ts";

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

/** Lets every promise that can settle now settle. */
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const right = () => Promise.resolve("user");
const wrong = () => Promise.resolve(null);

/** What an attempt ended in: the check's result, or the error it failed with. */
function outcome(attempt: Promise<string | null>): Promise<string | null | Error> {
  return attempt.catch((error: unknown) => error as Error);
}

function limiter(limits: Partial<LoginLimits> = {}): LoginLimiter {
  return new LoginLimiter({ perEmailAndAddress: 2, perEmail: 4, perAddress: 6, windowSeconds: 15 * 60, ...limits });
}

beforeEach(() => {
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
    await settled();
    expect(checks.map((check) => check.started)).toEqual([true, true, false]);
    checks[0]!.settle("user");
    await settled();
    expect(checks[2]!.started).toBe(true);
    checks[1]!.settle(null);
    checks[2]!.settle("user");
    expect(await Promise.all(attempts)).toEqual(["user", null, "user"]);
  });

  it("refuses the attempts held back once the running checks fail", async () => {
    const limits = limiter();
    const checks = Array.from({ length: 10 }, pendingCheck);
    const attempts = checks.map((check) => outcome(limits.attempt("ada@example.org", "192.0.2.1", check.run)));
    await settled();
    expect(checks.filter((check) => check.started)).toHaveLength(2);
    for (const check of checks.slice(0, 2)) check.settle(null);
    const outcomes = await Promise.all(attempts);
    expect(outcomes.slice(0, 2)).toEqual([null, null]);
    for (const refused of outcomes.slice(2)) expect(refused).toBeInstanceOf(RateLimitedError);
    expect(checks.filter((check) => check.started)).toHaveLength(2);
  });

  it("holds back attempts on one address across emails, as many as its limit at a time", async () => {
    const limits = limiter({ perAddress: 3 });
    const checks = Array.from({ length: 8 }, pendingCheck);
    const attempts = checks.map((check, index) => outcome(limits.attempt(`person-${index}@example.org`, "192.0.2.1", check.run)));
    for (let done = 0; done < checks.length; done += 1) {
      await settled();
      expect(checks.filter((check) => check.started)).toHaveLength(Math.min(done + 3, checks.length));
      checks[done]!.settle("user");
    }
    expect(await Promise.all(attempts)).toEqual(checks.map(() => "user"));
  });

  it("counts a check that throws toward nothing and lets the attempts it held back on", async () => {
    const limits = limiter({ perEmailAndAddress: 1 });
    const broken = pendingCheck();
    const held = pendingCheck();
    const first = outcome(limits.attempt("ada@example.org", "192.0.2.1", broken.run));
    const second = outcome(limits.attempt("ada@example.org", "192.0.2.1", held.run));
    await settled();
    expect(held.started).toBe(false);
    broken.fail(new Error("database unreachable"));
    expect(((await first) as Error).message).toBe("database unreachable");
    await settled();
    expect(held.started).toBe(true);
    held.settle("user");
    expect(await second).toBe("user");
  });
});
