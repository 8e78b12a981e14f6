/**
 * Reviews and adjudication through the API: blind review in every query procedure, flags
 * anchored to the reviewed text, a whole round from review to a returned example whose upheld
 * flags travel with it, the audit log, "My work" and project settings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../router.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { failure } from "../test/fixtures.ts";
import { as, createTeam, docJson, exampleIn, RUDE_TEXT, type Team } from "../test/workflow.ts";

let database: TestDatabase;
let team: Team;

beforeAll(async () => {
  database = await createTestDatabase();
  team = await createTeam(database.db);
});

afterAll(async () => {
  await database?.drop();
});

/** Every query procedure of the router by dotted path (`_def.procedures` is flat at run time). */
const QUERIES = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
  .filter(([, procedure]) => procedure._def.type === "query")
  .map(([path]) => path);

describe("blind review", () => {
  const SECRET_COMMENT = "only-the-other-reviewer-wrote-this-7f3a";

  it("no query procedure shows a reviewer who has not submitted another review's verdict, flags or comments", async () => {
    const { db } = database;
    const { id, headId } = await exampleIn(db, team, {
      stage: "review",
      claimedBy: team.reviewer,
      reviews: [{ by: team.reviewer2, verdict: "changes_needed", flags: [{ start: 0, end: 4, severity: "major", comment: SECRET_COMMENT }] }],
    });
    const api = as(db, team.reviewer);
    await api.reviews.addFlag({ exampleId: id, start: 5, end: 11, category: "style", severity: "minor", comment: "my own note" });
    const other = await db.review.findFirstOrThrow({ where: { exampleId: id, reviewerId: team.reviewer2.user.id }, select: { id: true, flags: { select: { id: true } } } });
    const secrets = [other.id, other.flags[0]!.id, "changes_needed", SECRET_COMMENT];

    const input = { exampleId: id, projectSlug: team.project.slug, revisionId: headId, limit: 200 };
    const answers: Record<string, unknown> = {};
    expect(QUERIES.length).toBeGreaterThan(8);
    for (const path of QUERIES) {
      const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], api) as (input: unknown) => Promise<unknown>;
      answers[path] = await procedure(input).catch((error: unknown) => ({ refused: (error as Error).message }));
    }
    for (const [path, answer] of Object.entries(answers)) {
      const json = JSON.stringify(answer);
      for (const secret of secrets) expect(json, `${path} shows ${secret}`).not.toContain(secret);
    }
    // The walk did see the review page, with the caller's own flag on it.
    expect(answers["reviews.get"]).toMatchObject({ round: 1, others: [], mine: { flags: [{ start: 5, end: 11, comments: [{ body: "my own note" }] }] } });

    // Once the reviewer has submitted, the same page shows the other review.
    await api.reviews.submit({ exampleId: id, verdict: "accept" });
    const after = JSON.stringify(await api.reviews.get({ exampleId: id }));
    for (const secret of secrets) expect(after).toContain(secret);
  });
});

