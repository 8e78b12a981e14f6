/**
 * Queues and claims through the API: "Take next" under concurrency, the queue's rules
 * (separation of duties, order), leases that expire, renewal and hand-back.
 */
import type { Role } from "@prealign/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/database.ts";
import { resumeSession, startSession, type ActiveSession } from "../services/sessions.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { failure, uniqueEmail } from "../test/fixtures.ts";
import { as, createTeam, docJson, exampleIn, type Team } from "../test/workflow.ts";

let database: TestDatabase;
let team: Team;

beforeAll(async () => {
  database = await createTestDatabase();
  team = await createTeam(database.db);
});

afterAll(async () => {
  await database?.drop();
});

/** `count` signed-in people (no password hashing: they never sign in with one). */
async function people(db: Db, count: number, name: string): Promise<ActiveSession[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const user = await db.user.create({ data: { email: uniqueEmail("queue"), name: `${name} ${index + 1}`, passwordHash: "!" }, select: { id: true } });
      const { token } = await startSession(db, user.id);
      return (await resumeSession(db, token))!;
    }),
  );
}

describe("claims.next under concurrency", () => {
  it.each(["commentator", "reviewer"] as const)("50 %ss taking from a queue of 20 get 20 distinct claims and 30 clear answers", async (role) => {
    const { db } = database;
    const takers = await people(db, 50, role);
    const own = await createTeam(db);
    await db.membership.createMany({ data: takers.map((taker) => ({ projectId: own.project.id, userId: taker.user.id, role: role as Role })) });
    const stage = role === "commentator" ? "commentary" : "review";
    const examples = await Promise.all(Array.from({ length: 20 }, () => exampleIn(db, own, { stage })));
    const answers = await Promise.all(takers.map((taker) => as(db, taker).claims.next({ projectSlug: own.project.slug, role })));
    const taken = answers.flatMap((answer) => (answer.exampleId === null ? [] : [answer.exampleId]));
    expect(taken).toHaveLength(20);
    expect(new Set(taken)).toEqual(new Set(examples.map((example) => example.id)));
    const nothing = answers.filter((answer) => answer.exampleId === null);
    expect(nothing).toHaveLength(30);
    for (const answer of nothing) expect(answer).toEqual({ exampleId: null, message: expect.stringMatching(/^Nothing to take: no example in the \w+ queue/) });
    const stored = await db.example.findMany({ where: { projectId: own.project.id }, select: { id: true, claimedById: true } });
    const holders = new Map(stored.map((example) => [example.id, example.claimedById]));
    answers.forEach((answer, index) => {
      if (answer.exampleId !== null) expect(holders.get(answer.exampleId)).toBe(takers[index]!.user.id);
    });
    expect(new Set(stored.map((example) => example.claimedById)).size).toBe(20);
  });
});

describe("an expired claim", () => {
  it("can be taken by someone else, and the first holder's save and submit are then refused", async () => {
    const { db } = database;
    const [first, second] = await people(db, 2, "Commentator");
    const own = await createTeam(db);
    await db.membership.createMany({ data: [first!, second!].map((who) => ({ projectId: own.project.id, userId: who.user.id, role: "commentator" })) });
    const { id, headId } = await exampleIn(db, own, { stage: "commentary" });
    const taken = await as(db, first!).claims.next({ projectSlug: own.project.slug, role: "commentator" });
    expect(taken).toMatchObject({ exampleId: id });
    expect(await as(db, second!).claims.next({ projectSlug: own.project.slug, role: "commentator" })).toMatchObject({ exampleId: null });
    await db.example.update({ where: { id }, data: { claimExpiresAt: new Date(Date.now() - 1000) }, select: { id: true } });
    expect(await as(db, second!).claims.next({ projectSlug: own.project.slug, role: "commentator" })).toMatchObject({ exampleId: id });
    const save = await failure(as(db, first!).examples.save({ exampleId: id, baseRevisionId: headId, doc: docJson("Changed. <AI>Late.</AI>") }));
    expect(save.code).toBe("CONFLICT");
    expect(save.message).toMatch(/^Commentator 2 is working on this example .*; if you held it before, your claim has expired\./);
    const submit = await failure(as(db, first!).workflow.act({ exampleId: id, action: "submit" }));
    expect(submit.code).toBe("CONFLICT");
    expect(await db.revision.count({ where: { exampleId: id } })).toBe(2);
    await expect(as(db, second!).examples.save({ exampleId: id, baseRevisionId: headId, doc: docJson("Changed. <AI>In time.</AI>") })).resolves.toMatchObject({
      number: 3,
    });
  });

  it("refuses a reviewer's flag and verdict after someone else took it", async () => {
    const { db } = database;
    const { id } = await exampleIn(db, team, { stage: "review", claimedBy: team.reviewer, claimExpired: true });
    const renewed = await as(db, team.reviewer).claims.renew({ exampleId: id });
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(Date.now());
    await db.example.update({ where: { id }, data: { claimExpiresAt: new Date(Date.now() - 1000) }, select: { id: true } });
    await db.example.update({ where: { id }, data: { claimedById: team.reviewer2.user.id, claimExpiresAt: new Date(Date.now() + 60_000) }, select: { id: true } });
    const flag = await failure(as(db, team.reviewer).reviews.addFlag({ exampleId: id, start: 0, end: 4, category: "style", severity: "minor", comment: "" }));
    expect(flag.code).toBe("CONFLICT");
    expect((await failure(as(db, team.reviewer).reviews.submit({ exampleId: id, verdict: "accept" }))).code).toBe("CONFLICT");
    expect((await failure(as(db, team.reviewer).claims.renew({ exampleId: id }))).message).toContain("Second reviewer is working on this example");
    expect(await db.review.count({ where: { exampleId: id } })).toBe(0);
  });
});

