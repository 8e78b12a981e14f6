/**
 * Password hashing with argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).
 * Only the PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) is ever stored; each
 * hash gets its own random salt.
 */
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { hash, verify, type Algorithm, type Options } from "@node-rs/argon2";
import { Semaphore } from "async-mutex";
import { InvalidInputError } from "../errors.ts";

/** The shortest password accepted (OWASP ASVS 2.1.1 asks for at least 8 characters). */
export const MIN_PASSWORD_LENGTH = 8;

/** The longest password accepted; bounds the work a single login can cause. */
export const MAX_PASSWORD_LENGTH = 256;

/** The argon2id cost parameters (OWASP Password Storage Cheat Sheet). */
export const ARGON2_OPTIONS: Options = {
  // `Algorithm` is a const enum, which isolated modules cannot read at run time; 2 is Argon2id.
  algorithm: 2 as Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

/**
 * How many passwords are hashed or checked at once: one core fewer than the machine has (at
 * least one). Each takes a core for tens of milliseconds, and argon2 runs on libuv's four
 * threads, so a crowd signing in at once would otherwise take every core from the requests of
 * people already at work: at 200 people signing in on two cores, saves waited up to 1.6 s
 * (`npm run bench -- load.save_p99`). Sign-ins queue instead.
 */
const hashing = new Semaphore(Math.max(1, availableParallelism() - 1));

/** Hashes a password into an argon2id PHC string with a fresh random salt. */
export function hashPassword(password: string): Promise<string> {
  return hashing.runExclusive(() => hash(password, ARGON2_OPTIONS));
}

/** Whether `password` matches the PHC string `passwordHash`; false for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await hashing.runExclusive(() => verify(passwordHash, password));
  } catch {
    return false;
  }
}

/** A random password of 20 URL-safe characters (120 bits), for accounts an admin creates. */
export function generatePassword(): string {
  return randomBytes(15).toString("base64url");
}

/** Throws {@link InvalidInputError} when a chosen password is too short or too long. */
export function assertAcceptablePassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new InvalidInputError(
      `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters (a few words make a good one).`,
    );
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidInputError(`The password is too long: use at most ${MAX_PASSWORD_LENGTH} characters.`);
  }
}

let decoyHash: Promise<string> | undefined;

/**
 * A hash of a random password, verified against when a login names an unknown email so that
 * the answer takes as long as for a known one and reveals nothing.
 */
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return decoyHash;
}
