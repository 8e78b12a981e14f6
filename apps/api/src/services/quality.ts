/**
 * A project's quality figures for its dashboard (SPEC §4, issue 13): what the examples are
 * doing (stages now and day by day, throughput per day and per person), how far reviewers agree
 * (Krippendorff's alpha on verdicts, Cohen's kappa per pair, alpha per week), and how often they
 * miss real defects (miss rates with Wilson intervals, the surviving-defect estimates). The
 * statistics are the core's pure functions (`agreement.ts`, `quality.ts`); this service gathers
 * their inputs with a few aggregate queries, never one query per example.
 *
 * Every figure covers a *period*: whole UTC days, the last `days` of them up to today. What
 * rests on reviews counts the reviews submitted in the period; what rests on the audit log
 * counts its events in the period. A figure that cannot be computed from the data (no reviews,
 * one reviewer, a category without defects) is `null`, never NaN, and every figure comes with
 * the number of units or defects it rests on, so that the page can say "not enough data" and
 * nobody reads more into ten examples than they hold.
 *
 * The work of a query grows with the period's activity, not with the project's history: the
 * period's reviews are found by their submission time (an index on `Review.submittedAt`), the
 * period's events by the log's (projectId, createdAt) index. The SQL joins with `CROSS JOIN`
 * where the order matters: SQLite (which has no statistics unless someone runs ANALYZE) would
 * otherwise start from the project's examples, all of them, and PostgreSQL reorders it anyway.
 * Stage counts now are the one figure that reads every example of the project (an index-only
 * count).
 *
 * - **Activity.** Stage counts now are one GROUP BY over the project's examples. Counts at the
 *   end of each earlier day are reconstructed backwards from them with the audit log's
 *   `example.stage` events (and imports' `example.import` events) grouped by day, so that only
 *   the period's events are read, however long the history. Throughput per person and day:
 *   drafts submitted, commentary submitted, reviews submitted, adjudications decided (accept,
 *   return or reject from adjudication).
 * - **Agreement.** Units are reviewed revisions, coders are reviewers, values are verdicts
 *   (SPEC §4). Nominal alpha depends on a unit only through how many of each verdict it got, so
 *   the database returns units grouped by that profile (and week); a unit belongs to the week
 *   of its last review in the period. Kappa per pair comes from the pair's contingency counts.
 * - **Reviewer accuracy.** A defect is a flag upheld at adjudication with severity blocker or
 *   major, on a submitted review in the period. Upheld flags of one category on one revision
 *   whose ranges overlap are one defect that several reviewers found, not several defects (each
 *   would otherwise count as caught by all who found it). The reviewers of a defect are those
 *   who submitted a review of its revision, and every model grader with a report on that
 *   revision, named by the grader's name: graders are measured like people but never count as
 *   a review (their flags are suggestions, and they give no verdict, so they take no part in
 *   agreement). Only revisions holding a defect are read.
 */
import {
  FLAG_CATEGORIES,
  krippendorffAlpha,
  cohenKappa,
  missObservations,
  missRate,
  missRates,
  STAGES,
  survivalEstimates,
  VERDICTS,
  type Defect,
  type FlagCategory,
  type LabelledRange,
  type MissRate,
  type RevisionReview,
  type Stage,
  type SurvivalEstimate,
} from "@prealign/core";
import { join, raw, sqltag as sql, type Sql } from "@prisma/client/runtime/client";
import type { Db } from "../db/database.ts";
import type { ProjectAccess } from "./access.ts";

/** The longest period the dashboard covers, in days (ten years: all of a project's history). */
export const MAX_PERIOD_DAYS = 3650;

/** The period a dashboard shows unless asked for another, in days. */
export const DEFAULT_PERIOD_DAYS = 90;

/** The largest k the surviving-defect estimates are given for. */
export const MAX_POLICY_K = 5;

/** Which days the figures cover. */
export interface QualityPeriod {
  /** How many whole UTC days, today included. */
  days: number;
  /** "Now", for tests; defaults to the current time. */
  now?: Date;
}

/** The period as the figures report it. */
export interface PeriodView {
  /** The first day (UTC, YYYY-MM-DD), inclusive. */
  from: string;
  /** The last day, today (UTC, YYYY-MM-DD), inclusive. */
  to: string;
  /** The number of days. */
  days: number;
}

