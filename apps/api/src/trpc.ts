/**
 * The tRPC building blocks: the request context, the procedure builders (one per access
 * rule), `router` and `createCallerFactory`.
 *
 * Every procedure is built from one of the builders below, and each builder both declares
 * its rule in `.meta({ access })` and enforces it in a middleware. There is no builder
 * without a rule, and a test walks the router to check that every procedure's declared rule
 * is the one it enforces. The router layer is also the only place where the services' domain
 * errors become tRPC errors.
 */
import { unstorableCharacter, type Role } from "@prealign/core";
import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { isDatabaseUnavailable, type Db } from "./db/database.ts";
import { DomainError, type DomainErrorKind } from "./errors.ts";
import { idInput, slugInput } from "./routers/inputs.ts";
import { assertAnyRole, findProjectAccess } from "./services/access.ts";
import type { DocumentChecker } from "./services/documents.ts";
import type { LoginLimiter } from "./services/login-limiter.ts";
import type { ActiveSession, IssuedSession, SessionUser } from "./services/sessions.ts";

/** Sets and clears the session cookie of the current response. */
export interface SessionCookie {
  /** Sends the cookie for a new session. */
  issue(session: IssuedSession): void;
  /** Tells the browser to drop the cookie. */
  clear(): void;
}

/** What every procedure receives about the request. */
export interface Context {
  /** The database. */
  db: Db;
  /** The caller's session, or null when anonymous. */
  session: ActiveSession | null;
  /** The caller's network address (for login throttling). */
  clientAddress: string;
  /** The login throttle shared by all requests of this server. */
  loginLimiter: LoginLimiter;
  /** The worker threads that check the documents saves send. */
  documents: DocumentChecker;
  /** The response's session cookie. */
  sessionCookie: SessionCookie;
  /** The server's data folder: uploads to import and exported snapshots live under it. */
  dataDir: string;
}

/**
 * Who may call a procedure: anyone; any signed-in user; global admins; or members holding
 * one of `projectRoles` in the project named by the input field `via` (global admins always
 * pass).
 */
export type Access =
  | "public"
  | "user"
  | "globalAdmin"
  | { projectRoles: readonly Role[]; via: ProjectInputField };

/** The input field through which a project-scoped procedure names its project. */
export type ProjectInputField = "projectSlug" | "exampleId";

/** The metadata every procedure carries. */
export interface ProcedureMeta {
  /** Who may call it. */
  access: Access;
}

const codeOfKind: Record<DomainErrorKind, TRPC_ERROR_CODE_KEY> = {
  not_found: "NOT_FOUND",
  forbidden: "FORBIDDEN",
  conflict: "CONFLICT",
  invalid: "BAD_REQUEST",
  unauthenticated: "UNAUTHORIZED",
  rate_limited: "TOO_MANY_REQUESTS",
};

interface SchemaIssue {
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
}

/** The issues of an input-validation failure (zod or any Standard Schema), if that is what `cause` is. */
function validationIssues(cause: unknown): SchemaIssue[] | null {
  if (typeof cause !== "object" || cause === null || !("issues" in cause) || !Array.isArray(cause.issues)) return null;
  return cause.issues as SchemaIssue[];
}

function describeIssue(issue: SchemaIssue): string {
  const path = (issue.path ?? []).map((part) => String(typeof part === "object" ? part.key : part)).join(".");
  return path === "" ? issue.message : `${path}: ${issue.message}`;
}

/**
 * What a call hears while the database is out of reach (restarting, say): the studio itself
 * keeps running and serves again as soon as the database is back, so the person should wait
 * and retry, not reload or report a bug. The editor keeps unsaved text and autosaves again.
 */
export const DATABASE_UNAVAILABLE_MESSAGE =
  "The database is not reachable right now (it may be restarting). Your unsaved text stays in the editor; try again in a few seconds, and tell an admin if it lasts.";

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // Stack traces go into error responses only on a developer's machine; tRPC's default
    // (every NODE_ENV but "production") would send them from a server started without one.
    isDev: process.env.NODE_ENV === "development",
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const issues = error.code === "BAD_REQUEST" ? validationIssues(cause) : null;
      let message = shape.message;
      if (issues) message = `The request was not accepted: ${issues.map(describeIssue).join("; ")}.`;
      else if (error.code === "INTERNAL_SERVER_ERROR" && isDatabaseUnavailable(cause)) message = DATABASE_UNAVAILABLE_MESSAGE;
      else if (error.code === "INTERNAL_SERVER_ERROR") message = "Something went wrong on the server. The error was logged; try again, and tell an admin if it keeps happening.";
      return {
        ...shape,
        message,
        data: { ...shape.data, details: cause instanceof DomainError ? (cause.details ?? null) : null },
      };
    },
  });

/** Builds a router from procedures and sub-routers. */
export const router = t.router;

/** Makes server-side callers of a router (used by tests and the command line). */
export const createCallerFactory = t.createCallerFactory;

/** Turns the services' domain errors into tRPC errors with the matching code. */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: codeOfKind[cause.kind], message: cause.message, cause });
  }
  return result;
});

/** How deep any input may nest; a document nests six levels, every other input two or three. */
export const MAX_INPUT_DEPTH = 32;

/** A place in an input being walked: its value, and how it was reached (for the path, built only when needed). */
interface InputPlace {
  value: unknown;
  key: string;
  parent: InputPlace | null;
  depth: number;
}

