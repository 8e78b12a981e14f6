/**
 * Who may call what, as one table checked against the router: every procedure is called as
 * every kind of caller, and each call must be admitted or refused exactly as its row in
 * {@link ALLOWED} says. A procedure added to the router without a row fails here, and so does
 * a row for a procedure that no longer exists. Every procedure must also declare its rule in
 * `.meta({ access })`, and the rule it declares must admit the callers of its row.
 */
import { randomBytes } from "node:crypto";
import { ROLES } from "@prealign/core";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./router.ts";
import { findProjectAccess, type ProjectAccess } from "./services/access.ts";
import { createExample } from "./services/examples.ts";
import { resumeSession, startSession, type ActiveSession } from "./services/sessions.ts";
import { createTestDatabase, type TestDatabase } from "./test/database.ts";
import { callerFor, projectWithMembers, signedInUser, TEST_PASSWORD, uniqueEmail } from "./test/fixtures.ts";
import type { Access } from "./trpc.ts";

/**
 * The kinds of caller: nobody signed in; a member of the project holding exactly one role
 * (one kind per role); an outsider, signed in and holding every role in another project but
 * none in this one; a global admin, who holds no role in the project either.
 */
const CALLERS = ["anonymous", ...ROLES, "outsider", "globalAdmin"] as const;

/** One kind of caller. */
type Caller = (typeof CALLERS)[number];

/** A caller the access check admits, whose call a later rule of the service then refuses. */
interface AdmittedThenRefused {
  /** Who. */
  caller: Caller;
  /** The code of the later refusal. */
  code: TRPCError["code"];
  /** Part of its message. */
  message: string;
}

/** An entry of a row: a caller whose call succeeds, or one admitted and then refused by a later rule. */
type Admission = Caller | AdmittedThenRefused;

function thenRefused(caller: Caller, code: TRPCError["code"], message: string): AdmittedThenRefused {
  return { caller, code, message };
}

const EVERYONE = ["anonymous", "author", "commentator", "reviewer", "adjudicator", "admin", "outsider", "globalAdmin"] as const;
const SIGNED_IN = ["author", "commentator", "reviewer", "adjudicator", "admin", "outsider", "globalAdmin"] as const;
const ANY_ROLE_HERE = ["author", "commentator", "reviewer", "adjudicator", "admin", "globalAdmin"] as const;

