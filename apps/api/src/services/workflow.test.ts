/**
 * The stage machine through the API, generated from the core's `STAGE_MACHINE`: every stage ×
 * every action (× every target where an action has several) × every role and a global admin,
 * with the example set up so that every guard holds, is allowed or refused exactly as the table
 * declares; a refusal says why and changes nothing. Then each guard's own refusal.
 */
import { STAGE_ACTIONS, STAGE_MACHINE, STAGES, type Stage, type StageAction, type StageTransition } from "@prealign/core";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { failure } from "../test/fixtures.ts";
import { as, createTeam, docJson, exampleIn, snapshot, type Team } from "../test/workflow.ts";
import { setAuditDraw } from "./workflow.ts";

const CALLERS = ["author", "commentator", "reviewer", "adjudicator", "admin", "globalAdmin"] as const;
type Caller = (typeof CALLERS)[number];

/** Whether the table lets `caller` take `row` (a global admin takes the rows an admin may). */
function tableAllows(caller: Caller, row: StageTransition): boolean {
  return row.roles.includes(caller === "globalAdmin" ? "admin" : caller);
}

interface Case {
  stage: Stage;
  action: StageAction;
  to: Stage | undefined;
  caller: Caller;
  /** The stage the table says the call leads to; null when it must be refused. */
  expected: Stage | null;
}

/** Every (stage, action, target, caller) with its outcome according to the table. */
const CASES: Case[] = STAGES.flatMap((stage) =>
  STAGE_ACTIONS.flatMap((action) => {
    const rows = STAGE_MACHINE.filter((row) => row.from === stage && row.action === action);
    // Return and send_back name their target; submit and complete_review have theirs chosen by guards.
    const named = action === "return" || action === "send_back";
    const targets: (Stage | undefined)[] = named && rows.length > 0 ? [...new Set(rows.map((row) => row.to))] : [undefined];
    return targets.flatMap((to) =>
      CALLERS.map((caller): Case => {
        const taken = rows.filter((row) => (to === undefined || row.to === to) && tableAllows(caller, row));
        // Where one action has rows that a guard chooses between, the setup satisfies the
        // first row's routing guard: commentary is needed, and the reviews agree.
        return { stage, action, to, caller, expected: taken[0]?.to ?? null };
      }),
    );
  }),
);

let database: TestDatabase;
let team: Team;

beforeAll(async () => {
  database = await createTestDatabase();
  team = await createTeam(database.db);
});

afterAll(async () => {
  await database?.drop();
});

/** Sets up an example in `stage` with every guard satisfied for `caller`. */
function exampleFor(stage: Stage, caller: Caller) {
  return exampleIn(database.db, team, {
    stage,
    mark: "commented",
    claimedBy: team[caller],
    reviews:
      stage === "review"
        ? [{ by: team.reviewer2, verdict: "accept" }]
        : stage === "adjudication"
          ? [
              { by: team.reviewer2, verdict: "accept" },
              { by: team.reviewer3, verdict: "changes_needed" },
            ]
          : [],
  });
}

function call(caller: Caller, exampleId: string, action: StageAction, to: Stage | undefined) {
  const api = as(database.db, team[caller]);
  if (action === "complete_review") return api.reviews.submit({ exampleId, verdict: "accept" });
  return api.workflow.act({ exampleId, action, ...(to ? { to } : {}), reason: "Because the table says so" });
}

