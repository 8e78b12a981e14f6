/**
 * Server-side sessions. The browser holds a random token; the database holds only its
 * SHA-256, so a leaked database cannot be replayed as cookies. A session ends after
 * {@link SESSION_IDLE_MS} without use or {@link SESSION_ABSOLUTE_MS} after sign-in,
 * whichever comes first, and at logout.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Db, Prisma } from "../db/database.ts";

/** A session unused for this long has expired (12 hours). */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;

/** A session expires this long after sign-in however much it is used (7 days). */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;

/** `lastSeenAt` is written at most this often, so that reads do not each cost a write. */
const RENEW_AFTER_MS = 60 * 1000;

/** The signed-in person as every procedure sees them. */
export const sessionUserSelect = {
  id: true,
  email: true,
  name: true,
  isAdmin: true,
} satisfies Prisma.UserSelect;

/** The signed-in person as every procedure sees them. */
export type SessionUser = Prisma.UserGetPayload<{ select: typeof sessionUserSelect }>;

/** A live session and its user. */
export interface ActiveSession {
  /** The session's id: the SHA-256 (hex) of its token. */
  id: string;
  /** Who is signed in. */
  user: SessionUser;
  /** When the session ends regardless of use. */
  expiresAt: Date;
}

/** A freshly issued session: the token goes into the cookie and nowhere else. */
export interface IssuedSession {
  /** The secret the browser presents; 256 random bits, base64url. */
  token: string;
  /** When the session ends regardless of use; the cookie expires then too. */
  expiresAt: Date;
}

/** A session with its user, as {@link resumeSession} reads it. */
interface SessionRow {
  lastSeenAt: Date;
  expiresAt: Date;
  userId: string;
  email: string;
  name: string;
  isAdmin: boolean;
  disabledAt: Date | null;
}

/** The session id stored for a token. */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Starts a session for a user and returns its token. */
export async function startSession(db: Db, userId: string, now: Date = new Date()): Promise<IssuedSession> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await db.session.create({
    data: { id: hashSessionToken(token), userId, createdAt: now, lastSeenAt: now, expiresAt },
    select: { id: true },
  });
  return { token, expiresAt };
}

/**
 * The session a token belongs to, renewing its idle timer; null (and the row deleted) when
 * the token is unknown, the session has expired, or the user is disabled.
 */
export async function resumeSession(db: Db, token: string, now: Date = new Date()): Promise<ActiveSession | null> {
  const id = hashSessionToken(token);
  // Every request starts here, so this is one plain statement: Prisma would compile its own
  // query for each call, and under load that compiling took more time than the database.
  const [found] = await db.$queryRaw<SessionRow[]>`
    SELECT s."lastSeenAt", s."expiresAt", u.id AS "userId", u.email, u.name, u."isAdmin", u."disabledAt"
    FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE s.id = ${id}`;
  if (!found) return null;
  const idleSince = now.getTime() - found.lastSeenAt.getTime();
  if (idleSince > SESSION_IDLE_MS || found.expiresAt <= now || found.disabledAt !== null) {
    await db.session.deleteMany({ where: { id } });
    return null;
  }
  if (idleSince > RENEW_AFTER_MS) {
    await db.session.updateMany({ where: { id }, data: { lastSeenAt: now } });
  }
  const { userId, email, name, isAdmin } = found;
  return { id, user: { id: userId, email, name, isAdmin: Boolean(isAdmin) }, expiresAt: found.expiresAt };
}

/** Ends a session (logout). Ending one that is already gone is not an error. */
export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}