/** A person, or a model grader, whose flags and verdicts the figures measure. */
export interface ReviewerRef {
  /** Unique among reviewers: a person's user id, or `grader:` and the grader's name. */
  key: string;
  kind: "person" | "grader";
  /** The person's name, or the grader's. */
  name: string;
}

/** A person named in the figures. */
export interface PersonRef {
  id: string;
  name: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The first instant of the period: midnight UTC, `days − 1` days before today. */
function periodStart({ days, now = new Date() }: QualityPeriod): Date {
  if (!Number.isInteger(days) || days < 1 || days > MAX_PERIOD_DAYS) {
    throw new RangeError(`A period is a whole number of days from 1 to ${MAX_PERIOD_DAYS}; got ${days}.`);
  }
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS);
}

/** A UTC day as YYYY-MM-DD. */
function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** The Monday (UTC) of the week holding `time`, as YYYY-MM-DD. */
function weekOf(time: number): string {
  const date = new Date(time);
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return dayOf(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - sinceMonday * DAY_MS);
}

/** The period's days (or the Mondays of its weeks), oldest first. */
function periodDays(since: Date, days: number): string[] {
  return Array.from({ length: days }, (_, n) => dayOf(since.getTime() + n * DAY_MS));
}

function periodWeeks(since: Date, days: number): string[] {
  return [...new Set(periodDays(since, days).map((day) => weekOf(Date.parse(day))))];
}

function periodView(since: Date, days: number): PeriodView {
  const list = periodDays(since, days);
  return { from: list[0]!, to: list.at(-1)!, days };
}

/**
 * The SQL that differs between SQLite and PostgreSQL. Prisma stores SQLite times as ISO 8601
 * text in UTC (`2025-01-01T12:00:00.000+00:00`), so a day is the text's first ten characters;
 * PostgreSQL stores them as `timestamp(3)` in UTC.
 */
interface Dialect {
  /** The UTC day of a time column, as YYYY-MM-DD. */
  day(column: Sql): Sql;
  /** The Monday of the UTC week of a time column, as YYYY-MM-DD. */
  week(column: Sql): Sql;
  /** A text field of a JSON column. */
  jsonText(column: Sql, field: string): Sql;
  /** A JSON column as text. */
  jsonAsText(column: Sql): Sql;
}

const DIALECTS: Record<"sqlite" | "postgresql", Dialect> = {
  sqlite: {
    day: (column) => sql`substr(${column}, 1, 10)`,
    // 'weekday 0' moves forward to the Sunday ending the week (Monday to Sunday), six days back is its Monday.
    week: (column) => sql`date(substr(${column}, 1, 10), 'weekday 0', '-6 days')`,
    jsonText: (column, field) => sql`json_extract(${column}, ${raw(`'$.${field}'`)})`,
    jsonAsText: (column) => column,
  },
  postgresql: {
    day: (column) => sql`to_char(${column}, 'YYYY-MM-DD')`,
    week: (column) => sql`to_char(date_trunc('week', ${column}), 'YYYY-MM-DD')`,
    jsonText: (column, field) => sql`(${column} ->> ${raw(`'${field}'`)})`,
    jsonAsText: (column) => sql`${column}::text`,
  },
};

/** The dialect of the database `db` talks to, as the Prisma client records it. */
function dialectOf(db: Db): Dialect {
  return DIALECTS[(db as unknown as { _activeProvider?: string })._activeProvider === "postgresql" ? "postgresql" : "sqlite"];
}

/** A column of a raw query's answer as a number (counts arrive as bigint). */
function num(value: unknown): number {
  return typeof value === "bigint" ? Number(value) : Number(value ?? 0);
}

/** The names of the people with these ids, in one query. */
async function peopleNamed(db: Db, ids: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(users.map((user) => [user.id, user.name]));
}

/** Orders names the same way everywhere, whatever the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Activity

/** The kinds of work throughput counts. */
export const WORK_KINDS = ["drafts", "commentaries", "reviews", "adjudications"] as const;

/** One kind of work. */
export type WorkKind = (typeof WORK_KINDS)[number];