/** Who may call each procedure; every caller not named in its row is refused. */
const ALLOWED: Record<string, readonly Admission[]> = {
  "auth.login": EVERYONE,
  "auth.logout": SIGNED_IN,
  "auth.me": EVERYONE,
  "users.list": ["globalAdmin"],
  "users.create": ["globalAdmin"],
  "projects.list": SIGNED_IN,
  "projects.get": ANY_ROLE_HERE,
  "projects.create": ["globalAdmin"],
  "members.list": ANY_ROLE_HERE,
  "members.add": ["admin", "globalAdmin"],
  "members.setRoles": ["admin", "globalAdmin"],
  "members.remove": ["admin", "globalAdmin"],
  "guidelines.current": ANY_ROLE_HERE,
  "guidelines.update": ["admin", "globalAdmin"],
  "examples.create": ["author", "globalAdmin"],
  "examples.get": ANY_ROLE_HERE,
  "examples.list": ANY_ROLE_HERE,
  // The example of every call is in the commentary stage, where authors, whom examples.save
  // admits for the draft stage, may not edit, and where editors must first take the example
  // from the queue (the stage and claim rules are tested in routers/examples.test.ts).
  "examples.save": [
    thenRefused("author", "FORBIDDEN", "can edit an example in the commentary stage"),
    thenRefused("commentator", "CONFLICT", "You have not taken this example"),
    thenRefused("admin", "CONFLICT", "You have not taken this example"),
    thenRefused("globalAdmin", "CONFLICT", "You have not taken this example"),
  ],
  "examples.revisions": ANY_ROLE_HERE,
  "examples.revision": ANY_ROLE_HERE,
  "examples.flagsToAddress": ANY_ROLE_HERE,
  "projects.updateSettings": ["admin", "globalAdmin"],
  // Every call asks for the commentary queue, which commentators and admins pull from.
  "claims.next": [
    "commentator",
    thenRefused("reviewer", "FORBIDDEN", "Only commentators can take examples from the commentary queue"),
    thenRefused("adjudicator", "FORBIDDEN", "Only commentators can take examples from the commentary queue"),
    "admin",
    "globalAdmin",
  ],
  // Nobody holds the example of the call, so there is nothing to renew (renewing is tested in routers/claims.test.ts).
  "claims.renew": (["commentator", "reviewer", "adjudicator", "admin", "globalAdmin"] as const).map((caller) =>
    thenRefused(caller, "CONFLICT", "You have not taken this example"),
  ),
  "claims.release": ["commentator", "reviewer", "adjudicator", "admin", "globalAdmin"],
  "workflow.actions": ANY_ROLE_HERE,
  // Every call sends the commentary example back to draft, which only admins may do.
  "workflow.act": [
    ...(["author", "commentator", "reviewer", "adjudicator"] as const).map((caller) =>
      thenRefused(caller, "FORBIDDEN", "Only admins can send back an example in the commentary stage"),
    ),
    "admin",
    "globalAdmin",
  ],
  // The example of every call has never been in review (reviewing is tested in services/workflow.test.ts).
  "reviews.get": (["reviewer", "adjudicator", "admin", "globalAdmin"] as const).map((caller) =>
    thenRefused(caller, "NOT_FOUND", "has not been in review yet"),
  ),
  "reviews.addFlag": [
    thenRefused("reviewer", "CONFLICT", "not review, so you cannot flag it now"),
    thenRefused("globalAdmin", "FORBIDDEN", "Only reviewers can flag an example"),
  ],
  "reviews.removeFlag": [
    thenRefused("reviewer", "CONFLICT", "not review, so you cannot change flags now"),
    thenRefused("globalAdmin", "FORBIDDEN", "Only reviewers can remove flags"),
  ],
  "reviews.comment": (["reviewer", "adjudicator", "globalAdmin"] as const).map((caller) =>
    thenRefused(caller, "NOT_FOUND", "There is no such flag"),
  ),
  "reviews.submit": [
    thenRefused("reviewer", "CONFLICT", "not review, so you cannot submit a review now"),
    thenRefused("globalAdmin", "FORBIDDEN", "Only reviewers can submit a review"),
  ],
  "adjudication.decideFlag": [
    thenRefused("adjudicator", "CONFLICT", "not adjudication, so you cannot decide on flags now"),
    thenRefused("globalAdmin", "FORBIDDEN", "Only adjudicators can decide on flags"),
  ],
  "audit.list": ["admin", "globalAdmin"],
  "work.mine": SIGNED_IN,
  "quality.activity": ["adjudicator", "admin", "globalAdmin"],
  "quality.agreement": ["adjudicator", "admin", "globalAdmin"],
  "quality.accuracy": ["adjudicator", "admin", "globalAdmin"],
  "assist.status": ANY_ROLE_HERE,
  "assist.connection": ["admin", "globalAdmin"],
  "assist.updateConnection": ["admin", "globalAdmin"],
  "assist.removeConnection": ["admin", "globalAdmin"],
  // Answers { ok: false, message } when the endpoint is missing or down.
  "assist.testConnection": ["admin", "globalAdmin"],
  // The example of every call is in commentary, taken by nobody (drafting is tested in routers/assist.test.ts).
  "assist.draft": [
    thenRefused("author", "FORBIDDEN", "Commentary can be drafted only while you can edit the example"),
    ...(["commentator", "admin", "globalAdmin"] as const).map((caller) => thenRefused(caller, "CONFLICT", "You have not taken this example")),
  ],
  "assist.acceptDraft": (["author", "commentator", "admin", "globalAdmin"] as const).map((caller) =>
    thenRefused(caller, "NOT_FOUND", "There is no such draft of yours"),
  ),
  // The project has no endpoint, or one without graders (whichever calls ran before).
  "assist.grade": (["admin", "globalAdmin"] as const).map((caller) => thenRefused(caller, "BAD_REQUEST", "Settings → Model assistance")),
  "assist.gradingJobs": ["admin", "globalAdmin"],
  "assist.suggestions": ["reviewer", "adjudicator", "admin", "globalAdmin"],
  "scenarios.list": ANY_ROLE_HERE,
  "scenarios.create": ["admin", "globalAdmin"],
  // The scenario of the call does not exist (editing and starting from scenarios is tested in services/scenarios.test.ts).
  "scenarios.update": (["admin", "globalAdmin"] as const).map((caller) => thenRefused(caller, "NOT_FOUND", "has no scenario")),
  "scenarios.import": ["admin", "globalAdmin"],
  "scenarios.startExample": (["author", "globalAdmin"] as const).map((caller) => thenRefused(caller, "NOT_FOUND", "has no scenario")),
  "scenarios.ofExample": ANY_ROLE_HERE,
  "scenarios.coverage": ANY_ROLE_HERE,
  "imports.list": ["admin", "globalAdmin"],
  // The project has no accepted example (exporting is tested in data-routes.test.ts and services/export).
  "exports.start": (["admin", "globalAdmin"] as const).map((caller) => thenRefused(caller, "BAD_REQUEST", "no accepted examples")),
  "exports.list": ["admin", "globalAdmin"],
  "exports.snapshot": (["admin", "globalAdmin"] as const).map((caller) => thenRefused(caller, "NOT_FOUND", "no such snapshot")),
  "jobs.get": (["admin", "globalAdmin"] as const).map((caller) => thenRefused(caller, "NOT_FOUND", "no such job")),
  "jobs.cancel": (["admin", "globalAdmin"] as const).map((caller) => thenRefused(caller, "NOT_FOUND", "no such job")),
};

