/**
 * Projects, their members and roles, and their guidelines, through the API.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActiveSession } from "../services/sessions.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { callerFor, failure, projectWithMembers, signedInUser } from "../test/fixtures.ts";

let database: TestDatabase;
let globalAdmin: ActiveSession;
let projectAdmin: ActiveSession;
let author: ActiveSession;
let newcomer: ActiveSession;
let project: { slug: string; id: string };

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  globalAdmin = await signedInUser(db, { isAdmin: true, name: "Global admin" });
  projectAdmin = await signedInUser(db, { name: "Project admin" });
  author = await signedInUser(db, { name: "Author" });
  newcomer = await signedInUser(db, { name: "Newcomer" });
  project = await projectWithMembers(db, [
    { session: projectAdmin, roles: ["admin"] },
    { session: author, roles: ["author", "reviewer"] },
  ]);
});

afterAll(async () => {
  await database?.drop();
});

describe("projects", () => {
  it("are created by a global admin with default settings", async () => {
    const { caller } = callerFor(database.db, globalAdmin);
    const created = await caller.projects.create({ slug: "field-notes", name: "Field notes" });
    expect(created).toMatchObject({
      slug: "field-notes",
      name: "Field notes",
      settings: { unalignedQuotes: false, quoteMarksLint: true, reviewersPerExample: 2, skipCommentaryWhenNoMarks: false },
    });
    const duplicate = await failure(caller.projects.create({ slug: "field-notes", name: "Again" }));
    expect(duplicate.code).toBe("CONFLICT");
    expect(duplicate.message).toContain('slug "field-notes" already exists');
  });

  it("need a slug of lowercase letters, digits and hyphens", async () => {
    const { caller } = callerFor(database.db, globalAdmin);
    const error = await failure(caller.projects.create({ slug: "Not A Slug", name: "x" }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain("lowercase letters, digits or hyphens");
  });

  it("are listed for their members with the caller's roles, and all of them for a global admin", async () => {
    const { caller } = callerFor(database.db, author);
    const mine = await caller.projects.list();
    expect(mine.map((listed) => [listed.slug, listed.roles])).toEqual([[project.slug, ["author", "reviewer"]]]);
    const { caller: admin } = callerFor(database.db, globalAdmin);
    expect((await admin.projects.list()).map((listed) => listed.slug)).toEqual(expect.arrayContaining([project.slug, "field-notes"]));
    const { caller: outsider } = callerFor(database.db, newcomer);
    expect(await outsider.projects.list()).toEqual([]);
  });

  it("show the caller's roles and the current guidelines on their page", async () => {
    const { caller } = callerFor(database.db, author);
    const page = await caller.projects.get({ projectSlug: project.slug });
    expect(page).toMatchObject({ slug: project.slug, roles: ["author", "reviewer"], isGlobalAdmin: false, guideline: null });
    const missing = await failure(caller.projects.get({ projectSlug: "no-such-project" }));
    expect(missing.code).toBe("NOT_FOUND");
  });

  it("look to a signed-in outsider exactly like a project that does not exist, and so do their examples", async () => {
    const { caller: asAuthor } = callerFor(database.db, author);
    const { id: exampleId } = await asAuthor.examples.create({ projectSlug: project.slug });
    const elsewhere = await signedInUser(database.db, { name: "Member elsewhere" });
    await projectWithMembers(database.db, [{ session: elsewhere, roles: ["admin"] }]);
    const { caller } = callerFor(database.db, elsewhere);
    const unknown = randomBytes(6).toString("hex");
    /** A refusal's code and message, with the reference the caller sent (which the message may repeat) blanked out. */
    async function answerAbout(reference: string, promise: Promise<unknown>) {
      const { code, message } = await failure(promise);
      return { code, message: message.replaceAll(reference, "…") };
    }
    const aboutProject = await answerAbout(project.slug, caller.projects.get({ projectSlug: project.slug }));
    expect(aboutProject.code).toBe("NOT_FOUND");
    expect(aboutProject).toEqual(await answerAbout(`no-${unknown}`, caller.projects.get({ projectSlug: `no-${unknown}` })));
    const aboutExample = await answerAbout(exampleId, caller.examples.get({ exampleId }));
    expect(aboutExample.code).toBe("NOT_FOUND");
    expect(aboutExample).toEqual(await answerAbout(unknown, caller.examples.get({ exampleId: unknown })));
  });
});

