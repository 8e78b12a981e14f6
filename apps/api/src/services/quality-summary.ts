/**
 * The dashboard's per-day sums (issue 13): a project's figures for any period read a few rows per
 * day from `QualityDay` instead of every example, so that they stay fast at a million examples.
 *
 * A row counts one *cell* of one *kind* on one UTC day; the key names the cell, its parts joined
 * by U+001F:
 *
 * - `example.stage` (actor, from, to, action), `flow` (from, to, action, 1 when a person did
 *   it, else 0) and `example.import` (the stage imported into, counted by the examples
 *   imported): audit-log rows, summed by database triggers in the very transaction that writes,
 *   changes or deletes them (migration `20251205000000_dashboard_daily`).
 * - The rest is summed per reviewed revision (see {@link revisionEntries}): `review` (reviewer)
 *   and `reviews` (all reviewers) on the day submitted, `pair` (two reviewers in id order and
 *   their verdicts, on the day of the later), and, once per day a period may start on (see
 *   `startingDays`), `profile` (the week of the last verdict and how many of each verdict the
 *   revision got, in `VERDICTS` order), `revision` (one for a revision holding a defect),
 *   `shared` (a defect's reviewers and how many missed it) and `miss` (reviewer key, category,
 *   1 when missed, else 0).
 *
 * The kinds read as totals over a period are also summed per month (`MONTHLY_KINDS`), so that a
 * year reads twelve monthly rows and at most a month of daily rows per cell.
 *
 * Revisions are summed by {@link refreshQualitySummary}: triggers on Review, Flag and GraderReport
 * put the revision a row concerns into `QualityRefresh` in the writing transaction, and every
 * dashboard read first sums the revisions queued since the last one, taking each one's previous
 * share (kept in `QualityRevision`) out and putting its new one in. That work grows with what
 * changed since the last read, not with the project's history; merging overlapping defects and
 * telling misses needs the core's functions, which SQL triggers cannot call.
 *
 * (Examples per stage now are counted by triggers on Example alone, in table QualityStage.)
 */
import { missObservations, VERDICTS, type Defect, type LabelledRange, type RevisionReview } from "@prealign/core";
import { join, sqltag as sql } from "@prisma/client/runtime/client";
import type { Db, Prisma } from "../db/database.ts";

/** What a `QualityDay` row counts (see the module comment). */
export type SummaryKind = "example.stage" | "flow" | "example.import" | "review" | "reviews" | "profile" | "pair" | "revision" | "shared" | "miss";

/**
 * The kinds also summed per month, under `<kind>/month` on the month's first day, so that a
 * long period reads a row per month and cell for its whole months instead of one per day.
 * The others are read day by day (the dashboard's daily series) and have few cells a day.
 */
const MONTHLY_KINDS: readonly SummaryKind[] = ["example.stage", "review", "profile", "pair", "revision", "shared", "miss"];

/** The first day of the month of a day (YYYY-MM-DD). */
function monthOf(day: string): string {
  return `${day.slice(0, 8)}01`;
}

/** The entries with their monthly copies (see {@link MONTHLY_KINDS}). */
export function withMonths(entries: readonly Entry[]): [day: string, kind: string, key: string, n: number][] {
  return entries.flatMap((entry) => {
    const [day, kind, key, n] = entry;
    return MONTHLY_KINDS.includes(kind) ? [entry, [monthOf(day), `${kind}/month`, key, n] as const] : [entry];
  });
}

/** Joins the parts of a cell's key. */
export const KEY_SEPARATOR = "\u001f";

/** Severities that make an upheld flag a defect (SPEC §4). */
const DEFECT_SEVERITIES: readonly string[] = ["blocker", "major"];

/** A reviewer's key for a model grader. */
function graderKey(name: string): string {
  return `grader:${name}`;
}

/** One upheld flag that makes a defect, before overlapping ones are merged. */
export interface UpheldFlag extends LabelledRange {
  id: string;
  revisionId: string;
}

