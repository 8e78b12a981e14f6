/**
 * `dashboard.query_p95` (issue 13): milliseconds, p95 of loading a project's dashboard — its
 * three queries, activity, agreement and reviewer accuracy (`apps/api/src/services/quality.ts`),
 * one after the other as SQLite answers them — on a temporary SQLite database migrated as in
 * production and filled in bulk with 1,000,000 examples. One line each for the last 7 days (the
 * shortest period the page offers), the last 90 (its default) and the last 365. Goal: under
 * 200 ms. Each is printed beside the p95 of a primary-key lookup of one example measured in the
 * same run, interleaved. The database is not ANALYZEd, as the studio's own databases are not.
 *
 * The fill spreads the examples evenly over the two years up to now (about 1,370 a day), 90 %
 * of them in the measured project, with the history the dashboard reads, as the studio writes
 * it: every stage change in the audit log with its action, reviews with verdicts, flags with
 * the adjudicator's decisions, and model grader reports. Stages are those of a mature project
 * (draft 10 %, commentary 5 %, review 5 %, adjudication 2 %, accepted 70 %, rejected 8 %); a
 * fifth of the accepted examples and every rejected one went through adjudication, with an
 * upheld major flag that the second reviewer found seven times in ten. Examples get no
 * revisions or participations (the dashboard reads neither). The migration's triggers sum the
 * audit log per day as it is filled and queue the reviewed revisions, which are then summed
 * once, untimed, as the first read after migrating an existing database does; the loads
 * measured are the steady state, where the queue holds only what changed since the last read.
 * Fill and summing times go to stderr.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { now, percentile, type Benchmark, type BenchResult } from "./harness.ts";
import { createDb, type Db } from "../apps/api/src/db/database.ts";
import { migrateDatabase } from "../apps/api/src/db/migrate.ts";
import type { ProjectAccess } from "../apps/api/src/services/access.ts";
import { getAccuracy, getActivity, getAgreement } from "../apps/api/src/services/quality.ts";
import { refreshQualitySummary } from "../apps/api/src/services/quality-summary.ts";
import { seededRandom } from "../packages/core/src/testing/random.ts";

/** Examples in the database. */
const SIZE = 1_000_000;
/** Examples written per transaction while filling. */
const FILL_CHUNK = 100_000;
/** The history the examples are spread over, in days up to now. */
const HISTORY_DAYS = 730;
/** The periods measured, in days: the shortest the page offers, its default, and a year. */
const PERIODS = [7, 90, 365];
/** Dashboard loads measured per period, after untimed ones that warm the caches. */
const LOADS = 30;
const WARM_UP = 3;
/** People: authors 0–9, commentators 10–14, reviewers 15–34, adjudicators 35–38, an admin 39. */
const USER_COUNT = 40;

const count = (n: number) => n.toLocaleString("en-US");

function log(message: string): void {
  process.stderr.write(`dashboard: ${message}\n`);
}

/** SQL pieces for example number `i`: ids, project, stage, times (Prisma's SQLite format) and people. */
const SQL = {
  id: (prefix: string) => `'${prefix}' || printf('%022d', i)`,
  bucket: "((i * 2654435761) >> 7) % 1000",
  /** Seconds since the epoch of the example's creation; later steps follow within hours. */
  time: (offsetSeconds: number) => `strftime('%Y-%m-%dT%H:%M:%f+00:00', t0 + ${offsetSeconds}, 'unixepoch')`,
  author: "i % 10",
  commentator: "10 + i % 5",
  firstReviewer: "15 + i % 20",
  secondReviewer: "15 + (i + 7) % 20",
  adjudicator: "35 + i % 4",
  category: "CASE i % 4 WHEN 0 THEN 'uncommented_bad_behaviour' WHEN 1 THEN 'ai_misaligned' WHEN 2 THEN 'factual_error' ELSE 'style' END",
};

/** Examples `:from` to `:to` with stage, creation time, and whether they went through adjudication. */
const ROWS = `WITH RECURSIVE seq(i) AS (SELECT :from UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :to),
  staged AS (SELECT i, CASE
      WHEN ${SQL.bucket} < 100 THEN 'draft' WHEN ${SQL.bucket} < 150 THEN 'commentary' WHEN ${SQL.bucket} < 200 THEN 'review'
      WHEN ${SQL.bucket} < 220 THEN 'adjudication' WHEN ${SQL.bucket} < 920 THEN 'accepted' ELSE 'rejected' END AS stage,
    :start + i * :step AS t0 FROM seq),
  rows AS (SELECT i, stage, t0, (stage IN ('adjudication', 'rejected') OR (stage = 'accepted' AND i % 5 = 0)) AS adj,
    stage IN ('adjudication', 'accepted', 'rejected') AS reviewed FROM staged)`;

