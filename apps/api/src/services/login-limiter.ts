/**
 * Login throttling: sign-in attempts are counted per email-and-address pair, per email (from
 * any address) and per address (in memory, per server process). Each attempt takes a point
 * from all three counters before its password is checked, so that guesses sent in parallel
 * are counted as they arrive, not once their slow checks are done; a successful sign-in gives
 * its point back. Past a limit, every attempt is refused until the window passes, even with
 * the right password, so that guessing stays slow.
 */
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
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

/** Counts sign-in attempts and refuses attempts past the limits. */
export class LoginLimiter {
  readonly #byEmailAndAddress: RateLimiterMemory;
  readonly #byEmail: RateLimiterMemory;
  readonly #byAddress: RateLimiterMemory;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    const counter = (keyPrefix: string, points: number) =>
      new RateLimiterMemory({ keyPrefix, points, duration: limits.windowSeconds });
    this.#byEmailAndAddress = counter("login-email-address", limits.perEmailAndAddress);
    this.#byEmail = counter("login-email", limits.perEmail);
    this.#byAddress = counter("login-address", limits.perAddress);
  }

  #counters(email: string, address: string): { limiter: RateLimiterMemory; key: string }[] {
    return [
      { limiter: this.#byEmailAndAddress, key: `${email}|${address}` },
      { limiter: this.#byEmail, key: email },
      { limiter: this.#byAddress, key: address },
    ];
  }

  /**
   * Takes one point from each counter for an attempt that is about to check a password.
   * Throws {@link RateLimitedError} when any counter is used up; a refused attempt checks no
   * password, so it gives back the points it took from the other counters.
   */
  async startAttempt(email: string, address: string): Promise<void> {
    const counters = this.#counters(email, address);
    const outcomes = await Promise.allSettled(counters.map(({ limiter, key }) => limiter.consume(key)));
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === "rejected" && outcome.reason instanceof RateLimiterRes ? [outcome.reason] : [],
    );
    const failed = outcomes.find((outcome) => outcome.status === "rejected" && !(outcome.reason instanceof RateLimiterRes));
    if (refused.length === 0 && !failed) return;
    await Promise.all(
      counters.map(({ limiter, key }, index) => (outcomes[index]!.status === "fulfilled" ? limiter.reward(key) : undefined)),
    );
    if (failed?.status === "rejected") throw failed.reason;
    const retryAfterSeconds = Math.ceil(Math.max(...refused.map((state) => state.msBeforeNext)) / 1000);
    const minutes = Math.ceil(retryAfterSeconds / 60);
    throw new RateLimitedError(
      `Too many failed sign-in attempts. Wait ${minutes} minute${minutes === 1 ? "" : "s"} before trying again.`,
      { retryAfterSeconds },
    );
  }

  /**
   * Settles a successful attempt: clears the email-and-address counter and gives back the
   * point it took from the email and address counters.
   */
  async recordSuccess(email: string, address: string): Promise<void> {
    await Promise.all([
      this.#byEmailAndAddress.delete(`${email}|${address}`),
      this.#byEmail.reward(email),
      this.#byAddress.reward(address),
    ]);
  }
}
