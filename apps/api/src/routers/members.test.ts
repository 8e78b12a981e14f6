/**
 * members.setRoles changes the roles of people already in the project and of nobody else:
 * about any other account it answers exactly as about an id that does not exist, so that a
 * project admin learns nothing about accounts outside their project (people are added with
 * members.add, by email).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActiveSession } from "../services/sessions.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { callerFor, failure, projectWithMembers, signedInUser } from "../test/fixtures.ts";

let database: TestDatabase;
let projectAdmin: ActiveSession;
let member: ActiveSession;
let outsider: ActiveSession;
let globalAdmin: ActiveSession;
let project: { slug: string; id: string };

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  projectAdmin = await signedInUser(db, { name: "Project admin" });
  member = await signedInUser(db, { name: "Member" });
  outsider = await signedInUser(db, { name: "Olive Outsider" });
  globalAdmin = await signedInUser(db, { isAdmin: true, name: "Gil Global" });
  project = await projectWithMembers(db, [
    { session: projectAdmin, roles: ["admin"] },
    { session: member, roles: ["author"] },
  ]);
  await projectWithMembers(db, [{ session: outsider, roles: ["author"] }]);
});

afterAll(async () => {
  await database?.drop();
});

/** The code and message of a refused call, and whatever details it carries for the client. */
async function answerOf(promise: Promise<unknown>) {
  const error = await failure(promise);
  return { code: error.code, message: error.message, details: (error.cause as { details?: unknown } | undefined)?.details ?? null };
}

describe("members.setRoles", () => {
  it("answers about an account outside the project, a global admin's included, exactly as about an id that does not exist", async () => {
    const { caller } = callerFor(database.db, projectAdmin);
    const unknownId = `no-such-account-${randomBytes(6).toString("hex")}`;
    const forUnknown = await answerOf(caller.members.setRoles({ projectSlug: project.slug, userId: unknownId, roles: [] }));
    expect(forUnknown.code).toBe("NOT_FOUND");
    for (const [who, session] of [
      ["an account in another project", outsider],
      ["a global admin", globalAdmin],
    ] as const) {
      for (const roles of [[], ["reviewer"]] as const) {
        const answer = await answerOf(caller.members.setRoles({ projectSlug: project.slug, userId: session.user.id, roles: [...roles] }));
        const shown = JSON.stringify(answer);
        expect(answer, `${who}, roles [${roles.join(", ")}]`).toEqual(forUnknown);
        expect(shown).not.toContain(session.user.email);
        expect(shown).not.toContain(session.user.name);
      }
    }
    const memberships = await database.db.membership.count({
      where: { projectId: project.id, userId: { in: [outsider.user.id, globalAdmin.user.id] } },
    });
    expect(memberships).toBe(0);
  });

  it("changes a member's roles, and once an empty list has removed them answers about them as about anyone else", async () => {
    const { caller } = callerFor(database.db, projectAdmin);
    const changed = await caller.members.setRoles({ projectSlug: project.slug, userId: member.user.id, roles: ["reviewer", "author"] });
    expect(changed).toEqual({ user: { id: member.user.id, email: member.user.email, name: "Member" }, roles: ["author", "reviewer"] });
    const removed = await caller.members.setRoles({ projectSlug: project.slug, userId: member.user.id, roles: [] });
    expect(removed.roles).toEqual([]);
    expect((await caller.members.list({ projectSlug: project.slug })).map((listed) => listed.user.id)).not.toContain(member.user.id);
    const again = await answerOf(caller.members.setRoles({ projectSlug: project.slug, userId: member.user.id, roles: ["author"] }));
    const forUnknown = await answerOf(caller.members.setRoles({ projectSlug: project.slug, userId: "no-such-account", roles: ["author"] }));
    expect(again).toEqual(forUnknown);
    expect(forUnknown).toEqual({
      code: "NOT_FOUND",
      message: `That account is not a member of project "${project.slug}". Reload the member list; to add someone, enter their email.`,
      details: null,
    });
  });
});