/** Orders names the same way everywhere, whatever the locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

/** Revisions summed per transaction. */
const REFRESH_BATCH = 1000;
/** Rows written per statement. */
const WRITE_BATCH = 500;

/** One row's worth: day, kind, key, count. */
export type Entry = [day: string, kind: SummaryKind, key: string, n: number];

const DAY_MS = 24 * 60 * 60 * 1000;

/** A UTC day as YYYY-MM-DD. */
export function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** The Monday (UTC) of the week holding `time`, as YYYY-MM-DD. */
export function weekOf(time: number): string {
  const date = new Date(time);
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return dayOf(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - sinceMonday * DAY_MS);
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

/** A review of a revision with its flags, as {@link revisionEntries} reads it. */
export interface ReviewRow {
  reviewerId: string;
  verdict: string | null;
  submittedAt: Date | null;
  flags: { id: string; start: number; end: number; category: string; severity: string; decision: string | null }[];
}

/** A grader's report on a revision, as {@link revisionEntries} reads it. */
export interface GraderRow {
  grader: string;
  /** The report's flags as stored (JSON). */
  flags: unknown;
}

/**
 * The days a figure may start on that change what a revision shows, each with the day before it
 * (`BEFORE_ALL_DAYS` for the first): a period starting on `day`, or after `previous` and before `day`, sees
 * the revision's rows from `day` on and nothing before. Rows of the kinds that depend on where
 * the period starts are written once per such day, under it, with `previous` as the first part
 * of their key; a read keeps those whose `previous` lies before its period (see
 * {@link readQualityDays}), which is exactly one per revision.
 */
function startingDays(days: readonly string[]): { day: string; previous: string }[] {
  const distinct = [...new Set(days)].sort();
  return distinct.map((day, n) => ({ day, previous: n === 0 ? BEFORE_ALL_DAYS : distinct[n - 1]! }));
}

/**
 * The day before the first: a date, so that every key of the kinds in {@link STARTING_KINDS}
 * starts with ten characters that compare as days in any collation.
 */
const BEFORE_ALL_DAYS = "0000-00-00";

/**
 * What one revision adds to the sums, from its reviews (with flags) and grader reports, so that
 * a period's sums give exactly the figures computed from its rows (see `quality.ts`): reviews
 * count on the day submitted; agreement takes the verdicts submitted in the period, the unit
 * in the week of the last; accuracy takes the upheld blocker and major flags of reviews
 * submitted in the period as the defects, and every reviewer of the revision (and every grader
 * with a report on it) as their reviewers.
 */
export function revisionEntries(revisionId: string, reviews: readonly ReviewRow[], graders: readonly GraderRow[]): Entry[] {
  const submitted = reviews
    .filter((review) => review.submittedAt !== null)
    .map((review) => ({ ...review, day: dayOf(review.submittedAt!.getTime()) }));
  const entries: Entry[] = submitted.flatMap((review): Entry[] => [
    [review.day, "review", review.reviewerId, 1],
    [review.day, "reviews", "", 1],
  ]);

  const judged = submitted.filter((review) => review.verdict !== null);
  for (const a of judged) {
    for (const b of judged) {
      // A pair is in a period when both verdicts are.
      if (a.reviewerId < b.reviewerId) entries.push([a.day < b.day ? a.day : b.day, "pair", [a.reviewerId, b.reviewerId, a.verdict, b.verdict].join(KEY_SEPARATOR), 1]);
    }
  }
  if (judged.length >= 2) {
    const week = weekOf(Date.parse(judged.reduce((last, review) => (review.day > last ? review.day : last), "")));
    for (const { day, previous } of startingDays(judged.map((review) => review.day))) {
      const values = judged.filter((review) => review.day >= day);
      // Units with fewer than two verdicts take no part in alpha.
      if (values.length < 2) continue;
      const profile = VERDICTS.map((verdict) => values.filter((review) => review.verdict === verdict).length);
      entries.push([day, "profile", [previous, week, ...profile].join(KEY_SEPARATOR), 1]);
    }
  }

  const upheld = submitted.flatMap((review) =>
    review.flags
      .filter((flag) => flag.decision === "upheld" && DEFECT_SEVERITIES.includes(flag.severity))
      .map((flag) => ({ day: review.day, flag: { id: flag.id, revisionId, start: flag.start, end: flag.end, category: flag.category } })),
  );
  if (upheld.length > 0) {
    const reviewed: RevisionReview[] = [
      ...submitted.map((review) => ({ reviewer: review.reviewerId, revisionId, flags: review.flags.map(({ start, end, category }) => ({ start, end, category })) })),
      ...graders.map((report) => ({ reviewer: graderKey(report.grader), revisionId, flags: graderFlags(report.flags) })),
    ];
    for (const { day, previous } of startingDays(upheld.map((entry) => entry.day))) {
      const defects = mergeDefects(upheld.filter((entry) => entry.day >= day).map((entry) => entry.flag));
      entries.push([day, "revision", previous, 1]);
      for (const { defect, caught, missed } of missObservations({ defects, reviews: reviewed })) {
        entries.push([day, "shared", [previous, caught.length + missed.length, missed.length].join(KEY_SEPARATOR), 1]);
        for (const reviewer of caught) entries.push([day, "miss", [previous, reviewer, defect.category, 0].join(KEY_SEPARATOR), 1]);
        for (const reviewer of missed) entries.push([day, "miss", [previous, reviewer, defect.category, 1].join(KEY_SEPARATOR), 1]);
      }
    }
  }
  return entries;
}

/** Adds `sign` times each entry to the per-project tallies. */
function tally(into: Map<string, number>, projectId: string, entries: readonly Entry[], sign: 1 | -1): void {
  for (const [day, kind, key, n] of withMonths(entries)) {
    const cell = [projectId, day, kind, key].join("\u0000");
    into.set(cell, (into.get(cell) ?? 0) + sign * n);
  }
}

/**
 * Adds the tallied changes to `QualityDay`, a few hundred rows per statement, in key order: two
 * transactions adding to the same rows then lock them in the same order and cannot deadlock.
 */
async function addToDays(tx: Prisma.TransactionClient, changes: Map<string, number>): Promise<void> {
  const rows = [...changes]
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([cell, n]) => [...cell.split("\u0000"), n] as [string, string, string, string, number]);
  for (let from = 0; from < rows.length; from += WRITE_BATCH) {
    const values = rows.slice(from, from + WRITE_BATCH).map(([projectId, day, kind, key, n]) => sql`(${projectId}, ${day}, ${kind}, ${key}, ${n})`);
    await tx.$executeRaw(sql`
      INSERT INTO "QualityDay" ("projectId", "day", "kind", "key", "n") VALUES ${join(values, ", ")}
      ON CONFLICT ("projectId", "kind", "day", "key") DO UPDATE SET "n" = "QualityDay"."n" + excluded."n"`);
  }
}