describe("members", () => {
  it("are added by a project admin, by email and role, and the change is audited", async () => {
    const { caller } = callerFor(database.db, projectAdmin);
    const added = await caller.members.add({ projectSlug: project.slug, email: newcomer.user.email, role: "commentator" });
    expect(added).toMatchObject({ user: { id: newcomer.user.id }, roles: ["commentator"] });
    const again = await caller.members.add({ projectSlug: project.slug, email: newcomer.user.email.toUpperCase(), role: "reviewer" });
    expect(again.roles).toEqual(["commentator", "reviewer"]);
    const events = await database.db.auditEvent.findMany({
      where: { projectId: project.id, action: "member.add" },
      select: { actorId: true, from: true, to: true, data: true },
    });
    expect(events).toHaveLength(2);
    expect(events).toEqual(
      expect.arrayContaining([
        { actorId: projectAdmin.user.id, from: null, to: "commentator", data: { userId: newcomer.user.id } },
        { actorId: projectAdmin.user.id, from: null, to: "reviewer", data: { userId: newcomer.user.id } },
      ]),
    );
  });

  it("cannot be added by an author", async () => {
    const { caller } = callerFor(database.db, author);
    const error = await failure(caller.members.add({ projectSlug: project.slug, email: newcomer.user.email, role: "admin" }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toBe(
      `This needs the admin role in project "${project.slug}" (members.add), but your roles there are author, reviewer. Ask a project admin for the role.`,
    );
    const roles = await database.db.membership.findMany({ where: { projectId: project.id, userId: newcomer.user.id, role: "admin" } });
    expect(roles).toEqual([]);
  });

  it("cannot be added twice in one role, nor without an account", async () => {
    const { caller } = callerFor(database.db, projectAdmin);
    const twice = await failure(caller.members.add({ projectSlug: project.slug, email: author.user.email, role: "author" }));
    expect(twice.code).toBe("CONFLICT");
    const unknown = await failure(caller.members.add({ projectSlug: project.slug, email: "stranger@example.org", role: "author" }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toContain("Ask a global admin to create it");
  });

  it("are listed with their roles for anyone in the project", async () => {
    const { caller } = callerFor(database.db, author);
    const members = await caller.members.list({ projectSlug: project.slug });
    expect(members.map((member) => [member.user.name, member.roles])).toEqual([
      ["Author", ["author", "reviewer"]],
      ["Newcomer", ["commentator", "reviewer"]],
      ["Project admin", ["admin"]],
    ]);
    const { caller: outsider } = callerFor(database.db, await signedInUser(database.db));
    expect((await failure(outsider.members.list({ projectSlug: project.slug }))).code).toBe("NOT_FOUND");
  });

  it("have their roles set exactly, with the change audited", async () => {
    const { caller } = callerFor(database.db, projectAdmin);
    const updated = await caller.members.setRoles({ projectSlug: project.slug, userId: newcomer.user.id, roles: ["adjudicator", "reviewer"] });
    expect(updated.roles).toEqual(["reviewer", "adjudicator"]);
    const event = await database.db.auditEvent.findFirst({
      where: { projectId: project.id, action: "member.roles" },
      select: { from: true, to: true, data: true },
      orderBy: { createdAt: "desc" },
    });
    expect(event).toEqual({ from: "commentator,reviewer", to: "reviewer,adjudicator", data: { userId: newcomer.user.id } });
  });

  it("survive five admins adding the same role at once: each call succeeds or is a conflict, never a server error", async () => {
    const member = await signedInUser(database.db, { name: "Contested" });
    const contested = await projectWithMembers(database.db, [
      { session: projectAdmin, roles: ["admin"] },
      { session: member, roles: ["author"] },
    ]);
    const { caller } = callerFor(database.db, projectAdmin);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => caller.members.setRoles({ projectSlug: contested.slug, userId: member.user.id, roles: ["author", "reviewer"] })),
    );
    const codes = results.map((result) => (result.status === "fulfilled" ? "OK" : (result.reason as { code?: string }).code));
    expect(codes.every((code) => code === "OK" || code === "CONFLICT"), codes.join(", ")).toBe(true);
    expect(codes).toContain("OK");
    for (const result of results) {
      if (result.status === "rejected") expect((result.reason as Error).message).toContain("Reload the member list");
    }
    const members = await caller.members.list({ projectSlug: contested.slug });
    expect(members.find((one) => one.user.id === member.user.id)?.roles).toEqual(["author", "reviewer"]);
  });

  it("are removed with all their roles, and a global admin may manage any project", async () => {
    const { caller } = callerFor(database.db, globalAdmin);
    await caller.members.remove({ projectSlug: project.slug, userId: newcomer.user.id });
    const members = await caller.members.list({ projectSlug: project.slug });
    expect(members.map((member) => member.user.id)).not.toContain(newcomer.user.id);
    const removedAgain = await failure(caller.members.remove({ projectSlug: project.slug, userId: newcomer.user.id }));
    expect(removedAgain.code).toBe("NOT_FOUND");
    const event = await database.db.auditEvent.findFirst({
      where: { projectId: project.id, action: "member.remove" },
      select: { actorId: true, from: true, to: true },
    });
    expect(event).toEqual({ actorId: globalAdmin.user.id, from: "reviewer,adjudicator", to: null });
  });

  it("lose access to the project when removed", async () => {
    const { caller } = callerFor(database.db, newcomer);
    expect((await failure(caller.projects.get({ projectSlug: project.slug }))).code).toBe("NOT_FOUND");
  });
});

describe("guidelines", () => {
  it("are versioned: each update appends a version and the current one is the newest", async () => {
    const { caller } = callerFor(database.db, projectAdmin);
    expect(await caller.guidelines.current({ projectSlug: project.slug })).toBeNull();
    const first = await caller.guidelines.update({ projectSlug: project.slug, markdown: "# Rules\n\nOne.", baseVersion: null });
    const second = await caller.guidelines.update({ projectSlug: project.slug, markdown: "# Rules\n\nTwo.", baseVersion: 1 });
    expect([first.version, second.version]).toEqual([1, 2]);
    const { caller: reader } = callerFor(database.db, author);
    await expect(reader.guidelines.current({ projectSlug: project.slug })).resolves.toMatchObject({
      version: 2,
      markdown: "# Rules\n\nTwo.",
      author: { id: projectAdmin.user.id },
    });
    expect(await database.db.guideline.count({ where: { projectId: project.id } })).toBe(2);
    await expect(reader.projects.get({ projectSlug: project.slug })).resolves.toMatchObject({ guideline: { version: 2 } });
  });

  it("refuse an update based on an old version", async () => {
    const { caller } = callerFor(database.db, projectAdmin);
    const error = await failure(caller.guidelines.update({ projectSlug: project.slug, markdown: "stale", baseVersion: 1 }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toContain("newer version");
  });

  it("cannot be changed by an author", async () => {
    const { caller } = callerFor(database.db, author);
    expect((await failure(caller.guidelines.update({ projectSlug: project.slug, markdown: "mine" }))).code).toBe("FORBIDDEN");
  });
});