describe("the queues' rules", () => {
  it("never give reviewers what they wrote, commented or already reviewed this round, nor adjudicators what they reviewed", async () => {
    const { db } = database;
    const own = await createTeam(db);
    const both = (await people(db, 1, "Writer and reviewer"))[0]!;
    await db.membership.createMany({
      data: (["author", "commentator", "reviewer", "adjudicator"] as const).map((role) => ({ projectId: own.project.id, userId: both.user.id, role })),
    });
    await exampleIn(db, own, { stage: "review", participants: [[both, "author"]] });
    await exampleIn(db, own, { stage: "review", participants: [[both, "commentator"]] });
    await exampleIn(db, own, { stage: "review", reviews: [{ by: both, verdict: "accept" }] });
    await exampleIn(db, own, { stage: "adjudication", reviews: [{ by: both, verdict: "accept" }] });
    const api = as(db, both);
    expect(await api.claims.next({ projectSlug: own.project.slug, role: "reviewer" })).toMatchObject({ exampleId: null });
    expect(await api.claims.next({ projectSlug: own.project.slug, role: "adjudicator" })).toMatchObject({ exampleId: null });
    const fresh = await exampleIn(db, own, { stage: "review" });
    expect(await api.claims.next({ projectSlug: own.project.slug, role: "reviewer" })).toMatchObject({ exampleId: fresh.id });
  });

  it("hand out the oldest change first, and refuse a queue of a role the caller does not hold", async () => {
    const { db } = database;
    const own = await createTeam(db);
    const older = await exampleIn(db, own, { stage: "commentary" });
    const newer = await exampleIn(db, own, { stage: "commentary" });
    await db.example.update({ where: { id: older.id }, data: { updatedAt: new Date(Date.now() - 60_000) }, select: { id: true } });
    const api = as(db, own.commentator);
    expect(await api.claims.next({ projectSlug: own.project.slug, role: "commentator" })).toMatchObject({ exampleId: older.id });
    expect(await as(db, own.admin).claims.next({ projectSlug: own.project.slug, role: "commentator" })).toMatchObject({ exampleId: newer.id });
    const refused = await failure(api.claims.next({ projectSlug: own.project.slug, role: "reviewer" }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toContain('Only reviewers can take examples from the review queue of project "');
  });

  it("release hands an example back; only its holder (or an admin) may release it", async () => {
    const { db } = database;
    const { id } = await exampleIn(db, team, { stage: "commentary", claimedBy: team.commentator });
    const refused = await failure(as(db, team.reviewer).claims.release({ exampleId: id }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toBe("Commentator holds this example, not you, so it is not yours to hand back.");
    await expect(as(db, team.commentator).claims.release({ exampleId: id })).resolves.toEqual({ ok: true });
    expect((await db.example.findUniqueOrThrow({ where: { id }, select: { claimedById: true } })).claimedById).toBeNull();
    await db.example.update({ where: { id }, data: { claimedById: team.commentator.user.id, claimExpiresAt: new Date(Date.now() + 60_000) }, select: { id: true } });
    await expect(as(db, team.admin).claims.release({ exampleId: id })).resolves.toEqual({ ok: true });
    const shown = await as(db, team.commentator).examples.get({ exampleId: id });
    expect(shown.claim).toEqual({ holder: null, expiresAt: null, mine: false });
    expect(shown.canEdit).toBe(false);
  });

  it("examples.get says who holds the claim until when", async () => {
    const { db } = database;
    const { id } = await exampleIn(db, team, { stage: "commentary", claimedBy: team.commentator });
    const mine = await as(db, team.commentator).examples.get({ exampleId: id });
    expect(mine.claim).toMatchObject({ holder: { id: team.commentator.user.id, name: "Commentator" }, mine: true });
    expect(mine.canEdit).toBe(true);
    const theirs = await as(db, team.admin).examples.get({ exampleId: id });
    expect(theirs.claim.mine).toBe(false);
    expect(theirs.canEdit).toBe(false);
  });
});