/**
 * Sums one batch of queued revisions; returns how many it took from the queue (0: it was empty).
 * The batch is claimed by deleting it from the queue first, so that two reads summing at the same
 * moment never sum one revision twice: the second waits for the first's delete and finds nothing.
 */
async function refreshBatch(db: Db): Promise<number> {
  const queued = await db.qualityRefresh.findMany({ select: { revisionId: true }, take: REFRESH_BATCH });
  if (queued.length === 0) return 0;
  await db.$transaction(
    async (tx) => {
      const claimed = await tx.$queryRaw<{ revisionId: string; exampleId: string }[]>(sql`
        DELETE FROM "QualityRefresh" WHERE "revisionId" IN (${join(queued.map((row) => row.revisionId))}) RETURNING "revisionId", "exampleId"`);
      if (claimed.length === 0) return;
      const ids = new Set(claimed.map((row) => row.revisionId));
      // Raw SQL: a thousand revisions' rows come back in a few milliseconds, several times
      // faster than through the model API. Rows are found through their examples' index
      // (revisions have none of their own), then kept to the revisions claimed.
      const examples = join([...new Set(claimed.map((row) => row.exampleId))]);
      const [reviewed, graded, previous] = await Promise.all([
        tx.$queryRaw<
          (Omit<ReviewRow, "flags"> & { id: string; revisionId: string; projectId: string; flagId: string | null; start: number | null; end: number | null; category: string | null; severity: string | null; decision: string | null })[]
        >(sql`
          SELECT r."id", r."revisionId", r."reviewerId", r."verdict", r."submittedAt", e."projectId",
            f."id" AS "flagId", f."start", f."end", f."category", f."severity", f."decision"
          FROM "Review" r JOIN "Example" e ON e."id" = r."exampleId" LEFT JOIN "Flag" f ON f."reviewId" = r."id"
          WHERE r."exampleId" IN (${examples})`),
        tx.$queryRaw<(GraderRow & { revisionId: string; projectId: string })[]>(sql`
          SELECT g."revisionId", g."grader", g."flags", e."projectId"
          FROM "GraderReport" g JOIN "Example" e ON e."id" = g."exampleId"
          WHERE g."exampleId" IN (${examples})`),
        tx.$queryRaw<{ revisionId: string; projectId: string; entries: string }[]>(sql`
          SELECT "revisionId", "projectId", "entries" FROM "QualityRevision" WHERE "revisionId" IN (${join([...ids])})`),
      ]);
      const revisions = new Map<string, { projectId: string; reviews: Map<string, ReviewRow>; graders: GraderRow[] }>();
      const revision = (revisionId: string, projectId: string) => {
        let found = revisions.get(revisionId);
        if (!found) revisions.set(revisionId, (found = { projectId, reviews: new Map(), graders: [] }));
        return found;
      };
      for (const row of reviewed) {
        if (!ids.has(row.revisionId)) continue;
        const { reviews } = revision(row.revisionId, row.projectId);
        let review = reviews.get(row.id);
        if (!review) reviews.set(row.id, (review = { reviewerId: row.reviewerId, verdict: row.verdict, submittedAt: row.submittedAt === null ? null : new Date(row.submittedAt), flags: [] }));
        if (row.flagId !== null) {
          review.flags.push({ id: row.flagId, start: Number(row.start), end: Number(row.end), category: row.category!, severity: row.severity!, decision: row.decision });
        }
      }
      for (const row of graded) if (ids.has(row.revisionId)) revision(row.revisionId, row.projectId).graders.push(row);

      const changes = new Map<string, number>();
      for (const row of previous) tally(changes, row.projectId, JSON.parse(row.entries) as Entry[], -1);
      const current: { revisionId: string; projectId: string; entries: Entry[] }[] = [];
      for (const [revisionId, { projectId, reviews, graders }] of revisions) {
        const entries = revisionEntries(revisionId, [...reviews.values()], graders);
        if (entries.length === 0) continue;
        tally(changes, projectId, entries, 1);
        current.push({ revisionId, projectId, entries });
      }
      await addToDays(tx, changes);
      await tx.$executeRaw(sql`DELETE FROM "QualityRevision" WHERE "revisionId" IN (${join([...ids])})`);
      for (let from = 0; from < current.length; from += WRITE_BATCH) {
        const values = current.slice(from, from + WRITE_BATCH).map((row) => sql`(${row.revisionId}, ${row.projectId}, ${JSON.stringify(row.entries)})`);
        await tx.$executeRaw(sql`INSERT INTO "QualityRevision" ("revisionId", "projectId", "entries") VALUES ${join(values, ", ")}`);
      }
    },
    { timeout: 120_000 },
  );
  return queued.length;
}

