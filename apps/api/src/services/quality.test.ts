/**
 * The dashboard's figures on seeded projects, against values computed by hand (the working is
 * in the comments): reviewer accuracy and the surviving-defect estimates, including reviewers
 * who miss the same defects; agreement overall, per week and per pair; activity day by day.
 * Reviews, flags, decisions, grader reports and audit events are written directly, with the
 * times each case needs.
 */
import { wilsonInterval, type FlagCategory, type Verdict } from "@prealign/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/database.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { failure } from "../test/fixtures.ts";
import { as, createTeam, exampleIn, type Team } from "../test/workflow.ts";
import { findProjectAccess, type ProjectAccess } from "./access.ts";
import type { ActiveSession } from "./sessions.ts";
import { getAccuracy, getActivity, getAgreement, mergeDefects, type AccuracyFigures } from "./quality.ts";

const DAY = 24 * 60 * 60 * 1000;

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** A project of its own for one case, and an admin's access to it. */
async function project(): Promise<{ team: Team; access: ProjectAccess }> {
  const team = await createTeam(database.db);
  return { team, access: await findProjectAccess(database.db, { projectSlug: team.project.slug }, team.admin.user) };
}

interface SeededFlag {
  start: number;
  end: number;
  category: FlagCategory;
  severity: "blocker" | "major" | "minor";
  decision?: "upheld" | "dismissed";
}

/** A submitted (unless `submittedAt` is null) review of the example's reviewed revision, with flags. */
async function review(
  db: Db,
  example: { id: string; headId: string },
  by: ActiveSession,
  verdict: Verdict | null,
  options: { submittedAt?: Date | null; flags?: SeededFlag[] } = {},
): Promise<void> {
  const submittedAt = options.submittedAt === undefined ? new Date() : options.submittedAt;
  const { id: reviewId } = await db.review.create({
    data: { exampleId: example.id, revisionId: example.headId, round: 1, reviewerId: by.user.id, verdict: submittedAt ? verdict : null, submittedAt },
    select: { id: true },
  });
  for (const flag of options.flags ?? []) {
    await db.flag.create({
      data: { reviewId, exampleId: example.id, revisionId: example.headId, start: flag.start, end: flag.end, category: flag.category, severity: flag.severity, decision: flag.decision ?? null },
      select: { id: true },
    });
  }
}

/** A model grader's report on a revision of the example. */
async function graderReport(db: Db, exampleId: string, revisionId: string, grader: string, flags: { start: number; end: number; category: string }[]) {
  await db.graderReport.create({
    data: { exampleId, revisionId, grader, score: 0.5, flags: flags.map((flag) => ({ ...flag, severity: "major", comment: "" })) },
    select: { id: true },
  });
}

/** The estimate for k and a rule. */
function estimate(figures: AccuracyFigures, k: number, rule: "any" | "majority") {
  return figures.survival.find((entry) => entry.k === k && entry.rule === rule)!;
}

/** The estimates as [independent, observed, observedDefects] for k = 1…5 under one rule, to 12 places. */
function estimates(figures: AccuracyFigures, rule: "any" | "majority") {
  const round = (value: number | null) => (value === null ? null : Number(value.toFixed(12)));
  return [1, 2, 3, 4, 5].map((k) => {
    const { independent, observed, observedDefects } = estimate(figures, k, rule);
    return [round(independent), round(observed), observedDefects];
  });
}

const r = (value: number) => Number(value.toFixed(12));