describe("the stage machine, generated from STAGE_MACHINE", () => {
  it("covers every stage, action and role, and takes every row but the two a guard routes to", () => {
    expect(new Set(CASES.map((entry) => `${entry.stage} ${entry.action} ${entry.caller}`)).size).toBe(STAGES.length * STAGE_ACTIONS.length * CALLERS.length);
    const taken = new Set(CASES.filter((entry) => entry.expected).map((entry) => `${entry.stage} ${entry.action} ${entry.expected}`));
    const routed = STAGE_MACHINE.map((row) => `${row.from} ${row.action} ${row.to}`).filter((key) => !taken.has(key));
    // Taken in "each guard refuses with its reason": commentary_skippable and reviews_disagree.
    expect(routed).toEqual(["draft submit review", "review complete_review adjudication"]);
  });

  it.each(CASES)("$stage, $action → $to as $caller: $expected", async ({ stage, action, to, caller, expected }) => {
    const { db } = database;
    const { id, headId } = await exampleFor(stage, caller);
    const before = await snapshot(db, id);
    if (expected === null) {
      const error = await failure(call(caller, id, action, to));
      expect(["FORBIDDEN", "BAD_REQUEST", "CONFLICT"], error.message).toContain(error.code);
      expect(error.message.length, "a message a person understands").toBeGreaterThan(30);
      expect(error.message).toMatch(/[.)]$/);
      expect(await snapshot(db, id), "nothing half-written").toEqual(before);
      return;
    }
    const answer = await call(caller, id, action, to);
    expect(answer).toEqual({ stage: expected });
    const after = await db.example.findUniqueOrThrow({
      where: { id },
      select: { stage: true, claimedById: true, reviewRound: true, reviewRevisionId: true },
    });
    expect(after.stage).toBe(expected);
    expect(after.claimedById, "the claim is released").toBeNull();
    if (expected === "review") expect(after).toMatchObject({ reviewRound: before.reviewRound + 1, reviewRevisionId: headId });
    const event = await db.auditEvent.findFirst({
      where: { exampleId: id, action: "example.stage", from: stage },
      select: { actorId: true, to: true, reason: true },
    });
    expect(event).toEqual({
      actorId: team[caller].user.id,
      to: expected,
      reason: action === "complete_review" ? null : "Because the table says so",
    });
    expect((await snapshot(db, id)).audit).toBe(before.audit + 1);
  });
});

