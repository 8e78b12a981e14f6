/**
 * The dashboard's per-day sums (`quality-summary.ts`): after a mix of transitions through the
 * services, an import, and changes written behind their back (a review moved in time, audit
 * events changed and deleted, a grader report added), summed in between so that old shares have
 * to be taken out, QualityDay holds exactly what summing every raw row afresh gives (and
 * QualityStage what counting the examples gives); and a period
 * that starts between two reviews of one revision sees only the later one, as the raw rows say.
 */
import { writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/database.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { as, createTeam, exampleIn, type Team } from "../test/workflow.ts";
import { findProjectAccess } from "./access.ts";
import { importFile } from "./import/importer.ts";
import { runJob, startJob } from "./jobs.ts";
import { getAccuracy, getAgreement } from "./quality.ts";
import { KEY_SEPARATOR, refreshQualitySummary, revisionEntries, withMonths, type Entry } from "./quality-summary.ts";
import type { ActiveSession } from "./sessions.ts";

const DAY = 24 * 60 * 60 * 1000;

let database: TestDatabase;
let folder: string;

beforeAll(async () => {
  database = await createTestDatabase();
  folder = await mkdtemp(join(tmpdir(), "studio-quality-summary-"));
});

afterAll(async () => {
  await database?.drop();
  await rm(folder, { recursive: true, force: true });
});

/** Gives `who` the example's claim, as taking it from the queue would. */
async function claim(db: Db, exampleId: string, who: ActiveSession): Promise<void> {
  await db.example.update({ where: { id: exampleId }, data: { claimedById: who.user.id, claimExpiresAt: new Date(Date.now() + 600_000) }, select: { id: true } });
}

/** `who` claims the example, flags what is given and submits a verdict, through the API. */
async function reviewAs(db: Db, exampleId: string, who: ActiveSession, verdict: "accept" | "changes_needed" | "reject", flags: { start: number; end: number; category: "style" | "ai_misaligned"; severity: "minor" | "major" | "blocker" }[] = []) {
  await claim(db, exampleId, who);
  for (const flag of flags) await as(db, who).reviews.addFlag({ exampleId, ...flag, comment: "" });
  return as(db, who).reviews.submit({ exampleId, verdict });
}

/** The adjudicator upholds every flag of the round and takes `action`. */
async function adjudicate(db: Db, team: Team, exampleId: string, action: "accept" | "reject" | "return") {
  await claim(db, exampleId, team.adjudicator);
  const flags = await db.flag.findMany({ where: { exampleId }, select: { id: true } });
  for (const flag of flags) await as(db, team.adjudicator).adjudication.decideFlag({ exampleId, flagId: flag.id, decision: "upheld" });
  return as(db, team.adjudicator).workflow.act({ exampleId, action, reason: "Upheld flags", ...(action === "return" ? { to: "draft" as const } : {}) });
}

/** The project's QualityDay rows that count something, as sorted "day kind key n" lines. */
async function summed(db: Db, projectId: string): Promise<string[]> {
  await refreshQualitySummary(db);
  const rows = await db.qualityDay.findMany({ where: { projectId, n: { not: 0 } }, select: { day: true, kind: true, key: true, n: true } });
  return rows.map((row) => `${row.day} ${row.kind} ${row.key} ${row.n}`).sort();
}

/** The same, summed afresh from every raw row: the audit log's cells here, revisions' by `revisionEntries`. */
async function recomputed(db: Db, projectId: string): Promise<string[]> {
  const totals = new Map<string, number>();
  const add = (day: string, kind: string, key: string, n: number) => totals.set(`${day} ${kind} ${key}`, (totals.get(`${day} ${kind} ${key}`) ?? 0) + n);
  const events = await db.auditEvent.findMany({
    where: { projectId, action: { in: ["example.stage", "example.import"] } },
    select: { actorId: true, action: true, from: true, to: true, data: true, createdAt: true },
  });
  const audited: Entry[] = events.flatMap((event): Entry[] => {
    const data = (event.data ?? {}) as Record<string, unknown>;
    const day = event.createdAt.toISOString().slice(0, 10);
    if (event.action === "example.import") return [[day, "example.import", event.to ?? "", typeof data.imported === "number" ? data.imported : 0]];
    const move = [event.from ?? "", event.to ?? "", typeof data.action === "string" ? data.action : ""];
    return [
      [day, "example.stage", [event.actorId ?? "", ...move].join(KEY_SEPARATOR), 1],
      [day, "flow", [...move, event.actorId === null ? "0" : "1"].join(KEY_SEPARATOR), 1],
    ];
  });
  for (const [day, kind, key, n] of withMonths(audited)) add(day, kind, key, n);
  const reviewSelect = {
    revisionId: true,
    reviewerId: true,
    verdict: true,
    submittedAt: true,
    example: { select: { projectId: true } },
    flags: { select: { id: true, start: true, end: true, category: true, severity: true, decision: true } },
  } as const;
  const reviews = await db.review.findMany({ where: { example: { projectId } }, select: reviewSelect });
  const graders = await db.graderReport.findMany({ where: { example: { projectId } }, select: { revisionId: true, grader: true, flags: true, example: { select: { projectId: true } } } });
  const revisions = new Set([...reviews, ...graders].map((row) => row.revisionId));
  for (const revisionId of revisions) {
    const entries = revisionEntries(
      revisionId,
      reviews.filter((review) => review.revisionId === revisionId),
      graders.filter((report) => report.revisionId === revisionId),
    );
    for (const [day, kind, key, n] of withMonths(entries)) add(day, kind, key, n);
  }
  return [...totals].filter(([, n]) => n !== 0).map(([cell, n]) => `${cell} ${n}`).sort();
}

describe("the per-day sums", () => {
  it("equal a recomputation from the raw rows after transitions, an import and changes to old rows", async () => {
    const { db } = database;
    const team = await createTeam(db);
    const access = await findProjectAccess(db, { projectSlug: team.project.slug }, team.admin.user);
    const projectId = team.project.id;

    // Through review into adjudication (the reviewers disagree), summed, then accepted.
    const disputed = await exampleIn(db, team, { stage: "review" });
    await reviewAs(db, disputed.id, team.reviewer, "changes_needed", [{ start: 0, end: 4, category: "ai_misaligned", severity: "major" }]);
    expect(await summed(db, projectId)).toEqual(await recomputed(db, projectId));
    await reviewAs(db, disputed.id, team.reviewer2, "accept");
    await getAgreement(db, access, { days: 30 });
    await adjudicate(db, team, disputed.id, "accept");
    // Both accept: accepted without adjudication.
    const agreed = await exampleIn(db, team, { stage: "review" });
    await reviewAs(db, agreed.id, team.reviewer, "accept");
    await reviewAs(db, agreed.id, team.reviewer3, "accept");
    // A blocker sends it to adjudication, which returns it to draft; the writer submits it again.
    const returned = await exampleIn(db, team, { stage: "review" });
    await reviewAs(db, returned.id, team.reviewer2, "reject", [{ start: 0, end: 6, category: "style", severity: "blocker" }]);
    await reviewAs(db, returned.id, team.reviewer3, "changes_needed", [{ start: 2, end: 5, category: "style", severity: "minor" }]);
    await getAccuracy(db, access, { days: 30 });
    await adjudicate(db, team, returned.id, "return");
    await claim(db, returned.id, team.writer);
    await as(db, team.writer).workflow.act({ exampleId: returned.id, action: "submit" });
    // An import into review with a model grader's flags.
    const file = join(folder, "import.jsonl");
    await writeFile(file, [{ text: "Rude remark. <AI>That was unkind.</AI>", grader: { name: "judge", score: 0.2, flags: [{ start: 0, end: 4, category: "style", severity: "major", comment: "" }] } }, { text: "Plain text." }].map((line) => JSON.stringify(line)).join("\n") + "\n");
    const run = await startJob(db, { projectId, kind: "import", params: { stage: "review", file, rejectsFile: `${file}.rejects` }, createdById: null });
    const imported = await runJob(db, run, "import", () => importFile(db, { projectId, stage: "review", file, rejectsFile: `${file}.rejects`, run }));
    expect(imported.ok).toBe(true);
    expect(await summed(db, projectId)).toEqual(await recomputed(db, projectId));

    // Changes behind the services' back: a review moved 40 days back, an audit event moved and
    // another deleted, a grader report on the disputed revision that catches its defect.
    await db.review.updateMany({ where: { exampleId: disputed.id, reviewerId: team.reviewer2.user.id }, data: { submittedAt: new Date(Date.now() - 40 * DAY) } });
    const events = await db.auditEvent.findMany({ where: { exampleId: agreed.id }, select: { id: true }, orderBy: { createdAt: "asc" } });
    await db.auditEvent.update({ where: { id: events[0]!.id }, data: { createdAt: new Date(Date.now() - 3 * DAY) }, select: { id: true } });
    await db.auditEvent.delete({ where: { id: events.at(-1)!.id }, select: { id: true } });
    await db.graderReport.create({ data: { exampleId: disputed.id, revisionId: disputed.headId, grader: "judge", score: 0.4, flags: [{ start: 1, end: 3, category: "ai_misaligned" }] }, select: { id: true } });

    const after = await summed(db, projectId);
    expect(after).toEqual(await recomputed(db, projectId));
    // The sums hold every kind the dashboard reads.
    expect(new Set(after.map((line) => line.split(" ")[1]!.replace("/month", "")))).toEqual(
      new Set(["example.stage", "flow", "example.import", "review", "reviews", "profile", "pair", "revision", "shared", "miss"]),
    );
    expect(await db.qualityRefresh.count()).toBe(0);
    // Stage counts now, kept by triggers on Example, equal a count of the examples.
    const counted = await db.example.groupBy({ by: ["stage"], where: { projectId }, _count: { _all: true } });
    const kept = await db.qualityStage.findMany({ where: { projectId, n: { not: 0 } }, select: { stage: true, n: true } });
    expect(Object.fromEntries(kept.map((row) => [row.stage, row.n]))).toEqual(Object.fromEntries(counted.map((row) => [row.stage, row._count._all])));
  });

  it("give a period that starts between two reviews of one revision only the later review", async () => {
    const { db } = database;
    const team = await createTeam(db);
    const access = await findProjectAccess(db, { projectSlug: team.project.slug }, team.admin.user);
    const example = await exampleIn(db, team, { stage: "accepted" });
    const review = async (by: ActiveSession, verdict: "accept" | "reject", daysAgo: number, flagged: boolean) => {
      const { id } = await db.review.create({
        data: { exampleId: example.id, revisionId: example.headId, round: 1, reviewerId: by.user.id, verdict, submittedAt: new Date(Date.now() - daysAgo * DAY) },
        select: { id: true },
      });
      if (flagged) {
        await db.flag.create({
          data: { reviewId: id, exampleId: example.id, revisionId: example.headId, start: 0, end: 5, category: "ai_misaligned", severity: "major", decision: "upheld" },
          select: { id: true },
        });
      }
    };
    // Ten days ago the first reviewer found the defect; two days ago the second missed it.
    await review(team.reviewer, "reject", 10, true);
    await review(team.reviewer2, "accept", 2, false);

    // Over 30 days: one unit with two verdicts, the pair, one defect that one of two missed.
    const month = { agreement: await getAgreement(db, access, { days: 30 }), accuracy: await getAccuracy(db, access, { days: 30 }) };
    expect(month.agreement.overall).toMatchObject({ units: 1, verdicts: 2 });
    expect(month.agreement.pairs.map((pair) => pair.units)).toEqual([1]);
    expect(month.accuracy).toMatchObject({ revisions: 1, defects: 1, pooled: { missed: 1, defects: 2 } });

    // Over 5 days: one verdict (no unit, no pair) and no defect, since its review was before.
    const week = { agreement: await getAgreement(db, access, { days: 5 }), accuracy: await getAccuracy(db, access, { days: 5 }) };
    expect(week.agreement.overall).toEqual({ alpha: null, units: 0, verdicts: 0 });
    expect(week.agreement.pairs).toEqual([]);
    expect(week.accuracy).toMatchObject({ revisions: 0, defects: 0, pooled: { missed: 0, defects: 0 } });

    // Once the second reviewer's own upheld flag finds it too, the 5 days hold that defect alone.
    const second = await db.review.findFirstOrThrow({ where: { exampleId: example.id, reviewerId: team.reviewer2.user.id }, select: { id: true } });
    await db.flag.create({
      data: { reviewId: second.id, exampleId: example.id, revisionId: example.headId, start: 3, end: 8, category: "ai_misaligned", severity: "major", decision: "upheld" },
      select: { id: true },
    });
    expect(await getAccuracy(db, access, { days: 5 })).toMatchObject({ revisions: 1, defects: 1, pooled: { missed: 0, defects: 2 } });
    // From the first review's own day on, and over 30 days, the two overlapping flags are one defect, found by both.
    expect(await getAccuracy(db, access, { days: 11 })).toMatchObject({ revisions: 1, defects: 1, pooled: { missed: 0, defects: 2 } });
    expect(await getAccuracy(db, access, { days: 30 })).toMatchObject({ revisions: 1, defects: 1, pooled: { missed: 0, defects: 2 } });
  });
});
