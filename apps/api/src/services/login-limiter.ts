/**
 * Login throttling, kept in the database so that every server on it counts the same failures
 * (counts in each server's memory would let a guesser spread guesses over several servers).
 * Failed sign-ins are counted per email-and-address pair, per email (from any address) and per
 * address, each key in a window that starts at its first failure. Once a key's failures reach
 * its limit, every attempt on it is refused until the window ends, even with the right
 * password, so that guessing stays slow. Only failures count: a successful sign-in counts
 * toward nothing (and clears its pair's failures), and a refused attempt checks no password and
 * counts toward nothing, so that many people signing in at once from one address (an office
 * behind NAT) never lock it.
 *
 * Guesses sent in parallel must still be counted as they arrive, not once their slow password
 * checks are done. So an attempt whose check is running holds a place on each of its keys, and
 * when a key's failures and held places together reach its limit, a new attempt waits for one
 * of those checks to settle (a success gives its place back, a failure turns it into a
 * failure) and then tries again. However many guesses arrive at once, through however many
 * servers, at most `limit` of them are checked and fail on a key per window.
 *
 * Each key is one `LoginThrottle` row, and every change to it is one conditional statement
 * ("hold a place only if failures and held places leave room"), which both databases apply
 * atomically: no transaction, no lock held across a password check. Times are this server's
 * clock in milliseconds. When an attempt of this server settles, it wakes the attempt that has
 * waited longest on each of its keys (one place was freed, so one is enough); waiting attempts
 * also look again now and then ({@link RECHECK_MS}), for the attempts of other servers. A
 * server that dies mid-check cannot settle its places; they are forgotten {@link HOLD_MS}
 * after the last place was taken on the key.
 */
import { join, sqltag as sql } from "@prisma/client/runtime/client";
import type { Db } from "../db/database.ts";
import { RateLimitedError } from "../errors.ts";

/** How many failures each key may have within one window. */
export interface LoginLimits {
  /** Failures allowed for one email from one address (default 5). */
  perEmailAndAddress: number;
  /**
   * Failures allowed for one email from all addresses together (default 20), so that
   * spreading guesses over many addresses does not multiply them. Past it the account's
   * sign-in is locked for everyone until the window passes.
   */
  perEmail: number;
  /** Failures allowed from one address across all emails (default 50). */
  perAddress: number;
  /** Length of the window in seconds (default 15 minutes). */
  windowSeconds: number;
}

/** The limits a server uses unless told otherwise. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perEmailAndAddress: 5, perEmail: 20, perAddress: 50, windowSeconds: 15 * 60 };

/**
 * How soon a waiting attempt first looks again for room that another server's attempt made;
 * each further look waits twice as long, up to {@link MAX_RECHECK_MS}, so that many waiting
 * attempts do not keep the database busy.
 */
export const RECHECK_MS = 50;

/** The longest a waiting attempt goes without looking again. */
const MAX_RECHECK_MS = 1_000;

/**
 * How long a held place counts without being settled: far longer than a password check
 * takes, and short enough that a server killed mid-check locks nobody out for long.
 */
export const HOLD_MS = 30_000;

/** One key of an attempt and the failures it may have. */
interface Key {
  /** The key, unambiguous across kinds: `["email", email]` and so on, as JSON. */
  readonly id: string;
  /** Failures the key may have within one window. */
  readonly limit: number;
}

/** A key's row as read back. */
interface KeyRow {
  key: string;
  failures: number;
  windowEndsAt: bigint;
  checking: number;
  checkingUntil: bigint;
}

/** The rows of the keys that have one. */
function readKeys(db: Db, keys: Key[]): Promise<KeyRow[]> {
  return db.$queryRaw<KeyRow[]>(
    sql`SELECT "key", "failures", "windowEndsAt", "checking", "checkingUntil" FROM "LoginThrottle" WHERE "key" IN (${join(keys.map((key) => key.id))})`,
  );
}

/** A key's failures in its current window plus its unexpired held places, at `now`; see {@link holdPlace}. */
function countsOf(row: KeyRow, now: number): number {
  const failures = Number(row.windowEndsAt) > now ? row.failures : 0;
  const checking = Number(row.checkingUntil) > now ? row.checking : 0;
  return failures + checking;
}

/** How an attempt's check ended: a verdict on the credentials, or none (it threw). */
type Verdict = "right" | "wrong" | "none";