/** The statements that write examples `:from` to `:to` and their history, in this order. */
const FILL = [
  `INSERT INTO "Example" (id, "projectId", stage, "createdById", "createdAt", "updatedAt", "reviewRound", "reviewRevisionId")
   ${ROWS} SELECT ${SQL.id("cex")}, p.id, stage, u.id, ${SQL.time(0)}, ${SQL.time(14400)},
     CASE WHEN stage IN ('draft', 'commentary') THEN 0 ELSE 1 END, CASE WHEN stage IN ('draft', 'commentary') THEN NULL ELSE ${SQL.id("crv")} END
   FROM rows JOIN bench_project p ON p.n = CASE WHEN i % 10 = 9 THEN 1 ELSE 0 END JOIN bench_user u ON u.n = ${SQL.author}`,
  // The audit log: created; submitted from draft; submitted from commentary; review completed; adjudicated.
  `INSERT INTO "AuditEvent" (id, "actorId", "projectId", "exampleId", action, "from", "to", data, "createdAt")
   ${ROWS} SELECT ${SQL.id("ca0")}, u.id, p.id, ${SQL.id("cex")}, 'example.stage', NULL, 'draft', NULL, ${SQL.time(0)}
   FROM rows JOIN bench_project p ON p.n = CASE WHEN i % 10 = 9 THEN 1 ELSE 0 END JOIN bench_user u ON u.n = ${SQL.author}`,
  `INSERT INTO "AuditEvent" (id, "actorId", "projectId", "exampleId", action, "from", "to", data, "createdAt")
   ${ROWS} SELECT ${SQL.id("ca1")}, u.id, p.id, ${SQL.id("cex")}, 'example.stage', 'draft', 'commentary', '{"action":"submit","round":0}', ${SQL.time(3600)}
   FROM rows JOIN bench_project p ON p.n = CASE WHEN i % 10 = 9 THEN 1 ELSE 0 END JOIN bench_user u ON u.n = ${SQL.author}
   WHERE stage <> 'draft'`,
  `INSERT INTO "AuditEvent" (id, "actorId", "projectId", "exampleId", action, "from", "to", data, "createdAt")
   ${ROWS} SELECT ${SQL.id("ca2")}, u.id, p.id, ${SQL.id("cex")}, 'example.stage', 'commentary', 'review', '{"action":"submit","round":1}', ${SQL.time(7200)}
   FROM rows JOIN bench_project p ON p.n = CASE WHEN i % 10 = 9 THEN 1 ELSE 0 END JOIN bench_user u ON u.n = ${SQL.commentator}
   WHERE stage NOT IN ('draft', 'commentary')`,
  `INSERT INTO "AuditEvent" (id, "actorId", "projectId", "exampleId", action, "from", "to", data, "createdAt")
   ${ROWS} SELECT ${SQL.id("ca3")}, u.id, p.id, ${SQL.id("cex")}, 'example.stage', 'review', CASE WHEN adj THEN 'adjudication' ELSE 'accepted' END,
     '{"action":"complete_review","round":1}', ${SQL.time(10800)}
   FROM rows JOIN bench_project p ON p.n = CASE WHEN i % 10 = 9 THEN 1 ELSE 0 END JOIN bench_user u ON u.n = ${SQL.secondReviewer}
   WHERE reviewed`,
  `INSERT INTO "AuditEvent" (id, "actorId", "projectId", "exampleId", action, "from", "to", data, "createdAt")
   ${ROWS} SELECT ${SQL.id("ca4")}, u.id, p.id, ${SQL.id("cex")}, 'example.stage', 'adjudication', stage,
     CASE WHEN stage = 'accepted' THEN '{"action":"accept","round":1}' ELSE '{"action":"reject","round":1}' END, ${SQL.time(14400)}
   FROM rows JOIN bench_project p ON p.n = CASE WHEN i % 10 = 9 THEN 1 ELSE 0 END JOIN bench_user u ON u.n = ${SQL.adjudicator}
   WHERE adj AND stage IN ('accepted', 'rejected')`,
  // Reviews: the first of every reviewed example (and of half of those in review), the second of every reviewed one.
  `INSERT INTO "Review" (id, "exampleId", "revisionId", round, "reviewerId", verdict, "submittedAt", "createdAt")
   ${ROWS} SELECT ${SQL.id("crw")}, ${SQL.id("cex")}, ${SQL.id("crv")}, 1, u.id, CASE WHEN adj THEN 'changes_needed' ELSE 'accept' END,
     ${SQL.time(9000)}, ${SQL.time(8000)}
   FROM rows JOIN bench_user u ON u.n = ${SQL.firstReviewer} WHERE reviewed OR (stage = 'review' AND i % 2 = 0)`,
  `INSERT INTO "Review" (id, "exampleId", "revisionId", round, "reviewerId", verdict, "submittedAt", "createdAt")
   ${ROWS} SELECT ${SQL.id("crx")}, ${SQL.id("cex")}, ${SQL.id("crv")}, 1, u.id,
     CASE WHEN NOT adj THEN 'accept' WHEN i % 3 = 0 THEN 'changes_needed' WHEN i % 3 = 1 THEN 'accept' ELSE 'reject' END,
     ${SQL.time(10800)}, ${SQL.time(9500)}
   FROM rows JOIN bench_user u ON u.n = ${SQL.secondReviewer} WHERE reviewed`,
  // Flags of adjudicated examples: the first reviewer's major one, upheld once decided; the second reviewer's minor one on it, seven times in ten.
  `INSERT INTO "Flag" (id, "reviewId", "exampleId", "revisionId", start, "end", category, severity, decision, "decidedById", "createdAt")
   ${ROWS} SELECT ${SQL.id("cfa")}, ${SQL.id("crw")}, ${SQL.id("cex")}, ${SQL.id("crv")}, 0, 10, ${SQL.category}, 'major',
     CASE WHEN stage = 'adjudication' THEN NULL ELSE 'upheld' END, NULL, ${SQL.time(8500)}
   FROM rows WHERE adj`,
  `INSERT INTO "Flag" (id, "reviewId", "exampleId", "revisionId", start, "end", category, severity, decision, "decidedById", "createdAt")
   ${ROWS} SELECT ${SQL.id("cfb")}, ${SQL.id("crx")}, ${SQL.id("cex")}, ${SQL.id("crv")}, 2, 8, ${SQL.category}, 'minor',
     CASE WHEN stage = 'adjudication' THEN NULL ELSE 'dismissed' END, NULL, ${SQL.time(10000)}
   FROM rows WHERE adj AND i % 10 < 7`,
  // A model grader reported on a third of the examples that reached review, flagging half of those.
  `INSERT INTO "GraderReport" (id, "exampleId", "revisionId", grader, score, flags, "createdAt")
   ${ROWS} SELECT ${SQL.id("cgr")}, ${SQL.id("cex")}, ${SQL.id("crv")}, 'bench-grader', 0.5,
     CASE WHEN i % 2 = 0 THEN '[{"start":0,"end":5,"category":"' || ${SQL.category} || '","severity":"major","comment":""}]' ELSE '[]' END, ${SQL.time(7300)}
   FROM rows WHERE stage NOT IN ('draft', 'commentary') AND i % 3 = 0`,
];

