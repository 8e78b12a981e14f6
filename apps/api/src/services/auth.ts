/**
 * Signing in and out. A wrong email and a wrong password get the same answer after the same
 * amount of work, so the answer says nothing about which accounts exist.
 */
import type { Db, Prisma } from "../db/database.ts";
import { UnauthenticatedError } from "../errors.ts";
import type { LoginLimiter } from "./login-limiter.ts";
import { decoyPasswordHash, verifyPassword } from "./passwords.ts";
import { endSession, sessionUserSelect, startSession, type IssuedSession, type SessionUser } from "./sessions.ts";

/** The one message for every failed sign-in. */
export const LOGIN_FAILED_MESSAGE = "Email or password is incorrect.";

const credentialsSelect = {
  ...sessionUserSelect,
  passwordHash: true,
  disabledAt: true,
} satisfies Prisma.UserSelect;

/** What a sign-in attempt presents. */
export interface LoginAttempt {
  /** As typed; compared lower-cased and trimmed. */
  email: string;
  /** As typed. */
  password: string;
  /** The client's network address, for throttling. */
  clientAddress: string;
}

/** A successful sign-in: the new session's token and who signed in. */
export interface LoginResult {
  /** The session to put in the cookie. */
  session: IssuedSession;
  /** The signed-in user. */
  user: SessionUser;
}

/** Lower-cases and trims an email so that each address has one spelling in the database. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Checks an email and password and starts a session. Throws `RateLimitedError` while the
 * attempt is throttled and `UnauthenticatedError` with {@link LOGIN_FAILED_MESSAGE} when
 * the email is unknown, the password wrong, or the account disabled.
 */
export async function logIn(db: Db, limiter: LoginLimiter, attempt: LoginAttempt): Promise<LoginResult> {
  const email = normalizeEmail(attempt.email);
  // The limiter counts the check while it runs, so that parallel guesses cannot all pass the
  // limit while each other's checks are still running; a null result counts as a failure.
  const user = await limiter.attempt(db, email, attempt.clientAddress, async () => {
    const found = await db.user.findUnique({ where: { email }, select: credentialsSelect });
    const matches = await verifyPassword(found?.passwordHash ?? (await decoyPasswordHash()), attempt.password);
    return found && matches && found.disabledAt === null ? found : null;
  });
  if (!user) throw new UnauthenticatedError(LOGIN_FAILED_MESSAGE);
  const { id, name, isAdmin } = user;
  return { session: await startSession(db, id), user: { id, email: user.email, name, isAdmin } };
}

/** Ends the caller's session. */
export async function logOut(db: Db, sessionId: string): Promise<void> {
  await endSession(db, sessionId);
}