/** How much of each kind of work was done. */
export type WorkCounts = Record<WorkKind, number>;

/** What a project's examples are doing. */
export interface ActivityFigures {
  period: PeriodView;
  /** How many examples are in each stage now. */
  stagesNow: Record<Stage, number>;
  /** How many examples were in each stage at the end of each day of the period, oldest first. */
  stagesByDay: { day: string; stages: Record<Stage, number> }[];
  /** Work done on each day of the period, oldest first. */
  throughputByDay: ({ day: string; total: number } & WorkCounts)[];
  /** Work done in the period by each person who did any, by name. */
  throughputByPerson: ({ person: PersonRef; total: number } & WorkCounts)[];
}

function emptyStages(): Record<Stage, number> {
  return Object.fromEntries(STAGES.map((stage) => [stage, 0])) as Record<Stage, number>;
}

function emptyWork(): WorkCounts {
  return { drafts: 0, commentaries: 0, reviews: 0, adjudications: 0 };
}

function isStage(value: unknown): value is Stage {
  return typeof value === "string" && (STAGES as readonly string[]).includes(value);
}

/** The kind of work a stage event records, if it is work throughput counts (reviews are counted from their own rows). */
function workOf(from: string | null, action: string | null): WorkKind | null {
  if (action === "submit" && from === "draft") return "drafts";
  if (action === "submit" && from === "commentary") return "commentaries";
  if (from === "adjudication" && (action === "accept" || action === "return" || action === "reject")) return "adjudications";
  return null;
}

/**
 * Stages now and day by day, and throughput per day and per person, over the period. Five
 * queries whatever the project's size: stage counts, stage events grouped by day, actor and
 * transition, import events, reviews grouped by day and reviewer, and the names of the people.
 */
export async function getActivity(db: Db, access: ProjectAccess, period: QualityPeriod): Promise<ActivityFigures> {
  const since = periodStart(period);
  const days = periodDays(since, period.days);
  const dialect = dialectOf(db);
  const { projectId } = access;
  const [stageCounts, events, imports, reviews] = await Promise.all([
    db.example.groupBy({ by: ["stage"], where: { projectId }, _count: { _all: true } }),
    db.$queryRaw<{ day: string; actorId: string | null; from: string | null; to: string | null; action: string | null; events: bigint }[]>(sql`
      SELECT ${dialect.day(sql`a."createdAt"`)} AS "day", a."actorId" AS "actorId", a."from" AS "from", a."to" AS "to",
        ${dialect.jsonText(sql`a."data"`, "action")} AS "action", COUNT(*) AS "events"
      FROM "AuditEvent" a
      WHERE a."projectId" = ${projectId} AND a."action" = 'example.stage' AND a."createdAt" >= ${since}
      GROUP BY 1, 2, 3, 4, 5`),
    db.auditEvent.findMany({
      where: { projectId, action: "example.import", createdAt: { gte: since } },
      select: { to: true, data: true, createdAt: true },
    }),
    db.$queryRaw<{ day: string; reviewerId: string; reviews: bigint }[]>(sql`
      SELECT ${dialect.day(sql`r."submittedAt"`)} AS "day", r."reviewerId" AS "reviewerId", COUNT(*) AS "reviews"
      FROM "Review" r CROSS JOIN "Example" e
      WHERE e."id" = r."exampleId" AND e."projectId" = ${projectId} AND r."submittedAt" >= ${since}
      GROUP BY 1, 2`),
  ]);

  const stagesNow = emptyStages();
  // Examples still being imported ("importing") are in no stage yet.
  for (const row of stageCounts) if (isStage(row.stage)) stagesNow[row.stage] = row._count._all;

  // Net flow into each stage per day, and work per day and person.
  const flow = new Map<string, Record<Stage, number>>();
  const flowOn = (day: string) => {
    let stages = flow.get(day);
    if (!stages) flow.set(day, (stages = emptyStages()));
    return stages;
  };
  const work = new Map<string, WorkCounts>();
  const count = (day: string, personId: string, kind: WorkKind, n: number) => {
    const key = `${day}\u0000${personId}`;
    const counts = work.get(key) ?? emptyWork();
    counts[kind] += n;
    work.set(key, counts);
  };
  for (const row of events) {
    const n = num(row.events);
    if (isStage(row.to)) flowOn(row.day)[row.to] += n;
    if (isStage(row.from)) flowOn(row.day)[row.from] -= n;
    const kind = workOf(row.from, row.action);
    if (kind && row.actorId) count(row.day, row.actorId, kind, n);
  }
  for (const event of imports) {
    const data = event.data as Record<string, unknown> | null;
    const imported = typeof data?.imported === "number" ? data.imported : 0;
    if (isStage(event.to)) flowOn(dayOf(event.createdAt.getTime()))[event.to] += imported;
  }
  for (const row of reviews) count(row.day, row.reviewerId, "reviews", num(row.reviews));

  // Counts at the end of each day, from today's backwards: the end of the day before is the
  // end of this one less what flowed in during this one.
  const stagesByDay: ActivityFigures["stagesByDay"] = [];
  let stages = { ...stagesNow };
  for (let n = days.length - 1; n >= 0; n--) {
    const day = days[n]!;
    stagesByDay.unshift({ day, stages });
    const flowed = flow.get(day);
    if (flowed) stages = Object.fromEntries(STAGES.map((stage) => [stage, stages[stage] - flowed[stage]])) as Record<Stage, number>;
  }

  const byDay = new Map(days.map((day) => [day, emptyWork()]));
  const byPerson = new Map<string, WorkCounts>();
  for (const [key, counts] of work) {
    const [day, personId] = key.split("\u0000") as [string, string];
    const perDay = byDay.get(day);
    const perPerson = byPerson.get(personId) ?? emptyWork();
    for (const kind of WORK_KINDS) {
      if (perDay) perDay[kind] += counts[kind];
      perPerson[kind] += counts[kind];
    }
    byPerson.set(personId, perPerson);
  }
  const names = await peopleNamed(db, byPerson.keys());
  const total = (counts: WorkCounts) => WORK_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
  return {
    period: periodView(since, period.days),
    stagesNow,
    stagesByDay,
    throughputByDay: [...byDay].map(([day, counts]) => ({ day, ...counts, total: total(counts) })),
    throughputByPerson: [...byPerson]
      .map(([id, counts]) => ({ person: { id, name: names.get(id) ?? "(deleted account)" }, ...counts, total: total(counts) }))
      .sort((a, b) => compare(a.person.name, b.person.name) || compare(a.person.id, b.person.id)),
  };
}

