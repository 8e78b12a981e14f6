/**
 * Walks every procedure of the router: each declares who may call it, and each enforces
 * exactly that. A procedure added without an access rule, or with a rule it does not
 * enforce, fails here.
 */
import { ROLES, type Role } from "@prealign/core";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./router.ts";
import { createExample } from "./services/examples.ts";
import { findProjectAccess } from "./services/access.ts";
import type { ActiveSession } from "./services/sessions.ts";
import { createTestDatabase, type TestDatabase } from "./test/database.ts";
import { callerFor, projectWithMembers, signedInUser, TEST_PASSWORD } from "./test/fixtures.ts";
import type { Access } from "./trpc.ts";

/** Every procedure by its dotted path (`_def.procedures` is flat at run time). */
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: { access?: Access } } }>);

function accessOf(path: string): Access | undefined {
  return procedures.find(([name]) => name === path)?.[1]._def.meta?.access;
}

/** Calls a procedure by its dotted path. */
function call(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (procedure as (input: unknown) => Promise<unknown>)(input);
}

async function outcomeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
    return { code: "OK", message: "" };
  } catch (error) {
    if (error instanceof TRPCError) return { code: error.code, message: error.message };
    throw error;
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return (await outcomeOf(promise)).code;
}

let database: TestDatabase;
let input: Record<string, unknown>;
let holders: Map<Role, ActiveSession>;
let outsider: ActiveSession;
let globalAdmin: ActiveSession;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  outsider = await signedInUser(db);
  globalAdmin = await signedInUser(db, { isAdmin: true });
  holders = new Map();
  for (const role of ROLES) holders.set(role, await signedInUser(db, { name: `Holds ${role}` }));
  const target = await signedInUser(db, { name: "Target" });
  const project = await projectWithMembers(db, [
    ...[...holders].map(([role, session]) => ({ session, roles: [role] })),
    { session: target, roles: ["reviewer"] },
  ]);
  const author = holders.get("author")!;
  const access = await findProjectAccess(db, { projectSlug: project.slug }, author.user);
  const example = await createExample(db, access);
  // In the commentary stage commentators and admins may save; authors, whom examples.save
  // admits too, may save only in draft (the stage rule is tested in routers/examples.test.ts).
  await db.example.update({ where: { id: example.id }, data: { stage: "commentary" }, select: { id: true } });
  const head = await db.example.findUniqueOrThrow({ where: { id: example.id }, select: { headRevision: { select: { id: true, doc: true } } } });
  // One input that satisfies every procedure's schema (zod drops the keys a procedure does not name).
  input = {
    projectSlug: project.slug,
    exampleId: example.id,
    baseRevisionId: head.headRevision!.id,
    revisionId: head.headRevision!.id,
    doc: JSON.parse(head.headRevision!.doc),
    email: target.user.email,
    password: TEST_PASSWORD,
    name: "Walk",
    slug: `walk-${Date.now().toString(36)}`,
    role: "commentator",
    roles: ["reviewer", "commentator"],
    userId: target.user.id,
    markdown: "# Rules",
  };
});

afterAll(async () => {
  await database?.drop();
});

describe("every procedure", () => {
  it("declares who may call it", () => {
    expect(procedures.length).toBeGreaterThan(15);
    for (const [path, procedure] of procedures) {
      const access = procedure._def.meta?.access;
      expect(access, `${path} has no .meta({ access })`).toBeDefined();
      const valid =
        access === "public" ||
        access === "user" ||
        access === "globalAdmin" ||
        (typeof access === "object" && access.projectRoles.length > 0 && access.projectRoles.every((role) => ROLES.includes(role)));
      expect(valid, `${path} has an unknown access rule ${JSON.stringify(access)}`).toBe(true);
    }
  });

  it("is public only for signing in and asking who is signed in", () => {
    const publicPaths = procedures.filter(([, procedure]) => procedure._def.meta?.access === "public").map(([path]) => path);
    expect(publicPaths.sort()).toEqual(["auth.login", "auth.me"]);
  });

  it("refuses an anonymous caller unless it is public", async () => {
    const { caller } = callerFor(database.db, null);
    for (const [path] of procedures) {
      if (accessOf(path) === "public") continue;
      expect(await codeOf(call(caller, path, input)), path).toBe("UNAUTHORIZED");
    }
  });

  it("answers an anonymous caller where it is public", async () => {
    const { caller } = callerFor(database.db, null);
    await expect(caller.auth.me()).resolves.toBeNull();
    await expect(caller.auth.login({ email: "nobody@example.org", password: "wrong password" })).rejects.toThrow(
      "Email or password is incorrect.",
    );
  });

  it("refuses a signed-in non-member everything but what any user may do", async () => {
    const { caller } = callerFor(database.db, outsider);
    for (const [path] of procedures) {
      const access = accessOf(path);
      if (access === "public" || access === "user") continue;
      expect(await codeOf(call(caller, path, input)), path).toBe("FORBIDDEN");
    }
    await expect(caller.projects.list()).resolves.toEqual([]);
  });

  it("admits exactly the project roles it declares", async () => {
    for (const [path] of procedures) {
      const access = accessOf(path);
      if (typeof access !== "object") continue;
      for (const [role, session] of holders) {
        const { caller } = callerFor(database.db, session);
        const { code, message } = await outcomeOf(call(caller, path, input));
        if (path === "examples.save" && role === "author") {
          // Admitted by the access check, then refused by the stage rule.
          expect({ code, message }).toEqual({ code: "FORBIDDEN", message: expect.stringContaining("in the commentary stage") });
        } else if (access.projectRoles.includes(role)) {
          expect(["UNAUTHORIZED", "FORBIDDEN"], `${path} refused ${role}: ${message}`).not.toContain(code);
        } else {
          // Refused by the access check itself, not by some later rule of the service.
          expect({ code, refusedByAccessCheck: message.startsWith("This needs") && message.includes(`(${path})`) }, `${path} admitted ${role}`).toEqual({
            code: "FORBIDDEN",
            refusedByAccessCheck: true,
          });
        }
      }
    }
  });

  it("admits a global admin everywhere", async () => {
    const { caller } = callerFor(database.db, globalAdmin);
    for (const [path] of procedures) {
      if (path.startsWith("auth.")) continue;
      expect(["UNAUTHORIZED", "FORBIDDEN"], path).not.toContain(await codeOf(call(caller, path, { ...input, slug: `admin-${Date.now().toString(36)}` })));
    }
  });
});