/**
 * Sums every revision queued in `QualityRefresh` into `QualityDay` (all projects: the queue
 * holds what changed since the last read, usually a handful, but every reviewed revision after
 * the upgrade that added it, which `studio migrate` sums). Returns how many were summed;
 * `onProgress` hears the running count after each batch.
 */
export async function refreshQualitySummary(db: Db, onProgress?: (summed: number) => void): Promise<number> {
  let total = 0;
  for (let taken = await refreshBatch(db); taken > 0; taken = await refreshBatch(db)) {
    total += taken;
    onProgress?.(total);
  }
  return total;
}

/** One cell of `QualityDay`, summed over the days read or per day. */
export interface SummaryRow {
  /** The day, when read per day; otherwise "". */
  day: string;
  kind: SummaryKind;
  /** The key's parts. */
  key: string[];
  n: number;
}

/** The kinds whose rows are written once per day a period may start on (see `startingDays`). */
const STARTING_KINDS: readonly SummaryKind[] = ["profile", "revision", "shared", "miss"];

/**
 * The project's `QualityDay` cells of these kinds from `since` (YYYY-MM-DD) on, after summing
 * what is queued: per day (`perDay`, for the kinds not in {@link MONTHLY_KINDS}), or summed over
 * the period, from the daily rows of its days before its first whole month and the monthly rows
 * from there on. Of the kinds that depend on where a period starts, only the rows a period
 * starting on `since` sees count, and their keys come without the day before them. Cells that
 * sum to 0 are left out.
 */
