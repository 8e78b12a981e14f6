/**
 * Examples through the API: drafts, saves checked against the editor schema, conflicts on
 * stale saves, revision history, and who may edit.
 */
import { textToDoc } from "@prealign/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError } from "../errors.ts";
import type { ActiveSession } from "../services/sessions.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { callerFor, failure, projectWithMembers, signedInUser } from "../test/fixtures.ts";
import { as, createTeam, exampleIn } from "../test/workflow.ts";

let database: TestDatabase;
let author: ActiveSession;
let commentator: ActiveSession;
let reviewer: ActiveSession;
let project: { slug: string; id: string };

/** The editor document of a tagged text, as a client would send it. */
function docOf(text: string): unknown {
  const converted = textToDoc(text);
  if (!converted.ok) throw new Error(`not a valid text: ${text}`);
  return converted.doc.toJSON();
}

const DIALOGUE = 'Can you help? <AI>Yes. You said "<AI_quoting_human>help</AI_quoting_human>".</AI>\nThanks.';

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  author = await signedInUser(db, { name: "Author" });
  commentator = await signedInUser(db, { name: "Commentator" });
  reviewer = await signedInUser(db, { name: "Reviewer" });
  project = await projectWithMembers(db, [
    { session: author, roles: ["author"] },
    { session: commentator, roles: ["commentator"] },
    { session: reviewer, roles: ["reviewer"] },
  ]);
});

afterAll(async () => {
  await database?.drop();
});

async function newDraft() {
  const { caller } = callerFor(database.db, author);
  const { id } = await caller.examples.create({ projectSlug: project.slug });
  return caller.examples.get({ exampleId: id });
}

describe("examples.create", () => {
  it("makes a draft with an empty first revision and audits its first stage", async () => {
    const example = await newDraft();
    expect(example).toMatchObject({
      stage: "draft",
      project: { slug: project.slug },
      head: { number: 1, text: "", baseRevisionId: null, author: { id: author.user.id } },
      roles: ["author"],
      canEdit: true,
    });
    expect(JSON.parse(example.head.doc)).toEqual(docOf(""));
    const events = await database.db.auditEvent.findMany({
      where: { exampleId: example.id },
      select: { action: true, from: true, to: true, actorId: true },
    });
    expect(events).toEqual([{ action: "example.stage", from: null, to: "draft", actorId: author.user.id }]);
  });

  it("is for authors only", async () => {
    const { caller } = callerFor(database.db, reviewer);
    expect((await failure(caller.examples.create({ projectSlug: project.slug }))).code).toBe("FORBIDDEN");
  });
});