describe("reviewer accuracy and the surviving-defect estimate", () => {
  it("shows correlated misses: two reviewers who miss the same defects make the observed estimate worse than the independent one", async () => {
    const { db } = database;
    const { team, access } = await project();
    // Four adjudicated examples, each reviewed by three reviewers. The third reviewer flags one
    // defect on each (upheld, major); the first two both flag it on the first two examples and
    // both miss it on the last two.
    for (const caughtByFirstTwo of [true, true, false, false]) {
      const example = await exampleIn(db, team, { stage: "accepted" });
      const defect: SeededFlag = { start: 0, end: 12, category: "uncommented_bad_behaviour", severity: "major", decision: "upheld" };
      const found = caughtByFirstTwo ? [{ ...defect, start: 2, end: 5, decision: "upheld" as const }] : [];
      await review(db, example, team.reviewer, "changes_needed", {
        // Neither a minor upheld flag nor a dismissed major one is a defect.
        flags: [...found, { start: 14, end: 16, category: "style", severity: "minor", decision: "upheld" }],
      });
      await review(db, example, team.reviewer2, "accept", {
        flags: [...found, { start: 20, end: 25, category: "factual_error", severity: "major", decision: "dismissed" }],
      });
      await review(db, example, team.reviewer3, "reject", { flags: [defect] });
    }

    const figures = await getAccuracy(db, access, { days: 90 });
    expect(figures).toMatchObject({ revisions: 4, defects: 4 });
    // Misses: first two reviewers 2 of 4 each, the third 0 of 4; pooled 4 of 12 = 1/3.
    expect(figures.pooled).toMatchObject({ missed: 4, defects: 12, rate: 1 / 3 });
    expect(figures.byReviewer.map(({ reviewer, missed, defects, rate }) => [reviewer.name, reviewer.kind, missed, defects, rate])).toEqual([
      ["Reviewer", "person", 2, 4, 0.5],
      ["Second reviewer", "person", 2, 4, 0.5],
      ["Third reviewer", "person", 0, 4, 0],
    ]);
    // Wilson 95 % for 2 of 4: centre (0.5 + 1.96²/8) / (1 + 1.96²/4) = 0.5, half 0.3495…
    expect(figures.byReviewer[0]!.interval!.low).toBeCloseTo(0.1500, 4);
    expect(figures.byReviewer[0]!.interval!.high).toBeCloseTo(0.8500, 4);
    expect(figures.byCategory.find((entry) => entry.category === "uncommented_bad_behaviour")).toMatchObject({ missed: 4, defects: 12 });
    expect(figures.byCategory.find((entry) => entry.category === "style")).toEqual({ category: "style", missed: 0, defects: 0, rate: null, interval: null });

    // Independent, p = 1/3: any p^k; majority k=3 3p²(1−p) + p³ = 7/27, k=4 P(X≥3) = 9/81,
    // k=5 P(X≥3) = (40 + 10 + 1)/243. Observed, over the defects with at least k reviewers:
    // k=1 (0 + 0 + 2/3 + 2/3)/4; k=2 only the pair of the first two misses the last two: (1/3 + 1/3)/4;
    // k=3 nobody misses all three, but two of three miss the last two under majority: 2/4;
    // no defect has four reviewers.
    expect(estimates(figures, "any")).toEqual([
      [r(1 / 3), r(1 / 3), 4],
      [r(1 / 9), r(1 / 6), 4],
      [r(1 / 27), 0, 4],
      [r(1 / 81), null, 0],
      [r(1 / 243), null, 0],
    ]);
    expect(estimates(figures, "majority")).toEqual([
      [r(1 / 3), r(1 / 3), 4],
      [r(1 / 9), r(1 / 6), 4],
      [r(7 / 27), r(1 / 2), 4],
      [r(9 / 81), null, 0],
      [r(51 / 243), null, 0],
    ]);
    expect(estimate(figures, 2, "any").observed!).toBeGreaterThan(estimate(figures, 2, "any").independent!);
    expect(estimate(figures, 3, "majority").observed!).toBeGreaterThan(estimate(figures, 3, "majority").independent!);
    expect(figures.survival.every((entry) => entry.independentDefects === 4)).toBe(true);
  });

  it("counts model graders as reviewers by name, overlapping upheld flags as one defect, and only the period's defects", async () => {
    const { db } = database;
    const { team, access } = await project();
    // First example: the two reviewers' upheld flags 0–5 and 3–8 (one category) are one defect,
    // 0–8, which the grader's 6–7 also catches. A second defect, ai_misaligned 14–20, is found
    // by the first reviewer only; the grader's 14–15 is of another category and misses it.
    const first = await exampleIn(db, team, { stage: "accepted" });
    await review(db, first, team.reviewer, "changes_needed", {
      flags: [
        { start: 0, end: 5, category: "uncommented_bad_behaviour", severity: "major", decision: "upheld" },
        { start: 14, end: 20, category: "ai_misaligned", severity: "major", decision: "upheld" },
      ],
    });
    await review(db, first, team.reviewer2, "changes_needed", {
      flags: [{ start: 3, end: 8, category: "uncommented_bad_behaviour", severity: "blocker", decision: "upheld" }],
    });
    await graderReport(db, first.id, first.headId, "judge-model", [
      { start: 6, end: 7, category: "uncommented_bad_behaviour" },
      { start: 14, end: 15, category: "tag_misuse" },
    ]);
    // Second example: quote_not_stopped 0–4 upheld from the second reviewer; the first flagged the
    // same range as minor and it was dismissed, which still counts as finding it. The grader
    // reported on an earlier revision only, so it did not review this one.
    const second = await exampleIn(db, team, { stage: "accepted" });
    await review(db, second, team.reviewer, "changes_needed", {
      flags: [{ start: 0, end: 4, category: "quote_not_stopped", severity: "minor", decision: "dismissed" }],
    });
    await review(db, second, team.reviewer2, "reject", {
      flags: [{ start: 0, end: 4, category: "quote_not_stopped", severity: "major", decision: "upheld" }],
    });
    const earlier = await db.revision.findFirstOrThrow({ where: { exampleId: second.id, number: 1 }, select: { id: true } });
    await graderReport(db, second.id, earlier.id, "judge-model", [{ start: 0, end: 4, category: "quote_not_stopped" }]);
    // Third example: reviewed 100 days ago, before the period.
    const old = await exampleIn(db, team, { stage: "accepted" });
    const longAgo = new Date(Date.now() - 100 * DAY);
    await review(db, old, team.reviewer, "accept", { submittedAt: longAgo });
    await review(db, old, team.reviewer2, "reject", {
      submittedAt: longAgo,
      flags: [{ start: 0, end: 4, category: "ai_unhelpful", severity: "blocker", decision: "upheld" }],
    });
    // Fourth: reviewed in the period with nothing upheld; it holds no defect.
    const clean = await exampleIn(db, team, { stage: "accepted" });
    await review(db, clean, team.reviewer, "accept");
    await review(db, clean, team.reviewer2, "accept", { flags: [{ start: 0, end: 4, category: "style", severity: "major", decision: "dismissed" }] });

    const figures = await getAccuracy(db, access, { days: 90 });
    // Defects: uncommented 0–8 {R1 ✓, R2 ✓, grader ✓}; ai_misaligned {R1 ✓, R2 ✗, grader ✗};
    // quote_not_stopped {R1 ✓, R2 ✓}. Pooled 2 of 8.
    expect(figures).toMatchObject({ revisions: 2, defects: 3 });
    expect(figures.pooled).toMatchObject({ missed: 2, defects: 8, rate: 0.25 });
    expect(figures.byReviewer.map(({ reviewer, missed, defects }) => [reviewer.name, reviewer.kind, missed, defects])).toEqual([
      ["Reviewer", "person", 0, 3],
      ["Second reviewer", "person", 1, 3],
      ["judge-model", "grader", 1, 2],
    ]);
    expect(figures.byReviewer[2]!.reviewer.key).toBe("grader:judge-model");
    // Wilson 95 % for 1 of 3: centre (1/3 + 0.6403) / 2.2805 = 0.4269, half 0.3654.
    const second3 = figures.byReviewer[1]!;
    expect(second3.interval!.low).toBeCloseTo(0.0615, 4);
    expect(second3.interval!.high).toBeCloseTo(0.7923, 4);
    expect(second3.interval).toEqual(wilsonInterval(1, 3));
    const categories = Object.fromEntries(figures.byCategory.map(({ category, missed, defects, rate }) => [category, [missed, defects, rate]]));
    expect(categories).toEqual({
      uncommented_bad_behaviour: [0, 3, 0],
      quote_not_stopped: [0, 2, 0],
      ai_misaligned: [2, 3, 2 / 3],
      flawed_moral_reasoning: [0, 0, null],
      ai_unhelpful: [0, 0, null],
      tag_misuse: [0, 0, null],
      factual_error: [0, 0, null],
      style: [0, 0, null],
      other: [0, 0, null],
    });
    // Independent, p = 1/4: any 1/4, 1/16, 1/64; majority k=3 3p²(1−p) + p³ = 10/64.
    // Observed: k=1 (0 + 2/3 + 0)/3; k=2 (0 + 1/3 + 0)/3; k=3 over the two defects with three
    // reviewers: any 0, majority (0 + 1)/2.
    expect(estimates(figures, "any").slice(0, 3)).toEqual([
      [0.25, r(2 / 9), 3],
      [0.0625, r(1 / 9), 3],
      [r(1 / 64), 0, 2],
    ]);
    expect(estimates(figures, "majority").slice(0, 3)).toEqual([
      [0.25, r(2 / 9), 3],
      [0.0625, r(1 / 9), 3],
      [r(10 / 64), 0.5, 2],
    ]);

    // Over 200 days the old example's defect counts too: ai_unhelpful {R1 ✗, R2 ✓}.
    const longer = await getAccuracy(db, access, { days: 200 });
    expect(longer).toMatchObject({ revisions: 3, defects: 4, pooled: { missed: 3, defects: 10 } });
  });

  it("says nothing it does not know: no defects gives null rates and estimates, never NaN", async () => {
    const { db } = database;
    const { team, access } = await project();
    const example = await exampleIn(db, team, { stage: "accepted" });
    await review(db, example, team.reviewer, "accept");
    const figures = await getAccuracy(db, access, { days: 90 });
    expect(figures).toMatchObject({ revisions: 0, defects: 0, byReviewer: [], pooled: { missed: 0, defects: 0, rate: null, interval: null } });
    expect(figures.byCategory.every((entry) => entry.rate === null && entry.interval === null)).toBe(true);
    expect(figures.survival).toHaveLength(10);
    expect(figures.survival.every((entry) => entry.independent === null && entry.observed === null && entry.observedDefects === 0)).toBe(true);
    expect(JSON.stringify(figures)).not.toMatch(/NaN|Infinity/);
  });

  it("merges overlapping upheld flags of one category on one revision, and nothing else", () => {
    const flag = (id: string, revisionId: string, start: number, end: number, category = "style") => ({ id, revisionId, start, end, category });
    expect(
      mergeDefects([flag("c", "r1", 6, 9), flag("a", "r1", 0, 4), flag("b", "r1", 3, 6), flag("d", "r1", 9, 12), flag("e", "r1", 1, 2, "other"), flag("f", "r2", 0, 4)]),
    ).toEqual([
      // 0–4 and 3–6 share code point 3 and merge; 6–9 only touches where 3–6 ends, and 9–12 where 6–9 does.
      flag("e", "r1", 1, 2, "other"),
      flag("a", "r1", 0, 6),
      flag("c", "r1", 6, 9),
      flag("d", "r1", 9, 12),
      flag("f", "r2", 0, 4),
    ]);
  });
});