/** Creates, migrates and fills the database; returns it with the measured project's access. */
async function filledDatabase(): Promise<{ db: Db; folder: string; access: ProjectAccess }> {
  const started = now();
  const folder = mkdtempSync(join(tmpdir(), "studio-bench-dashboard-"));
  const url = `file:${join(folder, "studio.db")}`;
  await migrateDatabase(url);
  const db = await createDb(url);
  await db.user.createMany({ data: Array.from({ length: USER_COUNT }, (_, n) => ({ email: `bench-${n}@example.org`, name: `Bench person ${String(n).padStart(2, "0")}`, passwordHash: "!" })) });
  const users = (await db.user.findMany({ select: { id: true, email: true } })).sort((a, b) => parseInt(a.email.slice(6)) - parseInt(b.email.slice(6))).map((user) => user.id);
  const projects: string[] = [];
  for (const slug of ["bench-dashboard", "bench-other"]) projects.push((await db.project.create({ data: { slug, name: slug, settings: {} }, select: { id: true } })).id);
  await db.membership.create({ data: { projectId: projects[0]!, userId: users[39]!, role: "admin" }, select: { id: true } });

  // As in bench/workflow.ts: the fill runs on the client's own connection, unsynced, with keys checked at the end.
  await db.$executeRawUnsafe("PRAGMA synchronous = OFF");
  await db.$executeRawUnsafe("PRAGMA foreign_keys = OFF");
  await db.$executeRawUnsafe("CREATE TEMP TABLE bench_user (n INTEGER PRIMARY KEY, id TEXT NOT NULL)");
  await db.$executeRawUnsafe("CREATE TEMP TABLE bench_project (n INTEGER PRIMARY KEY, id TEXT NOT NULL)");
  await db.$executeRawUnsafe(`INSERT INTO bench_user (n, id) VALUES ${users.map((id, n) => `(${n}, '${id}')`).join(", ")}`);
  await db.$executeRawUnsafe(`INSERT INTO bench_project (n, id) VALUES ${projects.map((id, n) => `(${n}, '${id}')`).join(", ")}`);
  // The newest example was created five hours ago, so that all its history lies in the past.
  const end = Math.floor(Date.now() / 1000) - 5 * 3600;
  const step = (HISTORY_DAYS * 86400) / SIZE;
  const start = end - SIZE * step;
  for (let from = 0; from < SIZE; from += FILL_CHUNK) {
    const to = Math.min(SIZE, from + FILL_CHUNK);
    const bind = (sql: string) => sql.replaceAll(":from", String(from)).replaceAll(":to", String(to)).replaceAll(":start", String(start)).replaceAll(":step", String(step));
    await db.$transaction(FILL.map((sql) => db.$executeRawUnsafe(bind(sql))));
    log(`filled ${count(to)} examples (${((now() - started) / 1000).toFixed(1)} s)`);
  }
  const violations = await db.$queryRawUnsafe<unknown[]>("PRAGMA foreign_key_check");
  if (violations.length > 0) throw new Error(`The fill broke ${violations.length} foreign keys, e.g. ${JSON.stringify(violations[0])}`);
  await db.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  await db.$executeRawUnsafe("PRAGMA synchronous = FULL");
  log(`fill of ${count(SIZE)} examples took ${((now() - started) / 1000).toFixed(1)} s`);
  // The triggers queued every reviewed revision; sum them once, as the first read after a migration does.
  const summing = now();
  const summed = await refreshQualitySummary(db);
  log(`summing ${count(summed)} revisions per day took ${((now() - summing) / 1000).toFixed(1)} s`);
  await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
  return { db, folder, access: { projectId: projects[0]!, projectSlug: "bench-dashboard", userId: users[39]!, isGlobalAdmin: false, roles: ["admin"] } };
}