describe("examples.save", () => {
  it("stores the document and its tagged text as a new revision based on the head", async () => {
    const draft = await newDraft();
    const { caller } = callerFor(database.db, author);
    const saved = await caller.examples.save({ exampleId: draft.id, baseRevisionId: draft.head.id, doc: docOf(DIALOGUE) });
    expect(saved).toMatchObject({ number: 2, baseRevisionId: draft.head.id, text: DIALOGUE, author: { name: "Author" } });
    const reloaded = await caller.examples.get({ exampleId: draft.id });
    expect(reloaded.head).toMatchObject({ id: saved.id, number: 2, text: DIALOGUE });
    expect(JSON.parse(reloaded.head.doc)).toEqual(docOf(DIALOGUE));
  });

  it("refuses a save based on an older revision, handing back the newest", async () => {
    const draft = await newDraft();
    const { caller } = callerFor(database.db, author);
    const first = await caller.examples.save({ exampleId: draft.id, baseRevisionId: draft.head.id, doc: docOf("First <AI>take</AI>") });
    const error = await failure(caller.examples.save({ exampleId: draft.id, baseRevisionId: draft.head.id, doc: docOf("Second take") }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toContain("revision 2");
    expect(error.cause).toBeInstanceOf(ConflictError);
    expect((error.cause as ConflictError).details).toMatchObject({
      headRevision: { id: first.id, number: 2, text: "First <AI>take</AI>" },
    });
    const reloaded = await caller.examples.get({ exampleId: draft.id });
    expect(reloaded.head.id).toBe(first.id);
  });

  it("lets only one of two saves from the same base win", async () => {
    const draft = await newDraft();
    const { caller } = callerFor(database.db, author);
    const results = await Promise.allSettled([
      caller.examples.save({ exampleId: draft.id, baseRevisionId: draft.head.id, doc: docOf("One") }),
      caller.examples.save({ exampleId: draft.id, baseRevisionId: draft.head.id, doc: docOf("Two") }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await database.db.revision.count({ where: { exampleId: draft.id } })).toBe(2);
  });

  it("answers a retried save (first answer lost) with the revision it made, not a conflict", async () => {
    const draft = await newDraft();
    const { caller } = callerFor(database.db, author);
    const save = { exampleId: draft.id, baseRevisionId: draft.head.id, doc: docOf("Sent twice") };
    const first = await caller.examples.save(save);
    const retried = await caller.examples.save(save);
    expect(retried.id).toBe(first.id);
    expect(retried.number).toBe(2);
    expect(await database.db.revision.count({ where: { exampleId: draft.id } })).toBe(2);
  });

  it("returns the head unchanged when nothing changed", async () => {
    const draft = await newDraft();
    const { caller } = callerFor(database.db, author);
    const same = await caller.examples.save({ exampleId: draft.id, baseRevisionId: draft.head.id, doc: docOf("") });
    expect(same.id).toBe(draft.head.id);
  });

  it("refuses documents the editor schema does not allow, saying why", async () => {
    const draft = await newDraft();
    const { caller } = callerFor(database.db, author);
    const quoteOutsideAi = {
      type: "doc",
      content: [{ type: "paragraph", content: [{ type: "quote_human", content: [{ type: "text", text: "loose" }] }] }],
    };
    const literalTag = {
      type: "doc",
      content: [{ type: "paragraph", content: [{ type: "text", text: "typed <AI>by hand</AI>" }] }],
    };
    for (const doc of [quoteOutsideAi, literalTag, { type: "nonsense" }, "not even an object"]) {
      const error = await failure(caller.examples.save({ exampleId: draft.id, baseRevisionId: draft.head.id, doc }));
      expect(error.code, JSON.stringify(doc)).toBe("BAD_REQUEST");
      expect(error.message).toContain("The editor sent a document the server cannot store");
    }
    expect(await database.db.revision.count({ where: { exampleId: draft.id } })).toBe(1);
  });

  it("is refused to reviewers, and to commentators outside the commentary stage", async () => {
    const draft = await newDraft();
    const { caller: asReviewer } = callerFor(database.db, reviewer);
    expect((await failure(asReviewer.examples.save({ exampleId: draft.id, baseRevisionId: draft.head.id, doc: docOf("x") }))).code).toBe(
      "FORBIDDEN",
    );
    const { caller: asCommentator } = callerFor(database.db, commentator);
    const early = await failure(asCommentator.examples.save({ exampleId: draft.id, baseRevisionId: draft.head.id, doc: docOf("x") }));
    expect(early.code).toBe("FORBIDDEN");
    expect(early.message).toBe("Only authors and admins can edit an example in the draft stage; ask one of them to make the change.");
    // In commentary a save also needs the example's claim (taken from the queue; see claims.test.ts).
    await database.db.example.update({
      where: { id: draft.id },
      data: { stage: "commentary", claimedById: commentator.user.id, claimExpiresAt: new Date(Date.now() + 60_000) },
      select: { id: true },
    });
    const saved = await asCommentator.examples.save({
      exampleId: draft.id,
      baseRevisionId: draft.head.id,
      doc: docOf("Rude remark. <AI>That was unkind.</AI>"),
    });
    expect(saved.author.id).toBe(commentator.user.id);
  });
});

describe("who may edit in which stage", () => {
  let admin: ActiveSession;
  let authorAndCommentator: ActiveSession;
  let staged: { slug: string; id: string };

  beforeAll(async () => {
    admin = await signedInUser(database.db, { name: "Project admin" });
    authorAndCommentator = await signedInUser(database.db, { name: "Both" });
    staged = await projectWithMembers(database.db, [
      { session: author, roles: ["author"] },
      { session: commentator, roles: ["commentator"] },
      { session: admin, roles: ["admin"] },
      { session: authorAndCommentator, roles: ["author", "commentator"] },
    ]);
  });

  /**
   * Whether `who` can save an example that is in `stage` (set directly in the database), holding
   * its claim, as editing in the commentary stage needs (the claim rule is tested in claims.test.ts).
   */
  async function canSave(who: ActiveSession, stage: string): Promise<boolean> {
    const { caller: asAuthor } = callerFor(database.db, author);
    const { id } = await asAuthor.examples.create({ projectSlug: staged.slug });
    const { head } = await asAuthor.examples.get({ exampleId: id });
    await database.db.example.update({
      where: { id },
      data: { stage, claimedById: who.user.id, claimExpiresAt: new Date(Date.now() + 60_000) },
      select: { id: true },
    });
    const { caller } = callerFor(database.db, who);
    const shown = await caller.examples.get({ exampleId: id });
    const saved = await caller.examples.save({ exampleId: id, baseRevisionId: head.id, doc: docOf(`Edited in ${stage}`) }).then(
      () => true,
      (error: unknown) => {
        if ((error as { code?: string }).code !== "FORBIDDEN") throw error;
        return false;
      },
    );
    expect(shown.canEdit, `canEdit shown in ${stage}`).toBe(saved);
    return saved;
  }

  it("follows SPEC §4: authors in draft, commentators in commentary, admins in both, nobody later", async () => {
    const stages = ["draft", "commentary", "review", "adjudication", "accepted", "rejected"];
    const table: Record<string, string[]> = {};
    for (const [name, who] of [
      ["author", author],
      ["commentator", commentator],
      ["admin", admin],
      ["author+commentator", authorAndCommentator],
    ] as const) {
      table[name] = [];
      for (const stage of stages) if (await canSave(who, stage)) table[name].push(stage);
    }
    expect(table).toEqual({
      author: ["draft"],
      commentator: ["commentary"],
      admin: ["draft", "commentary"],
      "author+commentator": ["draft", "commentary"],
    });
  });

  it("says that nobody edits an accepted example", async () => {
    const { caller: asAuthor } = callerFor(database.db, author);
    const { id } = await asAuthor.examples.create({ projectSlug: staged.slug });
    const { head } = await asAuthor.examples.get({ exampleId: id });
    const { caller } = callerFor(database.db, admin);
    await database.db.example.update({ where: { id }, data: { stage: "accepted" }, select: { id: true } });
    const refused = await failure(caller.examples.save({ exampleId: id, baseRevisionId: head.id, doc: docOf("late change") }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toBe("This example is in the accepted stage, where nobody can edit it any more.");
  });
});

describe("revisions", () => {
  it("are listed newest first with author and time, and each can be read", async () => {
    const draft = await newDraft();
    const { caller } = callerFor(database.db, author);
    const second = await caller.examples.save({ exampleId: draft.id, baseRevisionId: draft.head.id, doc: docOf("two") });
    await caller.examples.save({ exampleId: draft.id, baseRevisionId: second.id, doc: docOf("three") });
    const { caller: asReviewer } = callerFor(database.db, reviewer);
    const list = await asReviewer.examples.revisions({ exampleId: draft.id });
    expect(list.map((revision) => [revision.number, revision.author.name])).toEqual([
      [3, "Author"],
      [2, "Author"],
      [1, "Author"],
    ]);
    expect(list[0]).not.toHaveProperty("text");
    expect(list[0]!.createdAt).toBeInstanceOf(Date);
    await expect(asReviewer.examples.revision({ exampleId: draft.id, revisionId: second.id })).resolves.toMatchObject({ text: "two" });
  });

  it("cannot be read through another example", async () => {
    const one = await newDraft();
    const other = await newDraft();
    const { caller } = callerFor(database.db, author);
    expect((await failure(caller.examples.revision({ exampleId: other.id, revisionId: one.head.id }))).code).toBe("NOT_FOUND");
  });
});

describe("examples.list and examples.get", () => {
  it("list a project's examples newest change first, by page and by stage", async () => {
    const { caller } = callerFor(database.db, reviewer);
    const all = await caller.examples.list({ projectSlug: project.slug, limit: 200 });
    expect(all.nextCursor).toBeNull();
    const firstPage = await caller.examples.list({ projectSlug: project.slug, limit: 2 });
    const secondPage = await caller.examples.list({ projectSlug: project.slug, limit: 2, cursor: firstPage.nextCursor! });
    expect([...firstPage.items, ...secondPage.items].map((item) => item.id)).toEqual(all.items.slice(0, 4).map((item) => item.id));
    const updated = all.items.map((item) => item.updatedAt.getTime());
    expect(updated).toEqual([...updated].sort((a, b) => b - a));
    const inCommentary = await caller.examples.list({ projectSlug: project.slug, stage: "commentary" });
    expect(inCommentary.items.length).toBeGreaterThan(0);
    expect(inCommentary.items.every((item) => item.stage === "commentary")).toBe(true);
  });

  it("list the adjudication stage in the order Take next takes it: lowest agreement first, never computed last, then oldest", async () => {
    const { db } = database;
    const team = await createTeam(db);
    const start = Date.now() - 60 * 60 * 1000;
    // Agreement and last change (minutes after `start`) of each example, in the order made.
    const setups: [agreement: number | null, minute: number][] = [[null, 1], [0.5, 2], [0, 5], [0.5, 1], [null, 3], [null, 1], [1, 4]];
    const ids: string[] = [];
    for (const [agreement, minute] of setups) {
      const { id } = await exampleIn(db, team, { stage: "adjudication" });
      await db.example.update({ where: { id }, data: { agreement, updatedAt: new Date(start + minute * 60_000) }, select: { id: true } });
      ids.push(id);
    }
    await exampleIn(db, team, { stage: "review" });
    // The two never computed at minute 1 tie: id decides.
    const [tiedFirst, tiedSecond] = [ids[0]!, ids[5]!].sort();
    const expected = [ids[2], ids[3], ids[1], ids[6], tiedFirst, tiedSecond, ids[4]];

    const api = as(db, team.adjudicator);
    const all = await api.examples.list({ projectSlug: team.project.slug, stage: "adjudication", limit: 200 });
    expect(all.items.map((item) => item.id)).toEqual(expected);
    // One by one, so that every kind of cursor is crossed (equal agreements, into the never
    // computed, the tie among them), it is the same list.
    const paged: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await api.examples.list({ projectSlug: team.project.slug, stage: "adjudication", limit: 1, ...(cursor ? { cursor } : {}) });
      paged.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(expected);
    // And "Take next" takes them in that order.
    const taken: (string | null)[] = [];
    for (let n = 0; n < expected.length; n++) taken.push((await api.claims.next({ projectSlug: team.project.slug, role: "adjudicator" })).exampleId);
    expect(taken).toEqual(expected);
  });

  it("are refused to people outside the project", async () => {
    const draft = await newDraft();
    const { caller } = callerFor(database.db, await signedInUser(database.db));
    expect((await failure(caller.examples.get({ exampleId: draft.id }))).code).toBe("NOT_FOUND");
    expect((await failure(caller.examples.list({ projectSlug: project.slug }))).code).toBe("NOT_FOUND");
    const { caller: member } = callerFor(database.db, author);
    expect((await failure(member.examples.get({ exampleId: "no-such-example" }))).code).toBe("NOT_FOUND");
  });
});
