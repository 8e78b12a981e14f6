/**
 * Login throttling: failed sign-ins are counted per email-and-address pair and per address
 * (in memory, per server process). Past the limit, every attempt is refused until the
 * window passes, even with the right password, so that guessing stays slow.
 */
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";
import { RateLimitedError } from "../errors.ts";

/** How many failures each key may have within one window. */
export interface LoginLimits {
  /** Failures allowed for one email from one address (default 5). */
  perEmailAndAddress: number;
  /** Failures allowed from one address across all emails (default 50). */
  perAddress: number;
  /** Length of the window in seconds (default 15 minutes). */
  windowSeconds: number;
}

/** The limits a server uses unless told otherwise. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perEmailAndAddress: 5, perAddress: 50, windowSeconds: 15 * 60 };

/** Counts failed sign-ins and refuses attempts past the limits. */
export class LoginLimiter {
  readonly #byEmailAndAddress: RateLimiterMemory;
  readonly #byAddress: RateLimiterMemory;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.#byEmailAndAddress = new RateLimiterMemory({
      keyPrefix: "login-email-address",
      points: limits.perEmailAndAddress,
      duration: limits.windowSeconds,
    });
    this.#byAddress = new RateLimiterMemory({
      keyPrefix: "login-address",
      points: limits.perAddress,
      duration: limits.windowSeconds,
    });
  }

  /** Throws {@link RateLimitedError} when either counter for this attempt is used up. */
  async assertAllowed(email: string, address: string): Promise<void> {
    const [pair, single] = await Promise.all([
      this.#byEmailAndAddress.get(`${email}|${address}`),
      this.#byAddress.get(address),
    ]);
    const blocked = [
      { state: pair, limit: this.#byEmailAndAddress.points },
      { state: single, limit: this.#byAddress.points },
    ].filter((counter): counter is { state: RateLimiterRes; limit: number } =>
      counter.state !== null && counter.state.consumedPoints >= counter.limit,
    );
    if (blocked.length === 0) return;
    const waitMs = Math.max(...blocked.map((counter) => counter.state.msBeforeNext));
    const retryAfterSeconds = Math.ceil(waitMs / 1000);
    const minutes = Math.ceil(retryAfterSeconds / 60);
    throw new RateLimitedError(
      `Too many failed sign-in attempts. Wait ${minutes} minute${minutes === 1 ? "" : "s"} before trying again.`,
      { retryAfterSeconds },
    );
  }

  /** Counts one failed attempt against both keys. */
  async recordFailure(email: string, address: string): Promise<void> {
    await Promise.all([this.#byEmailAndAddress.penalty(`${email}|${address}`), this.#byAddress.penalty(address)]);
  }

  /** Clears the email-and-address counter after a successful sign-in. */
  async recordSuccess(email: string, address: string): Promise<void> {
    await this.#byEmailAndAddress.delete(`${email}|${address}`);
  }
}