describe("agreement", () => {
  it("gives alpha overall and per week and kappa per pair, from the period's submitted verdicts", async () => {
    const { db } = database;
    const { team, access } = await project();
    // This week's Monday 01:00 UTC, and a time in the week before.
    const today = new Date();
    const monday = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - ((today.getUTCDay() + 6) % 7) * DAY;
    const thisWeek = new Date(monday + 60 * 60 * 1000);
    const lastWeek = new Date(monday - 6 * DAY);
    const unit = async (reviews: [ActiveSession, Verdict | null, Date | null][]) => {
      const example = await exampleIn(db, team, { stage: "accepted" });
      for (const [by, verdict, submittedAt] of reviews) await review(db, example, by, verdict, { submittedAt });
    };
    const { reviewer: one, reviewer2: two, reviewer3: three } = team;
    await unit([[one, "accept", thisWeek], [two, "accept", thisWeek]]);
    await unit([[one, "accept", thisWeek], [two, "changes_needed", thisWeek]]);
    await unit([[one, "reject", thisWeek], [two, "reject", thisWeek], [three, "reject", thisWeek]]);
    // One verdict and an unsubmitted review: not pairable.
    await unit([[one, "accept", thisWeek], [three, null, null]]);
    await unit([[two, "accept", lastWeek], [three, "changes_needed", lastWeek]]);
    // Before the period.
    const longAgo = new Date(Date.now() - 100 * DAY);
    await unit([[one, "accept", longAgo], [three, "reject", longAgo]]);

    const figures = await getAgreement(db, access, { days: 90 });
    // Pairable units: {a,a}, {a,c}, {r,r,r}, {a,c}. n_a = 4, n_c = 2, n_r = 3, n = 9;
    // Σ o_cc = 2 + 3 = 5; Σ n_c(n_c − 1) = 12 + 2 + 6 = 20;
    // alpha = ((n − 1)·5 − 20) / (n(n − 1) − 20) = 20 / 52.
    expect(figures.overall).toEqual({ alpha: 20 / 52, units: 4, verdicts: 9 });
    // This week: n_a = 3, n_c = 1, n_r = 3, n = 7: (6·5 − 12) / (42 − 12) = 0.6.
    // Last week: one unit {a,c}: (1·0 − 0) / (2 − 0) = 0.
    const weeks = figures.byWeek.filter((week) => week.units > 0);
    expect(weeks).toEqual([
      { week: new Date(monday - 7 * DAY).toISOString().slice(0, 10), alpha: 0, units: 1, verdicts: 2 },
      { week: new Date(monday).toISOString().slice(0, 10), alpha: 0.6, units: 3, verdicts: 7 },
    ]);
    expect(figures.byWeek.length).toBeGreaterThanOrEqual(13);
    expect(figures.byWeek.filter((week) => week.units === 0).every((week) => week.alpha === null)).toBe(true);
    // Reviewer & Second: [a,a,r] vs [a,c,r]: agreements 2 of 3, chance Σ = 2·1 + 1·1 = 3,
    // kappa = (3·2 − 3) / (9 − 3) = 0.5. Reviewer & Third: one unit, both reject: undefined.
    // Second & Third: [r,a] vs [r,c]: (2·1 − 1) / (4 − 1) = 1/3.
    expect(figures.pairs.map((pair) => [pair.first.name, pair.second.name, pair.units, pair.observedAgreement, pair.kappa])).toEqual([
      ["Reviewer", "Second reviewer", 3, 2 / 3, 0.5],
      ["Reviewer", "Third reviewer", 1, 1, null],
      ["Second reviewer", "Third reviewer", 2, 0.5, 1 / 3],
    ]);
  });

  it("says not enough data with no reviews, or one reviewer per example", async () => {
    const { db } = database;
    const { team, access } = await project();
    const empty = await getAgreement(db, access, { days: 14 });
    expect(empty.overall).toEqual({ alpha: null, units: 0, verdicts: 0 });
    expect(empty.pairs).toEqual([]);
    expect(empty.byWeek.every((week) => week.alpha === null && week.units === 0)).toBe(true);
    const example = await exampleIn(db, team, { stage: "accepted" });
    await review(db, example, team.reviewer, "accept");
    expect((await getAgreement(db, access, { days: 14 })).overall).toEqual({ alpha: null, units: 0, verdicts: 0 });
    // Every verdict the same: no disagreement to expect, alpha undefined.
    for (let n = 0; n < 2; n++) {
      const same = await exampleIn(db, team, { stage: "accepted" });
      await review(db, same, team.reviewer, "accept");
      await review(db, same, team.reviewer2, "accept");
    }
    const unanimous = await getAgreement(db, access, { days: 14 });
    expect(unanimous.overall).toEqual({ alpha: null, units: 2, verdicts: 4 });
    expect(unanimous.pairs.map((pair) => pair.kappa)).toEqual([null]);
  });
});