// ---------------------------------------------------------------------------------------------
// Agreement

/** Krippendorff's alpha over some units, with what it rests on. */
export interface AlphaFigure {
  /** Nominal alpha on verdicts, or `null` where it is undefined (not enough data). */
  alpha: number | null;
  /** Units (reviewed revisions) with at least two verdicts: the ones alpha rests on. */
  units: number;
  /** The verdicts given on those units. */
  verdicts: number;
}

/** Cohen's kappa between two reviewers over the revisions both reviewed. */
export interface PairAgreement {
  /** The two reviewers, by name. */
  first: PersonRef;
  second: PersonRef;
  /** The revisions both gave a verdict on. */
  units: number;
  /** The share of those on which they gave the same verdict. */
  observedAgreement: number;
  /** Kappa, or `null` where it is undefined (both gave one and the same verdict throughout). */
  kappa: number | null;
}

/** How far reviewers agree on verdicts. */
export interface AgreementFigures {
  period: PeriodView;
  /** Alpha over the whole period. */
  overall: AlphaFigure;
  /** Alpha per week (the Monday that starts it, UTC), oldest first, every week of the period. */
  byWeek: ({ week: string } & AlphaFigure)[];
  /** Every pair of reviewers sharing at least one revision, by names. */
  pairs: PairAgreement[];
}

/** Alpha over units given as profiles (how many of each verdict) with how many units share each. */
function alphaOf(profiles: readonly { counts: readonly number[]; units: number }[]): AlphaFigure {
  const units: (string | null)[][] = [];
  let pairable = 0;
  let verdicts = 0;
  for (const profile of profiles) {
    const values = profile.counts.flatMap((n, v) => Array.from({ length: n }, () => VERDICTS[v]!));
    if (values.length < 2) continue;
    pairable += profile.units;
    verdicts += values.length * profile.units;
    for (let n = 0; n < profile.units; n++) units.push(values);
  }
  return { alpha: krippendorffAlpha(units), units: pairable, verdicts };
}