/** Every procedure by its dotted path (`_def.procedures` is flat at run time). */
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: { access?: Access } } }>);
const paths = procedures.map(([path]) => path);

function accessOf(path: string): Access | undefined {
  return procedures.find(([name]) => name === path)?.[1]._def.meta?.access;
}

function callerOf(admission: Admission): Caller {
  return typeof admission === "string" ? admission : admission.caller;
}

/** The callers a declared rule admits. */
function admittedBy(access: Access): Caller[] {
  if (access === "public") return [...CALLERS];
  if (access === "user") return CALLERS.filter((caller) => caller !== "anonymous");
  if (access === "globalAdmin") return ["globalAdmin"];
  return [...access.projectRoles, "globalAdmin"];
}

/** What a call answered: its error's code and message, or "OK". */
interface Answer {
  code: string;
  message: string;
}

const SUCCEEDED: Answer = { code: "OK", message: "" };

let database: TestDatabase;
let project: { slug: string; id: string };
let authorAccess: ProjectAccess;
let loginEmail: string;
/** The account of each signed-in kind of caller. */
let accounts: Map<Caller, string>;

/**
 * Inputs that differ from the shared one where one input cannot suit every procedure: signing
 * in needs an account's password, creating an account an address that nobody has yet.
 */
const INPUT_OVERRIDES: Record<string, () => Record<string, unknown>> = {
  "auth.login": () => ({ email: loginEmail, password: TEST_PASSWORD }),
  "users.create": () => ({ email: uniqueEmail("created") }),
  "workflow.act": () => ({ action: "send_back", to: "draft", reason: "Sent back by the caller matrix" }),
  "reviews.addFlag": () => ({ start: 0, end: 1, category: "style", severity: "minor", comment: "A flag" }),
  "reviews.removeFlag": () => ({ flagId: "no-such-flag" }),
  "reviews.comment": () => ({ flagId: "no-such-flag", body: "A comment" }),
  "reviews.submit": () => ({ verdict: "accept" }),
  "adjudication.decideFlag": () => ({ flagId: "no-such-flag", decision: "upheld" }),
  "projects.updateSettings": () => ({ settings: { quoteMarksLint: true } }),
  "assist.updateConnection": () => ({ connection: { baseUrl: "http://127.0.0.1:9/v1", model: "walk-model" } }),
  "assist.draft": () => ({ markId: "m1" }),
  "assist.acceptDraft": () => ({ draftId: "no-such-draft" }),
  "scenarios.create": () => ({ scenario: { key: `walk-${randomBytes(6).toString("hex")}` } }),
  "scenarios.update": () => ({ scenarioId: "no-such-scenario", scenario: { key: "walk" } }),
  "scenarios.import": () => ({ format: "jsonl", content: '{"key": "walk"}' }),
  "scenarios.startExample": () => ({ scenarioId: "no-such-scenario" }),
};