describe("activity", () => {
  it("reconstructs stage counts day by day from the log and counts work per day and per person", async () => {
    const { db } = database;
    const { team, access } = await project();
    const today = new Date();
    const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    const day = (n: number) => new Date(midnight - n * DAY).toISOString().slice(0, 10);
    const at = (n: number, hour: number) => new Date(midnight - n * DAY + hour * 60 * 60 * 1000);
    const { project: { id: projectId } } = team;
    /** An example in `stage` now, whose creation event is moved to `createdDaysAgo` (or deleted: null). */
    const example = async (stage: "draft" | "commentary" | "review" | "adjudication" | "accepted", createdDaysAgo: number | null) => {
      const created = await exampleIn(db, team, { stage });
      if (createdDaysAgo === null) await db.auditEvent.deleteMany({ where: { exampleId: created.id } });
      else await db.auditEvent.updateMany({ where: { exampleId: created.id }, data: { createdAt: at(createdDaysAgo, 1) } });
      return created;
    };
    const moved = (exampleId: string, who: ActiveSession, from: string, to: string, action: string, daysAgo: number, hour = 12) =>
      db.auditEvent.create({ data: { actorId: who.user.id, projectId, exampleId, action: "example.stage", from, to, data: { action }, createdAt: at(daysAgo, hour) }, select: { id: true } });

    // X1: created 2 days ago, submitted to commentary yesterday.
    const x1 = await example("commentary", 2);
    await moved(x1.id, team.writer, "draft", "commentary", "submit", 1);
    // X2: created and submitted 2 days ago, to review yesterday, to adjudication today.
    const x2 = await example("adjudication", 2);
    await moved(x2.id, team.writer, "draft", "commentary", "submit", 2);
    await moved(x2.id, team.commentator, "commentary", "review", "submit", 1);
    await moved(x2.id, team.reviewer2, "review", "adjudication", "complete_review", 0);
    await review(db, x2, team.reviewer, "accept", { submittedAt: at(1, 13) });
    await review(db, x2, team.reviewer2, "changes_needed", { submittedAt: at(0, 0) });
    // X3: through commentary into review 2 days ago, adjudication yesterday, accepted today.
    const x3 = await example("accepted", 2);
    await moved(x3.id, team.writer, "draft", "commentary", "submit", 2, 2);
    await moved(x3.id, team.commentator, "commentary", "review", "submit", 2, 3);
    await moved(x3.id, team.reviewer2, "review", "adjudication", "complete_review", 1);
    await moved(x3.id, team.adjudicator, "adjudication", "accepted", "accept", 0);
    await review(db, x3, team.reviewer, "accept", { submittedAt: at(2, 4) });
    await review(db, x3, team.reviewer2, "reject", { submittedAt: at(1, 11) });
    // X4, X5: imported into review yesterday (one import event, no events of their own).
    await example("review", null);
    await example("review", null);
    await db.auditEvent.create({
      data: { actorId: team.admin.user.id, projectId, action: "example.import", to: "review", data: { imported: 2, skipped: 0 }, createdAt: at(1, 9) },
      select: { id: true },
    });
    // X6: created and submitted 3 days ago, before a three-day period.
    const x6 = await example("commentary", 3);
    await moved(x6.id, team.writer, "draft", "commentary", "submit", 3);

    const figures = await getActivity(db, access, { days: 3 });
    expect(figures.period).toEqual({ from: day(2), to: day(0), days: 3 });
    expect(figures.stagesNow).toEqual({ draft: 0, commentary: 2, review: 2, adjudication: 1, accepted: 1, rejected: 0 });
    // End of yesterday = now less today's flows (X2 review → adjudication, X3 adjudication → accepted);
    // end of the day before = that less yesterday's (X1 draft → commentary, X2 commentary → review,
    // X3 review → adjudication, two imported into review).
    expect(figures.stagesByDay).toEqual([
      { day: day(2), stages: { draft: 1, commentary: 2, review: 1, adjudication: 0, accepted: 0, rejected: 0 } },
      { day: day(1), stages: { draft: 0, commentary: 2, review: 3, adjudication: 1, accepted: 0, rejected: 0 } },
      { day: day(0), stages: { draft: 0, commentary: 2, review: 2, adjudication: 1, accepted: 1, rejected: 0 } },
    ]);
    expect(figures.throughputByDay).toEqual([
      { day: day(2), drafts: 2, commentaries: 1, reviews: 1, adjudications: 0, total: 4 },
      { day: day(1), drafts: 1, commentaries: 1, reviews: 2, adjudications: 0, total: 4 },
      { day: day(0), drafts: 0, commentaries: 0, reviews: 1, adjudications: 1, total: 2 },
    ]);
    expect(figures.throughputByPerson.map(({ person, drafts, commentaries, reviews, adjudications, total }) => [person.name, drafts, commentaries, reviews, adjudications, total])).toEqual([
      ["Adjudicator", 0, 0, 0, 1, 1],
      ["Commentator", 0, 2, 0, 0, 2],
      ["Reviewer", 0, 0, 2, 0, 2],
      ["Second reviewer", 0, 0, 2, 0, 2],
      ["Writer", 3, 0, 0, 0, 3],
    ]);
  });

  it("is empty, not broken, for a project with no examples", async () => {
    const { access } = await project();
    const figures = await getActivity(database.db, access, { days: 7 });
    expect(figures.stagesByDay).toHaveLength(7);
    expect(figures.stagesByDay.every(({ stages }) => Object.values(stages).every((n) => n === 0))).toBe(true);
    expect(figures.throughputByDay.every((entry) => entry.total === 0)).toBe(true);
    expect(figures.throughputByPerson).toEqual([]);
  });
});

describe("the quality procedures", () => {
  it("answer project admins and adjudicators, and refuse reviewers (blind review) and bad periods", async () => {
    const { db } = database;
    const { team } = await project();
    const input = { projectSlug: team.project.slug, days: 30 };
    await expect(as(db, team.adjudicator).quality.accuracy(input)).resolves.toMatchObject({ defects: 0, period: { days: 30 } });
    await expect(as(db, team.admin).quality.agreement(input)).resolves.toMatchObject({ overall: { alpha: null } });
    await expect(as(db, team.admin).quality.activity({ projectSlug: team.project.slug })).resolves.toMatchObject({ period: { days: 90 } });
    expect((await failure(as(db, team.reviewer).quality.accuracy(input))).code).toBe("FORBIDDEN");
    const tooLong = await failure(as(db, team.admin).quality.activity({ ...input, days: 100_000 }));
    expect(tooLong.code).toBe("BAD_REQUEST");
    expect(tooLong.message).toContain("The period is a whole number of days from 1 to 3650.");
  });
});