describe("each guard refuses with its reason", () => {
  it("marks_commented: lists the uncommented marks, and passes once they are commented", async () => {
    const { db } = database;
    const { id, headId } = await exampleIn(db, team, { stage: "commentary", mark: "uncommented", claimedBy: team.commentator });
    const before = await snapshot(db, id);
    const error = await failure(as(db, team.commentator).workflow.act({ exampleId: id, action: "submit" }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toBe(
      "A bad-behaviour mark has no AI commentary: deceit at 0–13. Add AI commentary for each and link it to the mark, then try again.",
    );
    expect((error.cause as { details?: unknown }).details).toEqual({ marks: [{ id: "m1", category: "deceit", start: 0, end: 13 }] });
    expect(await snapshot(db, id)).toEqual(before);
    const actions = await as(db, team.commentator).workflow.actions({ exampleId: id });
    expect(actions).toEqual([
      { action: "submit", to: "review", label: "Submit for review", allowed: false, reason: error.message, needsReason: false },
    ]);
    const api = as(db, team.commentator);
    await api.examples.save({ exampleId: id, baseRevisionId: headId, doc: docJson("Rude remark. <AI>That was unkind.</AI>", "commented") });
    await expect(api.workflow.act({ exampleId: id, action: "submit" })).resolves.toEqual({ stage: "review" });
  });

  it("reason_given: a send-back, return or rejection needs a reason", async () => {
    const { db } = database;
    const { id } = await exampleIn(db, team, { stage: "commentary" });
    for (const reason of [undefined, "   "]) {
      const error = await failure(as(db, team.admin).workflow.act({ exampleId: id, action: "send_back", to: "draft", ...(reason === undefined ? {} : { reason }) }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toBe("Give a reason: the people who worked on the example will read it, and the audit log keeps it.");
    }
    const adjudicated = await exampleIn(db, team, { stage: "adjudication", claimedBy: team.adjudicator });
    const error = await failure(as(db, team.adjudicator).workflow.act({ exampleId: adjudicated.id, action: "reject" }));
    expect(error.message).toContain("Give a reason");
  });

  it("holds_claim: not taken, taken by someone else, or expired", async () => {
    const { db } = database;
    const api = as(db, team.commentator);
    const free = await exampleIn(db, team, { stage: "commentary" });
    expect((await failure(api.workflow.act({ exampleId: free.id, action: "submit" }))).message).toBe(
      'You have not taken this example. Take it from your queue with "Take next" before working on it.',
    );
    const foreign = await exampleIn(db, team, { stage: "commentary", claimedBy: team.admin });
    const held = await failure(api.workflow.act({ exampleId: foreign.id, action: "submit" }));
    expect(held.code).toBe("CONFLICT");
    expect(held.message).toMatch(/^Admin is working on this example \(their claim lasts until .*\)/);
    const lapsed = await exampleIn(db, team, { stage: "commentary", claimedBy: team.commentator, claimExpired: true });
    expect((await failure(api.workflow.act({ exampleId: lapsed.id, action: "submit" }))).message).toMatch(/^Your claim on this example expired at /);
  });

  it("not_participant: nobody reviews what they commented, nor adjudicates what they reviewed", async () => {
    const { db } = database;
    const commented = await exampleIn(db, team, {
      stage: "review",
      claimedBy: team.reviewer,
      participants: [[team.reviewer, "commentator"]],
      reviews: [{ by: team.reviewer2, verdict: "accept" }],
    });
    const error = await failure(as(db, team.reviewer).reviews.submit({ exampleId: commented.id, verdict: "accept" }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("You wrote or commented this example, so someone else must review it");
    const reviewed = await exampleIn(db, team, {
      stage: "adjudication",
      claimedBy: team.adjudicator,
      participants: [[team.adjudicator, "reviewer"]],
    });
    const refused = await failure(as(db, team.adjudicator).workflow.act({ exampleId: reviewed.id, action: "accept" }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toBe(
      "You reviewed this example, so someone else must adjudicate it (separation of duties). Take another example from your queue.",
    );
  });

  it("commentary_skippable: a project that skips commentary sends a draft without marks straight to review", async () => {
    const { db } = database;
    const skipping = await createTeam(db, { skipCommentaryWhenNoMarks: true });
    const plain = await exampleIn(db, skipping, { stage: "draft" });
    const api = as(db, skipping.author);
    const wrongWay = await failure(api.workflow.act({ exampleId: plain.id, action: "submit", to: "commentary" }));
    expect(wrongWay.code).toBe("BAD_REQUEST");
    expect(wrongWay.message).toContain("This project skips commentary for examples without bad-behaviour marks");
    await expect(api.workflow.act({ exampleId: plain.id, action: "submit" })).resolves.toEqual({ stage: "review" });
    expect(await db.example.findUniqueOrThrow({ where: { id: plain.id }, select: { reviewRound: true, reviewRevisionId: true } })).toEqual({
      reviewRound: 1,
      reviewRevisionId: plain.headId,
    });
    const marked = await exampleIn(db, skipping, { stage: "draft", mark: "uncommented" });
    await expect(api.workflow.act({ exampleId: marked.id, action: "submit" })).resolves.toEqual({ stage: "commentary" });
  });

  it("reviews_disagree: a verdict that does not accept, or a blocker flag, sends the round to adjudication", async () => {
    const { db } = database;
    const disagreeing = await exampleIn(db, team, { stage: "review", claimedBy: team.reviewer, reviews: [{ by: team.reviewer2, verdict: "changes_needed" }] });
    await expect(as(db, team.reviewer).reviews.submit({ exampleId: disagreeing.id, verdict: "accept" })).resolves.toEqual({ stage: "adjudication" });
    const blocked = await exampleIn(db, team, {
      stage: "review",
      claimedBy: team.reviewer,
      reviews: [{ by: team.reviewer2, verdict: "accept", flags: [{ start: 0, end: 4, severity: "blocker" }] }],
    });
    await expect(as(db, team.reviewer).reviews.submit({ exampleId: blocked.id, verdict: "accept" })).resolves.toEqual({ stage: "adjudication" });
  });

  it("a review that does not complete the round leaves the example in review, released; reviewing twice is refused", async () => {
    const { db } = database;
    const { id } = await exampleIn(db, team, { stage: "review", claimedBy: team.reviewer });
    const api = as(db, team.reviewer);
    await expect(api.reviews.submit({ exampleId: id, verdict: "accept" })).resolves.toEqual({ stage: "review" });
    expect((await db.example.findUniqueOrThrow({ where: { id }, select: { claimedById: true } })).claimedById).toBeNull();
    await db.example.update({ where: { id }, data: { claimedById: team.reviewer.user.id, claimExpiresAt: new Date(Date.now() + 60_000) }, select: { id: true } });
    const twice = await failure(api.reviews.submit({ exampleId: id, verdict: "reject" }));
    expect(twice.code).toBe("CONFLICT");
    expect(twice.message).toBe("You have submitted your review of round 1; its flags can no longer change.");
  });

  it("an action the table has no row for is refused, naming what the stage allows", async () => {
    const { db } = database;
    const { id } = await exampleIn(db, team, { stage: "draft" });
    const error = await failure(as(db, team.admin).workflow.act({ exampleId: id, action: "accept" }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toBe(
      'An example in the draft stage cannot be given "accept" (it may have moved on since you opened it; reload it). From draft the actions are: submit and reject.',
    );
    const accepted = await exampleIn(db, team, { stage: "accepted" });
    expect((await failure(as(db, team.admin).workflow.act({ exampleId: accepted.id, action: "reject", reason: "x" }))).message).toBe(
      "This example is accepted, which is final: nothing moves it any more.",
    );
  });

  it("workflow.actions explains each row the caller's roles could take", async () => {
    const { db } = database;
    const { id } = await exampleIn(db, team, { stage: "adjudication", mark: "uncommented" });
    const actions = await as(db, team.adjudicator).workflow.actions({ exampleId: id });
    expect(actions.map((row) => [row.action, row.to, row.allowed])).toEqual([
      ["accept", "accepted", false],
      ["return", "draft", false],
      ["return", "commentary", false],
      ["reject", "rejected", false],
    ]);
    expect(actions[0]!.reason).toContain("You have not taken this example");
    const asAdmin = await as(db, team.admin).workflow.actions({ exampleId: id });
    expect(asAdmin.map((row) => [row.action, row.to, row.allowed, row.needsReason])).toEqual([
      ["send_back", "draft", true, true],
      ["send_back", "commentary", true, true],
      ["reject", "rejected", true, true],
    ]);
  });
});

describe("concurrency", () => {
  it("of two simultaneous submits of one draft, exactly one moves it", async () => {
    const { db } = database;
    const { id } = await exampleIn(db, team, { stage: "draft" });
    const results = await Promise.allSettled([
      as(db, team.author).workflow.act({ exampleId: id, action: "submit" }),
      as(db, team.writer).workflow.act({ exampleId: id, action: "submit" }),
      as(db, team.admin).workflow.act({ exampleId: id, action: "submit" }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      // The loser either lost the race to the conditional update (CONFLICT) or, where the
      // database ran the transactions one after the other, found the example in commentary already.
      if (result.status === "rejected") expect(["CONFLICT", "FORBIDDEN"]).toContain((result.reason as TRPCError).code);
    }
    expect(await db.auditEvent.count({ where: { exampleId: id, from: "draft" } })).toBe(1);
  });
});

/**
 * A seeded source of audit draws (mulberry32): the same seed gives the same draws, so a test
 * knows which rounds the audit takes. Also counts how often it was asked.
 */
function seededDraw(seed: number): { draw: () => number; draws: number[] } {
  let state = seed >>> 0;
  const draws: number[] = [];
  return {
    draws,
    draw() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const value = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      draws.push(value);
      return value;
    },
  };
}

describe("the audit rate", () => {
  it("sends the rounds every reviewer accepted to adjudication when the draw falls under the rate, marked as audits, and accepts the others", async () => {
    const { db } = database;
    const audited = await createTeam(db, { auditRate: 0.3 });
    const source = seededDraw(13);
    const restore = setAuditDraw(source.draw);
    try {
      const outcomes: { stage: string; draw: number }[] = [];
      for (let i = 0; i < 8; i++) {
        const { id } = await exampleIn(db, audited, { stage: "review", claimedBy: audited.reviewer, reviews: [{ by: audited.reviewer2, verdict: "accept" }] });
        const { stage } = await as(db, audited.reviewer).reviews.submit({ exampleId: id, verdict: "accept" });
        outcomes.push({ stage, draw: source.draws.at(-1)! });
        const event = await db.auditEvent.findFirstOrThrow({ where: { exampleId: id, from: "review" }, select: { to: true, reason: true, data: true } });
        expect(event.to).toBe(stage);
        if (stage === "adjudication") {
          expect(event.reason).toContain("Audit: every review accepted");
          expect(event.reason).toContain("audit rate 30 %");
          expect(event.data).toMatchObject({ action: "complete_review", audit: true, auditRate: 0.3 });
        } else {
          expect(event.reason).toBeNull();
          expect(event.data).not.toHaveProperty("audit");
        }
      }
      expect(source.draws).toHaveLength(8);
      // Each round went where its own draw said, and the seed gives both outcomes.
      for (const { stage, draw } of outcomes) expect(stage).toBe(draw < 0.3 ? "adjudication" : "accepted");
      expect(new Set(outcomes.map((outcome) => outcome.stage))).toEqual(new Set(["adjudication", "accepted"]));
    } finally {
      restore();
    }
  });

  it("draws nothing for a round that goes to adjudication anyway, nor where the rate is 0", async () => {
    const { db } = database;
    const source = seededDraw(7);
    const restore = setAuditDraw(source.draw);
    try {
      const everyOne = await createTeam(db, { auditRate: 1 });
      const disagreeing = await exampleIn(db, everyOne, { stage: "review", claimedBy: everyOne.reviewer, reviews: [{ by: everyOne.reviewer2, verdict: "reject" }] });
      expect(await as(db, everyOne.reviewer).reviews.submit({ exampleId: disagreeing.id, verdict: "accept" })).toEqual({ stage: "adjudication" });
      const event = await db.auditEvent.findFirstOrThrow({ where: { exampleId: disagreeing.id, from: "review" }, select: { reason: true } });
      expect(event.reason).toBeNull();
      const none = await exampleIn(db, team, { stage: "review", claimedBy: team.reviewer, reviews: [{ by: team.reviewer2, verdict: "accept" }] });
      expect(await as(db, team.reviewer).reviews.submit({ exampleId: none.id, verdict: "accept" })).toEqual({ stage: "accepted" });
      expect(source.draws).toEqual([]);
    } finally {
      restore();
    }
  });

  it("is a project setting, 5 % by default, that admins change within 0 to 100 %", async () => {
    const { db } = database;
    const fresh = await as(db, team.globalAdmin).projects.create({ slug: `audit-${Date.now().toString(36)}`, name: "Audit default" });
    const api = as(db, team.globalAdmin);
    expect((await api.projects.get({ projectSlug: fresh.slug })).settings.auditRate).toBe(0.05);
    expect((await api.projects.updateSettings({ projectSlug: fresh.slug, settings: { auditRate: 0.1 } })).auditRate).toBe(0.1);
    const refused = await failure(api.projects.updateSettings({ projectSlug: fresh.slug, settings: { auditRate: 1.5 } }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toContain("cannot be above 100 %");
  });
});

describe("the adjudication queue", () => {
  it("stores each completed round's agreement and gives the lowest first, never-computed last, then the oldest", async () => {
    const { db } = database;
    const ordered = await createTeam(db, { reviewersPerExample: 3 });
    const complete = async (verdicts: ["accept" | "changes_needed" | "reject", "accept" | "changes_needed" | "reject"], last: "accept" | "reject") => {
      const { id } = await exampleIn(db, ordered, {
        stage: "review",
        claimedBy: ordered.reviewer,
        reviews: [
          { by: ordered.reviewer2, verdict: verdicts[0] },
          { by: ordered.reviewer3, verdict: verdicts[1] },
        ],
      });
      expect(await as(db, ordered.reviewer).reviews.submit({ exampleId: id, verdict: last })).toEqual({ stage: "adjudication" });
      return id;
    };
    // Oldest first: one put in adjudication without a computed agreement (as an import or an
    // older round would be), then 1/3 (two of three pairs disagree), then 0 (all different).
    const unknown = await exampleIn(db, ordered, { stage: "adjudication" });
    const third = await complete(["accept", "reject"], "accept");
    const none = await complete(["changes_needed", "reject"], "accept");
    const agreements = await db.example.findMany({ where: { id: { in: [unknown.id, third, none] } }, select: { id: true, agreement: true } });
    expect(Object.fromEntries(agreements.map((row) => [row.id, row.agreement]))).toEqual({ [unknown.id]: null, [third]: 1 / 3, [none]: 0 });
    // Two with equal agreement: the older first.
    const thirdLater = await complete(["reject", "accept"], "accept");

    const api = as(db, ordered.adjudicator);
    const taken: (string | null)[] = [];
    for (let i = 0; i < 4; i++) taken.push((await api.claims.next({ projectSlug: ordered.project.slug, role: "adjudicator" })).exampleId);
    expect(taken).toEqual([none, third, thirdLater, unknown.id]);
  });
});
