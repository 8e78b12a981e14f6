/**
 * Building blocks for API tests: accounts, sessions and tRPC callers against a real database.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Role } from "@prealign/core";
import { TRPCError } from "@trpc/server";
import type { Db } from "../db/database.ts";
import { createCallerFactory, type Context } from "../trpc.ts";
import { appRouter } from "../router.ts";
import { DocumentChecker } from "../services/documents.ts";
import { LoginLimiter } from "../services/login-limiter.ts";
import { resumeSession, startSession, type ActiveSession, type IssuedSession } from "../services/sessions.ts";
import { createUser } from "../services/users.ts";
import { createProject } from "../services/projects.ts";

/** The password every test account gets. */
export const TEST_PASSWORD = "correct horse battery staple";

const createCaller = createCallerFactory(appRouter);

let documents: DocumentChecker | null = null;

/** The document checker callers share within one test file (its threads end with the file). */
function sharedDocumentChecker(): DocumentChecker {
  documents ??= new DocumentChecker();
  return documents;
}

/** What a caller's session cookie received. */
export interface CookieLog {
  /** Sessions issued, in order. */
  issued: IssuedSession[];
  /** How many times the cookie was cleared. */
  cleared: number;
}

/** A caller of the whole router as one person (or anonymous), plus what it did to its cookie. */
export function callerFor(db: Db, session: ActiveSession | null, options: { limiter?: LoginLimiter; clientAddress?: string; dataDir?: string } = {}) {
  const cookies: CookieLog = { issued: [], cleared: 0 };
  const context: Context = {
    db,
    session,
    clientAddress: options.clientAddress ?? "203.0.113.7",
    loginLimiter: options.limiter ?? new LoginLimiter(),
    documents: sharedDocumentChecker(),
    sessionCookie: { issue: (issued) => void cookies.issued.push(issued), clear: () => void (cookies.cleared += 1) },
    dataDir: options.dataDir ?? join(tmpdir(), "studio-test-data"),
  };
  return { caller: createCaller(context), cookies };
}

let counter = 0;

/** A unique email for a test account. */
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now().toString(36)}@example.org`;
}

/** Creates an account with {@link TEST_PASSWORD} and signs it in. */
export async function signedInUser(db: Db, options: { isAdmin?: boolean; email?: string; name?: string } = {}): Promise<ActiveSession> {
  const { user } = await createUser(db, {
    email: options.email ?? uniqueEmail(options.isAdmin ? "admin" : "user"),
    name: options.name ?? "Test person",
    password: TEST_PASSWORD,
    isAdmin: options.isAdmin ?? false,
    actorId: null,
  });
  const { token } = await startSession(db, user.id);
  const session = await resumeSession(db, token);
  if (!session) throw new Error("A session just started must resume");
  return session;
}

let projectCounter = 0;

/** Creates a project and gives each listed session the listed roles in it; returns its slug and id. */
export async function projectWithMembers(
  db: Db,
  members: { session: ActiveSession; roles: Role[] }[],
): Promise<{ slug: string; id: string }> {
  projectCounter += 1;
  const project = await createProject(db, {
    slug: `project-${projectCounter}-${Date.now().toString(36)}`,
    name: `Project ${projectCounter}`,
    actorId: null,
  });
  await db.membership.createMany({
    data: members.flatMap(({ session, roles }) => roles.map((role) => ({ projectId: project.id, userId: session.user.id, role }))),
  });
  return { slug: project.slug, id: project.id };
}

/** The TRPCError a call fails with; fails the test when the call succeeds or throws something else. */
export async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected the call to fail with a TRPCError, got ${String(error)}`);
  return error;
}