/** Runs `work` and measures how long it took, in milliseconds. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = now();
  await work();
  return now() - started;
}

/** p95 of dashboard loads over one period, with the parts' medians and the interleaved baseline. */
async function measure(db: Db, access: ProjectAccess, days: number): Promise<BenchResult> {
  const next = seededRandom(days);
  const lookup = () => {
    const id = `cex${String(Math.floor(next() * SIZE)).padStart(22, "0")}`;
    return db.example.findUnique({ where: { id }, select: { id: true, stage: true, updatedAt: true } });
  };
  const parts = { activity: [] as number[], agreement: [] as number[], accuracy: [] as number[] };
  const loads: number[] = [];
  const baseline: number[] = [];
  for (let n = 0; n < WARM_UP + LOADS; n++) {
    const took = {
      activity: await timed(() => getActivity(db, access, { days })),
      agreement: await timed(() => getAgreement(db, access, { days })),
      accuracy: await timed(() => getAccuracy(db, access, { days })),
    };
    const lookupTook = await timed(lookup);
    if (n < WARM_UP) continue;
    for (const part of Object.keys(parts) as (keyof typeof parts)[]) parts[part].push(took[part]);
    loads.push(took.activity + took.agreement + took.accuracy);
    baseline.push(lookupTook);
  }
  const median = (samples: number[]) => percentile(samples, 50).toFixed(1);
  log(
    `last ${days} days: load median ${median(loads)} ms, p95 ${percentile(loads, 95).toFixed(1)} ms; ` +
      `medians activity ${median(parts.activity)}, agreement ${median(parts.agreement)}, accuracy ${median(parts.accuracy)} ms; ` +
      `lookup median ${percentile(baseline, 50).toFixed(3)} ms`,
  );
  return { name: "dashboard.query_p95", value: percentile(loads, 95), unit: `ms (p95, ${count(SIZE)} examples, last ${days} days)`, baseline: percentile(baseline, 95) };
}

/** The dashboard benchmark. */
export const benchmarks: Benchmark[] = [
  {
    name: "dashboard.query_p95",
    run: async () => {
      const { db, folder, access } = await filledDatabase();
      try {
        const results: BenchResult[] = [];
        for (const days of PERIODS) results.push(await measure(db, access, days));
        return results;
      } finally {
        await db.$disconnect();
        rmSync(folder, { recursive: true, force: true });
      }
    },
  },
];