describe("flags", () => {
  it("must be a non-empty range inside the text that crosses no tag", async () => {
    const { db } = database;
    const { id } = await exampleIn(db, team, { stage: "review", claimedBy: team.reviewer, text: RUDE_TEXT });
    const api = as(db, team.reviewer);
    const flag = (start: number, end: number) => api.reviews.addFlag({ exampleId: id, start, end, category: "style", severity: "minor", comment: "" });
    // "Rude remark. " is 0–13, the tag <AI> 13–17, "That was unkind." 17–33, </AI> 33–38.
    expect((await failure(flag(3, 3))).message).toBe("A flag needs a range of at least one character; select the text to flag (start 3, end 3).");
    expect((await failure(flag(30, 50))).message).toBe("The range 30–50 is outside the text, which is 38 characters long. Select text inside it.");
    expect((await failure(flag(10, 20))).message).toBe("The range 10–20 crosses a tag. Flag the text on one side of the tag, or make one flag per part.");
    expect((await failure(flag(14, 16))).code).toBe("BAD_REQUEST");
    const made = await flag(17, 33);
    expect(made).toMatchObject({ start: 17, end: 33, category: "style", severity: "minor", decision: null, comments: [] });
    await expect(api.reviews.removeFlag({ exampleId: id, flagId: made.id })).resolves.toEqual({ ok: true });
    expect(await db.flag.count({ where: { exampleId: id } })).toBe(0);
  });

  it("are refused to a reviewer who wrote the example", async () => {
    const { db } = database;
    const { id } = await exampleIn(db, team, { stage: "review", claimedBy: team.reviewer, participants: [[team.reviewer, "author"]] });
    const error = await failure(as(db, team.reviewer).reviews.addFlag({ exampleId: id, start: 0, end: 4, category: "style", severity: "minor", comment: "" }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("You wrote or commented this example");
  });
});

describe("a round from review to a returned example", () => {
  it("reviewers disagree, the adjudicator upholds the blocker and returns it; the flag travels; the log shows every step", async () => {
    const { db } = database;
    const own = await createTeam(db);
    const { slug } = own.project;
    const writer = as(db, own.writer);
    const { id } = await writer.examples.create({ projectSlug: slug });
    const draft = await writer.examples.get({ exampleId: id });
    await writer.examples.save({ exampleId: id, baseRevisionId: draft.head.id, doc: docJson(RUDE_TEXT, "commented") });
    await writer.workflow.act({ exampleId: id, action: "submit" });

    const commentator = as(db, own.commentator);
    expect(await commentator.claims.next({ projectSlug: slug, role: "commentator" })).toMatchObject({ exampleId: id });
    await commentator.workflow.act({ exampleId: id, action: "submit" });

    const first = as(db, own.reviewer);
    expect(await first.claims.next({ projectSlug: slug, role: "reviewer" })).toMatchObject({ exampleId: id });
    const blocker = await first.reviews.addFlag({ exampleId: id, start: 0, end: 12, category: "uncommented_bad_behaviour", severity: "blocker", comment: "Needs commentary" });
    await first.reviews.comment({ exampleId: id, flagId: blocker.id, body: "Really." });
    expect(await first.reviews.submit({ exampleId: id, verdict: "changes_needed" })).toEqual({ stage: "review" });

    const second = as(db, own.reviewer2);
    expect(await first.claims.next({ projectSlug: slug, role: "reviewer" })).toMatchObject({ exampleId: null });
    expect(await second.claims.next({ projectSlug: slug, role: "reviewer" })).toMatchObject({ exampleId: id });
    expect((await second.reviews.get({ exampleId: id })).others).toEqual([]);
    expect(await second.reviews.submit({ exampleId: id, verdict: "accept" })).toEqual({ stage: "adjudication" });

    const adjudicator = as(db, own.adjudicator);
    expect(await adjudicator.claims.next({ projectSlug: slug, role: "adjudicator" })).toMatchObject({ exampleId: id });
    const sideBySide = await adjudicator.reviews.get({ exampleId: id });
    expect(sideBySide.mine).toBeNull();
    expect(sideBySide.others.map((review) => [review.reviewer.name, review.verdict, review.flags.length])).toEqual([
      ["Reviewer", "changes_needed", 1],
      ["Second reviewer", "accept", 0],
    ]);
    expect(sideBySide.others[0]!.flags[0]!.comments.map((comment) => comment.body)).toEqual(["Needs commentary", "Really."]);
    await expect(adjudicator.adjudication.decideFlag({ exampleId: id, flagId: blocker.id, decision: "upheld" })).resolves.toMatchObject({ decision: "upheld" });
    expect(await commentator.examples.flagsToAddress({ exampleId: id })).toEqual([]);
    await adjudicator.workflow.act({ exampleId: id, action: "return", to: "commentary", reason: "Comment the insult." });

    const toAddress = await commentator.examples.flagsToAddress({ exampleId: id });
    expect(toAddress).toMatchObject([{ id: blocker.id, start: 0, end: 12, severity: "blocker", decision: "upheld", revision: { text: RUDE_TEXT } }]);
    const work = await commentator.work.mine();
    expect(work.find((entry) => entry.project.slug === slug)).toMatchObject({ waiting: [{ role: "commentator", stage: "commentary", count: 1 }], returnedToMe: 1 });

    const log = await as(db, own.admin).audit.list({ projectSlug: slug, exampleId: id, limit: 3 });
    const rest = await as(db, own.admin).audit.list({ projectSlug: slug, exampleId: id, limit: 50, cursor: log.nextCursor! });
    expect(rest.nextCursor).toBeNull();
    const steps = [...log.items, ...rest.items].reverse().map((event) => [event.actor?.name, event.from, event.to, event.reason]);
    expect(steps).toEqual([
      ["Writer", null, "draft", null],
      ["Writer", "draft", "commentary", null],
      ["Commentator", "commentary", "review", null],
      ["Second reviewer", "review", "adjudication", null],
      ["Adjudicator", "adjudication", "commentary", "Comment the insult."],
    ]);
    const participations = await db.participation.findMany({ where: { exampleId: id }, select: { role: true, user: { select: { name: true } } } });
    expect(participations.map((row) => `${row.user.name}:${row.role}`).sort()).toEqual([
      "Adjudicator:adjudicator",
      "Commentator:commentator",
      "Reviewer:reviewer",
      "Second reviewer:reviewer",
      "Writer:author",
    ]);
  });
});

describe("revisions record the guideline version in force", () => {
  it("on every save", async () => {
    const { db } = database;
    const own = await createTeam(db);
    await as(db, own.admin).guidelines.update({ projectSlug: own.project.slug, markdown: "# Rules" });
    const writer = as(db, own.writer);
    const { id } = await writer.examples.create({ projectSlug: own.project.slug });
    const draft = await writer.examples.get({ exampleId: id });
    const saved = await writer.examples.save({ exampleId: id, baseRevisionId: draft.head.id, doc: docJson("Hello") });
    expect((await db.revision.findUniqueOrThrow({ where: { id: saved.id }, select: { guidelineVersion: true } })).guidelineVersion).toBe(1);
  });
});

describe("projects.updateSettings", () => {
  it("changes the fields given, refuses bad values with a message, and is audited", async () => {
    const { db } = database;
    const own = await createTeam(db);
    const admin = as(db, own.admin);
    await expect(admin.projects.updateSettings({ projectSlug: own.project.slug, settings: { reviewersPerExample: 3 } })).resolves.toMatchObject({
      reviewersPerExample: 3,
      skipCommentaryWhenNoMarks: false,
    });
    const bad = await failure(admin.projects.updateSettings({ projectSlug: own.project.slug, settings: { reviewersPerExample: 0 } }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toContain("At least one reviewer must review each example.");
    const unknown = await failure(admin.projects.updateSettings({ projectSlug: own.project.slug, settings: { colour: "red" } as never }));
    expect(unknown.code).toBe("BAD_REQUEST");
    expect((await as(db, own.author).projects.get({ projectSlug: own.project.slug })).settings.reviewersPerExample).toBe(3);
    const log = await admin.audit.list({ projectSlug: own.project.slug, action: "project.settings", limit: 10 });
    expect(log.items).toHaveLength(1);
    expect(JSON.parse(log.items[0]!.to!)).toMatchObject({ reviewersPerExample: 3 });
  });
});