/**
 * Alpha on verdicts over the period and per week, and kappa per pair of reviewers, from
 * reviews submitted in the period. Three queries: units grouped by week and verdict profile,
 * pairs' contingency counts, and the reviewers' names.
 */
export async function getAgreement(db: Db, access: ProjectAccess, period: QualityPeriod): Promise<AgreementFigures> {
  const since = periodStart(period);
  const dialect = dialectOf(db);
  const { projectId } = access;
  // Verdicts are the core's constants, so they can be written into the SQL as they are.
  const profileColumns = join(
    VERDICTS.map((verdict, v) => sql`SUM(CASE WHEN r."verdict" = ${raw(`'${verdict}'`)} THEN 1 ELSE 0 END) AS ${raw(`"v${v}"`)}`),
    ", ",
  );
  const profileKeys = join(VERDICTS.map((_, v) => raw(`u."v${v}"`)), ", ");
  const [profiles, contingency] = await Promise.all([
    db.$queryRaw<Record<string, unknown>[]>(sql`
      SELECT u."week" AS "week", ${profileKeys}, COUNT(*) AS "units"
      FROM (
        SELECT r."revisionId", ${dialect.week(sql`MAX(r."submittedAt")`)} AS "week", ${profileColumns}
        FROM "Review" r CROSS JOIN "Example" e
        WHERE e."id" = r."exampleId" AND e."projectId" = ${projectId} AND r."submittedAt" >= ${since} AND r."verdict" IS NOT NULL
        GROUP BY r."revisionId"
      ) u
      GROUP BY u."week", ${profileKeys}`),
    db.$queryRaw<{ first: string; second: string; firstVerdict: string; secondVerdict: string; units: bigint }[]>(sql`
      SELECT a."reviewerId" AS "first", b."reviewerId" AS "second", a."verdict" AS "firstVerdict", b."verdict" AS "secondVerdict",
        COUNT(*) AS "units"
      FROM "Review" a
      CROSS JOIN "Example" e
      JOIN "Review" b ON b."exampleId" = a."exampleId" AND b."revisionId" = a."revisionId" AND b."reviewerId" <> a."reviewerId"
      WHERE e."id" = a."exampleId" AND e."projectId" = ${projectId} AND a."submittedAt" >= ${since} AND b."submittedAt" >= ${since}
        AND a."verdict" IS NOT NULL AND b."verdict" IS NOT NULL
      GROUP BY 1, 2, 3, 4`),
  ]);

  const unitProfiles = profiles.map((row) => ({
    week: String(row.week),
    counts: VERDICTS.map((_, v) => num(row[`v${v}`])),
    units: num(row.units),
  }));
  const byWeek = periodWeeks(since, period.days).map((week) => ({ week, ...alphaOf(unitProfiles.filter((profile) => profile.week === week)) }));

  // Each unordered pair appears twice (a, b) and (b, a); keep the one in name order later.
  const tables = new Map<string, { first: string; second: string; firstValues: string[]; secondValues: string[] }>();
  for (const row of contingency) {
    if (!(row.first < row.second)) continue;
    const key = `${row.first}\u0000${row.second}`;
    let table = tables.get(key);
    if (!table) tables.set(key, (table = { first: row.first, second: row.second, firstValues: [], secondValues: [] }));
    for (let n = 0; n < num(row.units); n++) {
      table.firstValues.push(row.firstVerdict);
      table.secondValues.push(row.secondVerdict);
    }
  }
  const names = await peopleNamed(db, [...tables.values()].flatMap((table) => [table.first, table.second]));
  const person = (id: string): PersonRef => ({ id, name: names.get(id) ?? "(deleted account)" });
  const pairs = [...tables.values()].map((table): PairAgreement => {
    // Name order, so that "Ada and Bob" reads the same in every row that names Ada.
    const [first, second, a, b] =
      compare(person(table.first).name, person(table.second).name) <= 0
        ? [table.first, table.second, table.firstValues, table.secondValues]
        : [table.second, table.first, table.secondValues, table.firstValues];
    const agreeing = a.filter((value, n) => value === b[n]).length;
    return { first: person(first), second: person(second), units: a.length, observedAgreement: agreeing / a.length, kappa: cohenKappa(a, b) };
  });
  pairs.sort((x, y) => compare(x.first.name, y.first.name) || compare(x.second.name, y.second.name) || compare(x.first.id, y.first.id));
  return { period: periodView(since, period.days), overall: alphaOf(unitProfiles), byWeek, pairs };
}