/** An account that never signs in (its password hash matches no password). */
function account(name: string) {
  return database.db.user.create({ data: { email: uniqueEmail(name.toLowerCase()), name, passwordHash: "!" }, select: { id: true, email: true } });
}

/**
 * A new input for one call, satisfying every procedure's schema (zod drops the keys a
 * procedure does not name), about things no earlier call has touched: a new example in the
 * commentary stage, a new member to change or remove, a new account to add, a new slug.
 */
async function freshInput(path: string): Promise<Record<string, unknown>> {
  const { db } = database;
  const { id: exampleId } = await createExample(db, authorAccess);
  const { headRevision: head } = await db.example.update({
    where: { id: exampleId },
    data: { stage: "commentary" },
    select: { headRevision: { select: { id: true, doc: true } } },
  });
  const member = await account("Member");
  await db.membership.create({ data: { projectId: project.id, userId: member.id, role: "reviewer" }, select: { id: true } });
  const stranger = await account("Stranger");
  return {
    projectSlug: project.slug,
    exampleId,
    baseRevisionId: head!.id,
    revisionId: head!.id,
    doc: JSON.parse(head!.doc),
    email: stranger.email,
    role: "commentator",
    userId: member.id,
    roles: ["reviewer", "commentator"],
    slug: `walk-${randomBytes(6).toString("hex")}`,
    name: "Walk",
    markdown: "# Rules",
    id: "no-such-job-or-snapshot",
    ...INPUT_OVERRIDES[path]?.(),
  };
}

/** A new session for the caller, so that signing out or in again affects no other call. */
async function sessionOf(caller: Caller): Promise<ActiveSession | null> {
  const userId = accounts.get(caller);
  if (userId === undefined) return null;
  const { token } = await startSession(database.db, userId);
  return resumeSession(database.db, token);
}

/** Calls a procedure by its dotted path. */
async function answerOf(session: ActiveSession | null, path: string, input: Record<string, unknown>): Promise<Answer> {
  const { caller } = callerFor(database.db, session);
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  try {
    await (procedure as (input: unknown) => Promise<unknown>)(input);
    return SUCCEEDED;
  } catch (error) {
    if (error instanceof TRPCError) return { code: error.code, message: error.message };
    throw error;
  }
}

/**
 * How the access check refuses `caller`: an anonymous caller is told to sign in; anyone but a
 * global admin is told that only one may do it; a member lacking the role is told which
 * roles it needs; and an outsider gets exactly the answer, code and message, that the same
 * call about a project or example that does not exist gets, so that nothing tells them
 * whether it does.
 */
