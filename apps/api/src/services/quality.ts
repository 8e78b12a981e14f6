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
 * The work of a query grows with the period's length in days, not with the project's examples:
 * the figures are read from per-day sums (`quality-summary.ts`, table QualityDay) that database
 * triggers and a queue of changed revisions keep up to date, a few rows per day and cell, and
 * the sums hold exactly what the queries over the raw rows used to compute, period boundaries
 * included. Stage counts now are kept by triggers too (table QualityStage).
 *
 * - **Activity.** Stage counts now are read as the triggers keep them. Counts at the
 *   end of each earlier day are reconstructed backwards from them with the audit log's
 *   `example.stage` events (and imports' `example.import` events) summed per day, so that only
 *   the period's days are read, however long the history. Throughput per person and day:
 *   drafts submitted, commentary submitted, reviews submitted, adjudications decided (accept,
 *   return or reject from adjudication).
 * - **Agreement.** Units are reviewed revisions, coders are reviewers, values are verdicts
 *   (SPEC §4). Nominal alpha depends on a unit only through how many of each verdict it got, so
 *   units are summed by that profile (and week); a unit belongs to the week of its last review
 *   in the period. Kappa per pair comes from the pair's contingency counts.
 * - **Reviewer accuracy.** A defect is a flag upheld at adjudication with severity blocker or
 *   major, on a submitted review in the period. Upheld flags of one category on one revision
 *   whose ranges overlap are one defect that several reviewers found, not several defects (each
 *   would otherwise count as caught by all who found it). The reviewers of a defect are those
 *   who submitted a review of its revision, and every model grader with a report on that
 *   revision, named by the grader's name: graders are measured like people but never count as
 *   a review (their flags are suggestions, and they give no verdict, so they take no part in
 *   agreement). The estimates depend on a defect only through how many reviewers it had and how
 *   many of them missed it, so defects are summed by those two numbers.
 */
import {
  cohenKappaFromCounts,
  FLAG_CATEGORIES,
  krippendorffAlphaFromCounts,
  missRate,
  STAGES,
  survivalEstimates,
  VERDICTS,
  type ContingencyCell,
  type FlagCategory,
  type MissObservation,
  type MissRate,
  type Stage,
  type SurvivalEstimate,
} from "@prealign/core";
import type { Db } from "../db/database.ts";
import { compare, dayOf, KEY_SEPARATOR, mergeDefects, readQualityDays, weekOf } from "./quality-summary.ts";
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

/** The names of the people with these ids, in one query. */
async function peopleNamed(db: Db, ids: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(users.map((user) => [user.id, user.name]));
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
 * Stages now and day by day, and throughput per day and per person, over the period. Four
 * queries whatever the project's size: stage counts now, the period's per-day sums of stage
 * moves, imports and reviews, its per-person sums of stage moves and reviews
 * (`quality-summary.ts`), and the names of the people.
 */
export async function getActivity(db: Db, access: ProjectAccess, period: QualityPeriod): Promise<ActivityFigures> {
  const since = periodStart(period);
  const days = periodDays(since, period.days);
  const { projectId } = access;
  const [stageCounts, daily, totals] = await Promise.all([
    db.qualityStage.findMany({ where: { projectId }, select: { stage: true, n: true } }),
    readQualityDays(db, projectId, ["flow", "example.import", "reviews"], days[0]!, { perDay: true }),
    readQualityDays(db, projectId, ["example.stage", "review"], days[0]!),
  ]);

  const stagesNow = emptyStages();
  // Examples still being imported ("importing") are in no stage yet.
  for (const row of stageCounts) if (isStage(row.stage)) stagesNow[row.stage] = row.n;

  // Net flow into each stage and work done, per day; work per person over the period.
  const flow = new Map<string, Record<Stage, number>>();
  const flowOn = (day: string) => {
    let stages = flow.get(day);
    if (!stages) flow.set(day, (stages = emptyStages()));
    return stages;
  };
  const byDay = new Map(days.map((day) => [day, emptyWork()]));
  const byPerson = new Map<string, WorkCounts>();
  const count = (counts: WorkCounts | undefined, kind: WorkKind, n: number) => {
    if (counts) counts[kind] += n;
  };
  const personal = (personId: string) => {
    const counts = byPerson.get(personId) ?? emptyWork();
    byPerson.set(personId, counts);
    return counts;
  };
  for (const { day, kind, key, n } of daily) {
    if (kind === "flow") {
      const [from, to, action, byPersonFlag] = key as [string, string, string, string];
      if (isStage(to)) flowOn(day)[to] += n;
      if (isStage(from)) flowOn(day)[from] -= n;
      const work = workOf(from, action);
      // Work counts when someone did it (not the command line).
      if (work && byPersonFlag === "1") count(byDay.get(day), work, n);
    }
    const [stage] = key;
    if (kind === "example.import" && isStage(stage)) flowOn(day)[stage] += n;
    if (kind === "reviews") count(byDay.get(day), "reviews", n);
  }
  for (const { kind, key, n } of totals) {
    const [personId] = key as [string];
    if (kind === "example.stage") {
      const [, from, , action] = key as [string, string, string, string];
      const work = workOf(from, action);
      if (work && personId) count(personal(personId), work, n);
    }
    if (kind === "review") count(personal(personId), "reviews", n);
  }

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

/**
 * Alpha over units given as profiles (how many of each verdict, in `VERDICTS` order) with how
 * many units share each: the core's alpha from counts, because handing it a year's units one by
 * one is work per example.
 */
function alphaOf(profiles: readonly { counts: readonly number[]; units: number }[]): AlphaFigure {
  const { alpha, units, values } = krippendorffAlphaFromCounts(
    profiles.map(({ counts, units }) => ({ counts: new Map(counts.map((count, v) => [VERDICTS[v]!, count])), units })),
  );
  return { alpha, units, verdicts: values };
}

/**
 * Alpha on verdicts over the period and per week, and kappa per pair of reviewers, from the
 * revisions whose last verdict was given in the period (with all their verdicts). Read from the
 * per-day sums (`quality-summary.ts`): units by verdict profile, pairs' contingency counts.
 */
export async function getAgreement(db: Db, access: ProjectAccess, period: QualityPeriod): Promise<AgreementFigures> {
  const since = periodStart(period);
  const rows = await readQualityDays(db, access.projectId, ["profile", "pair"], dayOf(since.getTime()));
  const unitProfiles = rows
    .filter((row) => row.kind === "profile")
    .map((row) => ({ week: row.key[0]!, counts: row.key.slice(1).map(Number), units: row.n }));
  const contingency = new Map<string, { first: string; second: string; firstVerdict: string; secondVerdict: string; units: number }>();
  for (const row of rows) {
    if (row.kind !== "pair") continue;
    const [first, second, firstVerdict, secondVerdict] = row.key as [string, string, string, string];
    const id = row.key.join(KEY_SEPARATOR);
    const cell = contingency.get(id) ?? { first, second, firstVerdict, secondVerdict, units: 0 };
    cell.units += row.n;
    contingency.set(id, cell);
  }
  const byWeek = periodWeeks(since, period.days).map((week) => ({ week, ...alphaOf(unitProfiles.filter((profile) => profile.week === week)) }));

  // Each pair is summed once, the reviewers in id order; they are put in name order below.
  const tables = new Map<string, { first: string; second: string; cells: ContingencyCell[] }>();
  for (const row of contingency.values()) {
    const key = `${row.first}\u0000${row.second}`;
    let table = tables.get(key);
    if (!table) tables.set(key, (table = { first: row.first, second: row.second, cells: [] }));
    table.cells.push({ first: row.firstVerdict, second: row.secondVerdict, items: row.units });
  }
  const names = await peopleNamed(db, [...tables.values()].flatMap((table) => [table.first, table.second]));
  const person = (id: string): PersonRef => ({ id, name: names.get(id) ?? "(deleted account)" });
  const pairs = [...tables.values()].map((table): PairAgreement => {
    // Name order, so that "Ada and Bob" reads the same in every row that names Ada.
    const [first, second] = compare(person(table.first).name, person(table.second).name) <= 0 ? [table.first, table.second] : [table.second, table.first];
    // The core's kappa from the contingency counts (symmetric in the two reviewers), without
    // listing the revisions one by one.
    const { kappa, items: units, agreements } = cohenKappaFromCounts(table.cells);
    return { first: person(first), second: person(second), units, observedAgreement: agreements / units, kappa };
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

/** How overlapping upheld flags become one defect; defined beside the per-day sums, which merge them. */
export { mergeDefects };

/** A reviewer, by key, and a defect category: how many defects they had and missed. */
interface MissCell {
  reviewer: string;
  category: string;
  missed: number;
  defects: number;
}

/** The miss rate of each group of cells sharing a name. */
function rateBy(cells: readonly MissCell[], name: (cell: MissCell) => string): Map<string, MissRate> {
  const sums = new Map<string, { missed: number; defects: number }>();
  for (const cell of cells) {
    const sum = sums.get(name(cell)) ?? { missed: 0, defects: 0 };
    sum.missed += cell.missed;
    sum.defects += cell.defects;
    sums.set(name(cell), sum);
  }
  return new Map([...sums].map(([key, sum]) => [key, missRate(sum.missed, sum.defects)]));
}

/**
 * Miss rates per reviewer and per category with Wilson intervals, and the surviving-defect
 * estimates for k = 1…5 under both rules and both ways, over the defects of the revisions whose
 * last review was submitted in the period. Read from the per-day sums (`quality-summary.ts`):
 * per reviewer and category how many defects they had and missed, and per defect how many
 * reviewers it had and how many of them missed it, which is all the estimates rest on.
 */
export async function getAccuracy(db: Db, access: ProjectAccess, period: QualityPeriod): Promise<AccuracyFigures> {
  const since = periodStart(period);
  const rows = await readQualityDays(db, access.projectId, ["revision", "shared", "miss"], dayOf(since.getTime()));
  let revisions = 0;
  const cells = new Map<string, MissCell>();
  const shared = new Map<string, { reviewers: number; missed: number; defects: number }>();
  for (const { kind, key, n } of rows) {
    if (kind === "revision") revisions += n;
    if (kind === "shared") {
      const [reviewers, missed] = key.map(Number) as [number, number];
      const entry = shared.get(key.join(KEY_SEPARATOR)) ?? { reviewers, missed, defects: 0 };
      entry.defects += n;
      shared.set(key.join(KEY_SEPARATOR), entry);
    }
    if (kind === "miss") {
      const [reviewer, category, missed] = key as [string, string, string];
      const id = `${reviewer}${KEY_SEPARATOR}${category}`;
      const cell = cells.get(id) ?? { reviewer, category, missed: 0, defects: 0 };
      cell.defects += n;
      if (missed === "1") cell.missed += n;
      cells.set(id, cell);
    }
  }
  // The estimates depend on a defect only through its numbers of reviewers and of misses, so
  // each defect is given back as anonymous reviewers who caught or missed it.
  const observations: MissObservation[] = [];
  for (const { reviewers, missed, defects } of shared.values()) {
    const observation = {
      defect: { id: "", revisionId: "", start: 0, end: 0, category: "" },
      caught: Array.from({ length: reviewers - missed }, (_, n) => `caught ${n}`),
      missed: Array.from({ length: missed }, (_, n) => `missed ${n}`),
    };
    for (let n = 0; n < defects; n++) observations.push(observation);
  }
  const missCells = [...cells.values()].filter((cell) => cell.defects > 0);
  const byReviewer = rateBy(missCells, (cell) => cell.reviewer);
  const byCategory = rateBy(missCells, (cell) => cell.category);
  const names = await peopleNamed(db, [...byReviewer.keys()].filter((key) => !key.startsWith("grader:")));
  const reviewerRef = (key: string): ReviewerRef =>
    key.startsWith("grader:")
      ? { key, kind: "grader", name: key.slice("grader:".length) }
      : { key, kind: "person", name: names.get(key) ?? "(deleted account)" };
  return {
    period: periodView(since, period.days),
    revisions,
    defects: observations.length,
    pooled: missRate(
      missCells.reduce((sum, cell) => sum + cell.missed, 0),
      missCells.reduce((sum, cell) => sum + cell.defects, 0),
    ),
    byReviewer: [...byReviewer]
      .map(([reviewer, rate]) => ({ reviewer: reviewerRef(reviewer), ...rate }))
      .sort((a, b) => Number(a.reviewer.kind === "grader") - Number(b.reviewer.kind === "grader") || compare(a.reviewer.name, b.reviewer.name) || compare(a.reviewer.key, b.reviewer.key)),
    byCategory: FLAG_CATEGORIES.map((category) => ({ category, ...(byCategory.get(category) ?? missRate(0, 0)) })),
    survival: survivalEstimates(observations, MAX_POLICY_K),
  };
}