// ---------------------------------------------------------------------------------------------
// Reviewer accuracy

/** Reviewer accuracy and the surviving-defect estimate (SPEC §4). */
export interface AccuracyFigures {
  period: PeriodView;
  /** The revisions holding at least one defect: the examples the figures rest on. */
  revisions: number;
  /** The defects found on them (overlapping upheld flags of one category counted once). */
  defects: number;
  /** The miss rate over every (defect, reviewer) pair. */
  pooled: MissRate;
  /** Per reviewer: people, then model graders, each by name. */
  byReviewer: (MissRate & { reviewer: ReviewerRef })[];
  /** Per defect category, every category (those without defects have `rate: null`). */
  byCategory: (MissRate & { category: FlagCategory })[];
  /** For k = 1…5 and both decision rules, the share of defects that get through, both ways. */
  survival: SurvivalEstimate[];
}

/** A reviewer's key for a model grader. */
function graderKey(name: string): string {
  return `grader:${name}`;
}

const DEFECT_SEVERITIES = ["blocker", "major"];

/** One upheld flag that makes a defect, before overlapping ones are merged. */
interface UpheldFlag extends LabelledRange {
  id: string;
  revisionId: string;
}

/**
 * The defects of some upheld flags: flags of one category on one revision whose ranges overlap
 * (share a code point, directly or through others) become one defect spanning them all, under
 * the first one's id. A flag overlaps the merged range exactly when it overlaps one of them,
 * since the merged range is covered by them without gaps.
 */
export function mergeDefects(flags: readonly UpheldFlag[]): Defect[] {
  const sorted = [...flags].sort(
    (a, b) => compare(a.revisionId, b.revisionId) || compare(a.category, b.category) || a.start - b.start || a.end - b.end || compare(a.id, b.id),
  );
  const defects: Defect[] = [];
  for (const flag of sorted) {
    const last = defects.at(-1);
    if (last && last.revisionId === flag.revisionId && last.category === flag.category && flag.start < last.end) {
      last.end = Math.max(last.end, flag.end);
    } else {
      defects.push({ id: flag.id, revisionId: flag.revisionId, start: flag.start, end: flag.end, category: flag.category });
    }
  }
  return defects;
}