/** Counts failed sign-ins in the database and refuses attempts past the limits. */
export class LoginLimiter {
  readonly #limits: LoginLimits;
  readonly #windowMs: number;
  /** Wake-ups of this server's attempts waiting on a key, by key. */
  readonly #waiting = new Map<string, Set<() => void>>();
  #nextSweepAt = 0;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.#limits = limits;
    this.#windowMs = limits.windowSeconds * 1000;
  }

  /**
   * Runs one sign-in attempt's credential check within the limits and returns what it returns,
   * null meaning the credentials are wrong. The check waits while checks already running on the
   * same keys could use up a limit, and does not run at all, the attempt failing with
   * {@link RateLimitedError}, once failures have used one up. A null result counts as a failure
   * on all three keys; any other result clears the email-and-address failures; a check that
   * throws reached no verdict and counts toward nothing.
   */
  async attempt<T>(db: Db, email: string, address: string, checkCredentials: () => Promise<T | null>): Promise<T | null> {
    const { perEmailAndAddress, perEmail, perAddress } = this.#limits;
    const keys: Key[] = [
      { id: JSON.stringify(["email+address", email, address]), limit: perEmailAndAddress },
      { id: JSON.stringify(["email", email]), limit: perEmail },
      { id: JSON.stringify(["address", address]), limit: perAddress },
    ];
    await this.#holdPlaces(db, keys);
    let verdict: Verdict = "none";
    try {
      const result = await checkCredentials();
      verdict = result === null ? "wrong" : "right";
      return result;
    } finally {
      await settle(db, keys, verdict, Date.now(), this.#windowMs);
      for (const key of keys) this.#wake(key.id);
    }
  }

  /**
   * Waits until every key has room for one more check, then holds a place on each. Throws
   * {@link RateLimitedError} as soon as a key's failures alone reach its limit.
   */
  async #holdPlaces(db: Db, keys: Key[]): Promise<void> {
    for (let recheckMs = RECHECK_MS; ; recheckMs = Math.min(2 * recheckMs, MAX_RECHECK_MS)) {
      const now = Date.now();
      await this.#sweep(db, now);
      const rows = await readKeys(db, keys);
      try {
        refuseIfExhausted(keys, rows, now);
      } catch (refused) {
        // The attempts waiting behind this one are refused too: let the next one find out now.
        for (const key of keys) this.#wake(key.id);
        throw refused;
      }
      // A look that finds a key without room costs this one query; only then are places taken.
      let full = keys.find((key) => {
        const row = rows.find((candidate) => candidate.key === key.id);
        return row !== undefined && countsOf(row, now) >= key.limit;
      });
      if (full === undefined) {
        // Keys seen for the first time (or deleted by a sweep of any server since) get their row.
        if (rows.length < keys.length) {
          await db.$executeRaw(sql`INSERT INTO "LoginThrottle" ("key") VALUES ${join(keys.map((key) => sql`(${key.id})`))} ON CONFLICT ("key") DO NOTHING`);
        }
        const held: Key[] = [];
        for (const key of keys) {
          if (!(await holdPlace(db, key, now))) {
            full = key;
            break;
          }
          held.push(key);
        }
        if (full === undefined) return;
        // Give back what was held so far, so that two attempts never hold each other's keys.
        await settle(db, held, "none", now, this.#windowMs);
        for (const key of held) this.#wake(key.id);
      }
      await this.#waitOn(full.id, recheckMs);
    }
  }

  /** Resolves when this server's attempt on the key wakes it, or after `recheckMs`. */
  #waitOn(id: string, recheckMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiting = this.#waiting.get(id) ?? new Set<() => void>();
      this.#waiting.set(id, waiting);
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        if (waiting.size === 0 && this.#waiting.get(id) === waiting) this.#waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(wake, recheckMs);
      waiting.add(wake);
    });
  }

  /** Lets the attempt of this server that has waited longest on a key try again. */
  #wake(id: string): void {
    const [first] = this.#waiting.get(id) ?? [];
    first?.();
  }

  /** Deletes, at most once per window, the keys that hold no failures and no running checks. */
  async #sweep(db: Db, now: number): Promise<void> {
    if (now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + this.#windowMs;
    await db.$executeRaw(
      sql`DELETE FROM "LoginThrottle" WHERE ("failures" = 0 OR "windowEndsAt" <= ${now}) AND ("checking" = 0 OR "checkingUntil" <= ${now})`,
    );
  }
}

/** Throws the refusal when a key's failures in its current window have reached its limit. */
function refuseIfExhausted(keys: Key[], rows: KeyRow[], now: number): void {
  const exhausted = rows.filter((row) => {
    const limit = keys.find((key) => key.id === row.key)!.limit;
    return Number(row.windowEndsAt) > now && row.failures >= limit;
  });
  if (exhausted.length > 0) throw refusal(Math.max(...exhausted.map((row) => Number(row.windowEndsAt))) - now);
}

/**
 * Holds a place on a key if its failures in the current window and its unexpired held places
 * leave room; one statement, so that two attempts (of any server) cannot both take the last place.
 */
async function holdPlace(db: Db, key: Key, now: number): Promise<boolean> {
  const held = await db.$executeRaw(sql`
    UPDATE "LoginThrottle"
    SET "checking" = (CASE WHEN "checkingUntil" <= ${now} THEN 0 ELSE "checking" END) + 1,
        "checkingUntil" = ${now + HOLD_MS}
    WHERE "key" = ${key.id}
      AND (CASE WHEN "windowEndsAt" <= ${now} THEN 0 ELSE "failures" END)
        + (CASE WHEN "checkingUntil" <= ${now} THEN 0 ELSE "checking" END) < ${key.limit}`);
  return held === 1;
}

/**
 * Gives back the places an attempt held, and records its verdict: a wrong password counts a
 * failure on every key (starting a new window on a key whose last one has ended), a right one
 * clears the email-and-address pair's failures (the first key).
 */
async function settle(db: Db, keys: Key[], verdict: Verdict, now: number, windowMs: number): Promise<void> {
  if (keys.length === 0) return;
  const pair = verdict === "right" ? keys[0]!.id : null;
  const failure = verdict === "wrong" ? 1 : 0;
  await db.$executeRaw(sql`
    UPDATE "LoginThrottle"
    SET "checking" = CASE WHEN "checking" > 0 THEN "checking" - 1 ELSE 0 END,
        "failures" = CASE
          WHEN "key" = ${pair} THEN 0
          WHEN "windowEndsAt" <= ${now} THEN ${failure}
          ELSE "failures" + ${failure} END,
        "windowEndsAt" = CASE
          WHEN ${failure} = 1 AND "windowEndsAt" <= ${now} THEN ${now + windowMs}
          ELSE "windowEndsAt" END
    WHERE "key" IN (${join(keys.map((key) => key.id))})`);
}

/** The refusal of an attempt `waitMs` before the failures that caused it are forgotten. */
function refusal(waitMs: number): RateLimitedError {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new RateLimitedError(
    `Too many failed sign-in attempts. Wait ${minutes} minute${minutes === 1 ? "" : "s"} before trying again.`,
    { retryAfterSeconds },
  );
}
