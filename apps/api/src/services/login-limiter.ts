/**
 * Login throttling, in memory per server process. Failed sign-ins are counted per
 * email-and-address pair, per email (from any address) and per address, each key in a window
 * that starts at its first failure. Once a key's failures reach its limit, every attempt on it
 * is refused until the window ends, even with the right password, so that guessing stays slow.
 * Only failures count: a successful sign-in counts toward nothing (and clears its pair's
 * failures), and a refused attempt checks no password and counts toward nothing, so that many
 * people signing in at once from one address (an office behind NAT) never lock it.
 *
 * Guesses sent in parallel must still be counted as they arrive, not once their slow password
 * checks are done. So an attempt whose check is running holds a place on each of its keys, and
 * when a key's failures and held places together reach its limit, a new attempt waits for one
 * of those checks to settle (a success gives its place back, a failure turns it into a
 * failure) and then tries again. However many guesses arrive at once, at most `limit` of them
 * are checked and fail on a key per window.
 */
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

/** What the limiter knows about one key: an email, an address, or a pair of them. */
interface KeyState {
  /** The key, unambiguous across kinds: `["email", email]` and so on, as JSON. */
  readonly id: string;
  /** Failures the key may have within one window. */
  readonly limit: number;
  /** Failures counted in the current window. */
  failures: number;
  /** When the current window ends, in milliseconds since the epoch; its first failure starts it. */
  windowEndsAt: number;
  /** Attempts on the key whose password check is running. */
  checking: number;
  /** Wake-ups of attempts waiting for one of those checks to settle. */
  waiting: (() => void)[];
}

/** Counts failed sign-ins and refuses attempts past the limits. */
export class LoginLimiter {
  readonly #limits: LoginLimits;
  readonly #windowMs: number;
  readonly #keys = new Map<string, KeyState>();
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
  async attempt<T>(email: string, address: string, checkCredentials: () => Promise<T | null>): Promise<T | null> {
    const { perEmailAndAddress, perEmail, perAddress } = this.#limits;
    const states = await this.#holdPlaces([
      { id: JSON.stringify(["email+address", email, address]), limit: perEmailAndAddress },
      { id: JSON.stringify(["email", email]), limit: perEmail },
      { id: JSON.stringify(["address", address]), limit: perAddress },
    ]);
    const [pair] = states;
    let verdict: "right" | "wrong" | "none" = "none";
    try {
      const result = await checkCredentials();
      verdict = result === null ? "wrong" : "right";
      return result;
    } finally {
      const now = Date.now();
      for (const state of states) {
        state.checking -= 1;
        if (verdict === "wrong") countFailure(state, now, this.#windowMs);
      }
      if (verdict === "right") pair!.failures = 0;
      for (const state of states) this.#wake(state, now);
    }
  }

  /**
   * Waits until every key has room for one more check, then holds a place on each. Throws
   * {@link RateLimitedError} as soon as a key's failures alone reach its limit.
   */
  async #holdPlaces(keys: { id: string; limit: number }[]): Promise<KeyState[]> {
    for (;;) {
      const now = Date.now();
      this.#sweep(now);
      // From here to holding the places nothing is awaited, so no other attempt can slip in.
      const states = keys.map(({ id, limit }) => this.#state(id, limit, now));
      const exhausted = states.filter((state) => state.failures >= state.limit);
      if (exhausted.length > 0) throw refusal(Math.max(...exhausted.map((state) => state.windowEndsAt)) - now);
      const full = states.find((state) => state.failures + state.checking >= state.limit);
      if (!full) {
        for (const state of states) state.checking += 1;
        return states;
      }
      await new Promise<void>((resolve) => full.waiting.push(resolve));
    }
  }

  /** The key's state, with failures from a window that has ended forgotten. */
  #state(id: string, limit: number, now: number): KeyState {
    let state = this.#keys.get(id);
    if (!state) {
      state = { id, limit, failures: 0, windowEndsAt: 0, checking: 0, waiting: [] };
      this.#keys.set(id, state);
    }
    if (now >= state.windowEndsAt) state.failures = 0;
    return state;
  }

  /** Lets the attempts waiting on a key try again, and drops the key once it holds nothing. */
  #wake(state: KeyState, now: number): void {
    const waiting = state.waiting;
    state.waiting = [];
    for (const resolve of waiting) resolve();
    if (isIdle(state, now)) this.#keys.delete(state.id);
  }

  /** Drops, at most once per window, the keys whose failures have all been forgotten. */
  #sweep(now: number): void {
    if (now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + this.#windowMs;
    for (const [id, state] of this.#keys) if (isIdle(state, now)) this.#keys.delete(id);
  }
}

/** Counts one failure on a key, starting a new window when its last one has ended. */
function countFailure(state: KeyState, now: number, windowMs: number): void {
  if (now >= state.windowEndsAt) {
    state.failures = 0;
    state.windowEndsAt = now + windowMs;
  }
  state.failures += 1;
}

/** Whether a key has no failures in a current window, no running checks and no one waiting. */
function isIdle(state: KeyState, now: number): boolean {
  return (state.failures === 0 || now >= state.windowEndsAt) && state.checking === 0 && state.waiting.length === 0;
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