/** The well-formed ranges of a grader report's flags (JSON, as stored); anything else is left out. */
function graderFlags(stored: unknown): LabelledRange[] {
  let flags: unknown = stored;
  if (typeof flags === "string") {
    try {
      flags = JSON.parse(flags);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(flags)) return [];
  return flags.flatMap((flag: unknown) => {
    if (typeof flag !== "object" || flag === null) return [];
    const { start, end, category } = flag as Record<string, unknown>;
    if (!Number.isInteger(start) || !Number.isInteger(end) || typeof category !== "string") return [];
    return [{ start: start as number, end: end as number, category }];
  });
}

/**
 * Miss rates per reviewer and per category with Wilson intervals, and the surviving-defect
 * estimates for k = 1…5 under both rules and both ways, over the defects of reviews submitted
 * in the period. Three queries read only the revisions that hold a defect: their reviewers'
 * flags (defects among them), the model graders' reports on them, and the reviewers' names.
 */
export async function getAccuracy(db: Db, access: ProjectAccess, period: QualityPeriod): Promise<AccuracyFigures> {
  const since = periodStart(period);
  const dialect = dialectOf(db);
  const severities = join(DEFECT_SEVERITIES.map((severity) => raw(`'${severity}'`)), ", ");
  // The revisions holding a defect: an upheld blocker or major flag on a review submitted in the period.
  const defective = sql`
    SELECT DISTINCT d."exampleId" AS "exampleId", d."revisionId" AS "revisionId"
    FROM "Review" dr CROSS JOIN "Flag" d CROSS JOIN "Example" e
    WHERE d."reviewId" = dr."id" AND e."id" = dr."exampleId" AND e."projectId" = ${access.projectId}
      AND d."decision" = 'upheld' AND d."severity" IN (${severities}) AND dr."submittedAt" >= ${since}`;
  const [reviewed, graded] = await Promise.all([
    db.$queryRaw<
      {
        revisionId: string;
        reviewerId: string;
        inPeriod: bigint | number | boolean;
        id: string | null;
        start: number | null;
        end: number | null;
        category: string | null;
        severity: string | null;
        decision: string | null;
      }[]
    >(sql`
      SELECT r."revisionId" AS "revisionId", r."reviewerId" AS "reviewerId",
        CASE WHEN r."submittedAt" >= ${since} THEN 1 ELSE 0 END AS "inPeriod",
        f."id" AS "id", f."start" AS "start", f."end" AS "end", f."category" AS "category", f."severity" AS "severity",
        f."decision" AS "decision"
      FROM (${defective}) dv
      CROSS JOIN "Review" r
      LEFT JOIN "Flag" f ON f."reviewId" = r."id"
      WHERE r."exampleId" = dv."exampleId" AND r."revisionId" = dv."revisionId" AND r."submittedAt" IS NOT NULL`),
    db.$queryRaw<{ revisionId: string; grader: string; flags: unknown }[]>(sql`
      SELECT g."revisionId" AS "revisionId", g."grader" AS "grader", ${dialect.jsonAsText(sql`g."flags"`)} AS "flags"
      FROM (${defective}) dv
      CROSS JOIN "GraderReport" g
      WHERE g."exampleId" = dv."exampleId" AND g."revisionId" = dv."revisionId"`),
  ]);

  const upheld: UpheldFlag[] = [];
  const reviews = new Map<string, RevisionReview & { flags: LabelledRange[] }>();
  const reviewOf = (reviewer: string, revisionId: string) => {
    const key = `${reviewer}\u0000${revisionId}`;
    let review = reviews.get(key);
    if (!review) reviews.set(key, (review = { reviewer, revisionId, flags: [] }));
    return review;
  };
  for (const row of reviewed) {
    const review = reviewOf(row.reviewerId, row.revisionId);
    if (row.id === null || row.start === null || row.end === null || row.category === null) continue;
    const range = { start: num(row.start), end: num(row.end), category: row.category };
    review.flags.push(range);
    if (row.decision === "upheld" && DEFECT_SEVERITIES.includes(row.severity ?? "") && num(row.inPeriod) === 1) {
      upheld.push({ id: row.id, revisionId: row.revisionId, ...range });
    }
  }
  for (const row of graded) reviewOf(graderKey(row.grader), row.revisionId).flags.push(...graderFlags(row.flags));

  const defects = mergeDefects(upheld);
  const observations = missObservations({ defects, reviews: [...reviews.values()] });
  const rates = missRates(observations);
  const names = await peopleNamed(db, [...reviews.values()].map((review) => review.reviewer).filter((key) => !key.startsWith("grader:")));
  const reviewerRef = (key: string): ReviewerRef =>
    key.startsWith("grader:")
      ? { key, kind: "grader", name: key.slice("grader:".length) }
      : { key, kind: "person", name: names.get(key) ?? "(deleted account)" };
  const byCategory = new Map(rates.byCategory.map(({ category, ...rate }) => [category, rate]));
  return {
    period: periodView(since, period.days),
    revisions: new Set(defects.map((defect) => defect.revisionId)).size,
    defects: defects.length,
    pooled: rates.pooled,
    byReviewer: rates.byReviewer
      .map(({ reviewer, ...rate }) => ({ reviewer: reviewerRef(reviewer), ...rate }))
      .sort((a, b) => Number(a.reviewer.kind === "grader") - Number(b.reviewer.kind === "grader") || compare(a.reviewer.name, b.reviewer.name) || compare(a.reviewer.key, b.reviewer.key)),
    byCategory: FLAG_CATEGORIES.map((category) => ({ category, ...(byCategory.get(category) ?? missRate(0, 0)) })),
    survival: survivalEstimates(observations, MAX_POLICY_K),
  };
}