function pathOf(place: InputPlace): string {
  const keys: string[] = [];
  for (let at: InputPlace | null = place; at?.parent; at = at.parent) keys.push(at.key);
  return keys.length === 0 ? "input" : keys.reverse().join(".");
}

/**
 * What in `input` no procedure can take, with its path: nesting deeper than
 * {@link MAX_INPUT_DEPTH}, or a string (keys included) that no database can store — a lone
 * surrogate, or a NUL character. Walks iteratively in one pass, so deep JSON cannot overflow
 * the stack and large inputs cost no more than reading them.
 */
export function findUnacceptableInput(input: unknown): { path: string; problem: string } | null {
  const pending: InputPlace[] = [{ value: input, key: "", parent: null, depth: 0 }];
  while (pending.length > 0) {
    const place = pending.pop()!;
    const { value, depth } = place;
    if (typeof value === "string") {
      const problem = unstorableCharacter(value);
      if (problem) return { path: pathOf(place), problem: `holds ${problem}` };
    } else if (typeof value === "object" && value !== null) {
      if (depth >= MAX_INPUT_DEPTH) return { path: pathOf(place), problem: `is nested more than ${MAX_INPUT_DEPTH} levels deep, deeper than any input of the studio` };
      for (const key of Object.keys(value)) {
        const problem = unstorableCharacter(key);
        if (problem) return { path: `${pathOf(place)} (a key)`, problem: `holds ${problem}` };
        pending.push({ value: (value as Record<string, unknown>)[key], key: key.length > 40 ? `${key.slice(0, 40)}…` : key, parent: place, depth: depth + 1 });
      }
    }
  }
  return null;
}

/**
 * Refuses, before any other rule runs, an input that no procedure can take (see
 * {@link findUnacceptableInput}), naming the field: such strings made the database fail with
 * an internal error, and such nesting overflowed the stack.
 */
const refuseUnacceptableInput = t.middleware(async ({ getRawInput, next }) => {
  // A body that is not JSON at all (or none, for a procedure without input) is left to the
  // procedure's own input handling, which refuses it or ignores it as it always did.
  const input = await getRawInput().catch(() => undefined);
  const found = findUnacceptableInput(input);
  if (found) throw new TRPCError({ code: "BAD_REQUEST", message: `The request was not accepted: ${found.path} ${found.problem}.` });
  return next();
});

const baseProcedure = t.procedure.use(mapDomainErrors).use(refuseUnacceptableInput);

function requireSession(session: ActiveSession | null): ActiveSession {
  if (!session) throw new TRPCError({ code: "UNAUTHORIZED", message: "You are not signed in. Sign in and try again." });
  return session;
}

function requireUser(session: ActiveSession | null): SessionUser {
  return requireSession(session).user;
}

const signedIn = t.middleware(({ ctx, next }) => {
  const session = requireSession(ctx.session);
  return next({ ctx: { session, user: session.user } });
});

const globalAdmin = t.middleware(({ ctx, next }) => {
  const user = requireUser(ctx.session);
  if (!user.isAdmin) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only a global admin can do this. Ask one to do it for you." });
  }
  return next({ ctx: { user } });
});

function projectMember(roles: readonly Role[], via: ProjectInputField) {
  return t.middleware(async ({ ctx, next, getRawInput, path }) => {
    const user = requireUser(ctx.session);
    const input = await getRawInput();
    const reference = typeof input === "object" && input !== null ? (input as Record<string, unknown>)[via] : undefined;
    if (typeof reference !== "string" || reference === "") {
      throw new TRPCError({ code: "BAD_REQUEST", message: `The request was not accepted: ${via}: required.` });
    }
    // Checked before the lookup, so that a malformed reference is never looked up or echoed back.
    const checked = (via === "projectSlug" ? slugInput : idInput).safeParse(reference);
    if (!checked.success) {
      throw new TRPCError({ code: "BAD_REQUEST", message: `The request was not accepted: ${via}: ${checked.error.issues[0]?.message ?? "malformed"}.` });
    }
    const access = await findProjectAccess(
      ctx.db,
      via === "projectSlug" ? { projectSlug: reference } : { exampleId: reference },
      user,
    );
    assertAnyRole(access, roles, path);
    return next({ ctx: { user, access } });
  });
}

/** A procedure anyone may call, signed in or not. */
export const publicProcedure = baseProcedure.meta({ access: "public" });

/** A procedure for any signed-in user; `ctx.user` is the caller and `ctx.session` their session. */
export const userProcedure = baseProcedure.meta({ access: "user" }).use(signedIn);

/** A procedure for global admins only. */
export const globalAdminProcedure = baseProcedure.meta({ access: "globalAdmin" }).use(globalAdmin);

/**
 * A procedure for members holding one of `roles` in the project whose slug is the input's
 * `projectSlug`; `ctx.access` is the caller's standing there.
 */
export function projectProcedure(roles: readonly Role[]) {
  return baseProcedure.meta({ access: { projectRoles: roles, via: "projectSlug" } }).use(projectMember(roles, "projectSlug"));
}

/**
 * A procedure for members holding one of `roles` in the project of the example whose id is
 * the input's `exampleId`; `ctx.access` is the caller's standing there.
 */
export function exampleProcedure(roles: readonly Role[]) {
  return baseProcedure.meta({ access: { projectRoles: roles, via: "exampleId" } }).use(projectMember(roles, "exampleId"));
}