export async function readQualityDays(db: Db, projectId: string, kinds: readonly SummaryKind[], since: string, { perDay = false } = {}): Promise<SummaryRow[]> {
  await refreshQualitySummary(db);
  const monthly = kinds.filter((kind) => MONTHLY_KINDS.includes(kind));
  if (perDay && monthly.length > 0) throw new RangeError(`Kinds ${monthly.join(", ")} are not kept per day long; read them over the period.`);
  // The first day of the period's first whole month: daily rows before it, monthly rows from it.
  const firstMonth = since.endsWith("-01") ? since : monthOf(dayOf(Date.parse(monthOf(since)) + 32 * DAY_MS));
  // One range of the primary key (project, kind, day, key) per kind, put together.
  const ranges = kinds.flatMap((kind) => {
    const seen = STARTING_KINDS.includes(kind) ? sql`AND substr("key", 1, 10) < ${since}` : sql``;
    const daily = sql`
      SELECT "day", "kind", "key", "n" FROM "QualityDay"
      WHERE "projectId" = ${projectId} AND "kind" = ${kind} AND "day" >= ${since} ${perDay ? sql`` : sql`AND "day" < ${firstMonth}`} ${seen}`;
    if (perDay) return [daily];
    return [
      daily,
      sql`
      SELECT "day", "kind", "key", "n" FROM "QualityDay"
      WHERE "projectId" = ${projectId} AND "kind" = ${`${kind}/month`} AND "day" >= ${firstMonth} ${seen}`,
    ];
  });
  const rows = await db.$queryRaw<{ day: string; kind: string; key: string; n: bigint | number }[]>(sql`
    SELECT ${perDay ? sql`"day"` : sql`''`} AS "day", "kind", "key", SUM("n") AS "n"
    FROM (${join(ranges, " UNION ALL ")}) AS "cells"
    GROUP BY 1, 2, 3
    HAVING SUM("n") <> 0`);
  // A cell read from daily and monthly rows comes back twice, once under each kind.
  const cells = new Map<string, SummaryRow>();
  for (const row of rows) {
    const kind = row.kind.replace(/\/month$/, "") as SummaryKind;
    const parts = row.key.split(KEY_SEPARATOR);
    const key = STARTING_KINDS.includes(kind) ? parts.slice(1) : parts;
    const id = `${row.day}\u0000${kind}\u0000${row.key}`;
    const cell = cells.get(id) ?? { day: row.day, kind, key, n: 0 };
    cell.n += Number(row.n);
    cells.set(id, cell);
  }
  return [...cells.values()].filter((cell) => cell.n !== 0);
}