async function refusalOf(path: string, caller: Caller, session: ActiveSession | null, input: Record<string, unknown>): Promise<Answer> {
  const access = accessOf(path);
  if (caller === "anonymous") return { code: "UNAUTHORIZED", message: "You are not signed in. Sign in and try again." };
  if (access === "globalAdmin") return { code: "FORBIDDEN", message: "Only a global admin can do this. Ask one to do it for you." };
  if (typeof access !== "object") throw new Error(`${path} declares ${JSON.stringify(access)}, which refuses no signed-in caller`);
  const reference = String(input[access.via]);
  if (caller === "outsider") {
    const unknown = `unknown-${randomBytes(6).toString("hex")}`;
    const answer = await answerOf(session, path, { ...input, [access.via]: unknown });
    expect(answer.code, `${path} about an unknown ${access.via}`).toBe("NOT_FOUND");
    // The message may repeat the reference the caller sent, and nothing else.
    return { code: answer.code, message: answer.message.replaceAll(unknown, reference) };
  }
  return {
    code: "FORBIDDEN",
    message: expect.stringContaining(`in project "${project.slug}" (${path}), but your roles there are ${caller}.`) as string,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const holders = await Promise.all(ROLES.map(async (role) => ({ role, session: await signedInUser(db, { name: `Holds ${role}` }) })));
  const outsider = await signedInUser(db, { name: "Outsider" });
  const globalAdmin = await signedInUser(db, { isAdmin: true, name: "Global admin" });
  project = await projectWithMembers(db, holders.map(({ role, session }) => ({ session, roles: [role] })));
  await projectWithMembers(db, [{ session: outsider, roles: [...ROLES] }]);
  accounts = new Map([
    ...holders.map(({ role, session }) => [role, session.user.id] as const),
    ["outsider", outsider.user.id],
    ["globalAdmin", globalAdmin.user.id],
  ]);
  const author = holders.find(({ role }) => role === "author")!.session;
  authorAccess = await findProjectAccess(db, { projectSlug: project.slug }, author.user);
  loginEmail = (await signedInUser(db, { name: "Signs in" })).user.email;
});

afterAll(async () => {
  await database?.drop();
});

describe("the table of callers", () => {
  it("has a row for every procedure of the router and for no other", () => {
    expect(procedures.length).toBeGreaterThan(15);
    expect(Object.keys(ALLOWED).sort()).toEqual([...paths].sort());
  });

  it("names each caller at most once in a row", () => {
    for (const [path, row] of Object.entries(ALLOWED)) {
      const callers = row.map(callerOf);
      expect(new Set(callers).size, path).toBe(callers.length);
    }
  });
});

describe("every procedure", () => {
  it("declares who may call it", () => {
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

  it("declares the callers its row in the table admits", () => {
    for (const [path] of procedures) {
      const access = accessOf(path);
      const row = ALLOWED[path];
      if (access === undefined || row === undefined) continue;
      expect(admittedBy(access).sort(), path).toEqual(row.map(callerOf).sort());
    }
  });

  it("is public only for signing in and asking who is signed in", () => {
    const publicPaths = procedures.filter(([, procedure]) => procedure._def.meta?.access === "public").map(([path]) => path);
    expect(publicPaths.sort()).toEqual(["auth.login", "auth.me"]);
  });

  it("answers an anonymous caller where it is public", async () => {
    const { caller } = callerFor(database.db, null);
    await expect(caller.auth.me()).resolves.toBeNull();
    await expect(caller.auth.login({ email: "nobody@example.org", password: "wrong password" })).rejects.toThrow(
      "Email or password is incorrect.",
    );
  });
});

describe.each(paths)("%s", (path) => {
  it.each(CALLERS)("as %s: admitted or refused as the table says", async (caller) => {
    const row = ALLOWED[path];
    expect(row, `${path} has no row in ALLOWED; add one that says who may call it`).toBeDefined();
    const admission = row!.find((entry) => callerOf(entry) === caller);
    const session = await sessionOf(caller);
    const input = await freshInput(path);
    const answer = await answerOf(session, path, input);
    if (admission === undefined) {
      expect(answer, "refused by the access check").toEqual(await refusalOf(path, caller, session, input));
    } else if (typeof admission === "string") {
      expect(answer, "admitted, and the call succeeds").toEqual(SUCCEEDED);
    } else {
      expect(answer, "admitted, then refused by a later rule").toEqual({ code: admission.code, message: expect.stringContaining(admission.message) });
    }
  });
});
