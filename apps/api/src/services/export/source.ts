/**
 * Reading a project's accepted examples for an export, a page at a time in id order, each page
 * with its head revisions and lineage in three queries whatever its size (examples joined to
 * their head revisions, participations, and the audit events that say when each was accepted
 * and how it was adjudicated), never one query per example.
 *
 * A page is a range of example ids, `(after, upto]`, cut from the primary key of all examples
 * ({@link nextPageRange}: one walk of the key's index), so that every query of a page is a
 * range scan of an index that starts with the example id, and the whole export reads each row
 * once. (Filtering by project and stage and ordering by id would make SQLite choose the index on
 * (projectId, stage, updatedAt, id) and sort all of the project's accepted examples for every
 * page: hours for a million.) On SQLite the unary `+` keeps that index out of the plan.
 *
 * The queries are plain SQL run by a {@link SqlQuery}: Prisma's raw queries on the server's
 * connection, or, on SQLite, a worker thread's own connection (`page-worker.ts`), which is
 * several times faster and keeps the reading off the event loop. Rows are normalised here, so
 * either driver's types (dates as `Date` or text, booleans as `boolean` or 0/1) give the same
 * records.
 *
 * Lineage names people by pseudonym only: `u_` and 16 hex digits of the SHA-256 of the
 * project's id and the user's id. The same person has the same pseudonym in every snapshot of
 * a project, and unlinkable ones across projects.
 */
import { createHash } from "node:crypto";
import type { Db } from "../../db/database.ts";
import { providerOf, type SqlProvider } from "../../db/drivers.ts";
import type { ParticipationRole } from "../participation.ts";
import type { ResolvedFilters } from "./filters.ts";
import type { ExampleSource, Lineage } from "./records.ts";

/** Runs one query written with `?` placeholders and returns its rows. */
export type SqlQuery = (sql: string, args: readonly (string | number)[]) => Promise<Record<string, unknown>[]>;

/** A page: the examples with ids after `after` up to and including `upto` (to the end when null). */
export interface PageRange {
  after: string;
  upto: string | null;
}

/** Prisma's raw queries as a {@link SqlQuery} (PostgreSQL's placeholders are numbered). */
export function prismaQuery(db: Db): SqlQuery {
  const postgres = providerOf(db) === "postgresql";
  return (sql, args) => {
    let n = 0;
    const text = postgres ? sql.replace(/\?/g, () => `$${++n}`) : sql;
    return db.$queryRawUnsafe<Record<string, unknown>[]>(text, ...args);
  };
}

/** The scenario and period an export's pages are limited to (see `filters.ts`), as plain data for worker threads; instants in ISO 8601. */
export interface PageFilters {
  scenarioId: string | null;
  createdFrom: string | null;
  /** Exclusive. */
  createdBefore: string | null;
}

/** The page filters of resolved export filters. */
export function pageFiltersOf(filters: ResolvedFilters): PageFilters {
  return { scenarioId: filters.scenarioId, createdFrom: filters.createdFrom?.toISOString() ?? null, createdBefore: filters.createdBefore?.toISOString() ?? null };
}

/** The number of accepted examples of a project within the page filters: what an export reads. */
export function countAccepted(db: Db, projectId: string, filters: PageFilters): Promise<number> {
  return db.example.count({
    where: {
      projectId,
      stage: "accepted",
      ...(filters.scenarioId === null ? {} : { scenarioId: filters.scenarioId }),
      createdAt: { ...(filters.createdFrom === null ? {} : { gte: new Date(filters.createdFrom) }), ...(filters.createdBefore === null ? {} : { lt: new Date(filters.createdBefore) }) },
    },
  });
}

/** The page after `after` holding (about) `size` example ids of any project or stage. */
export async function nextPageRange(db: Db, after: string, size: number): Promise<PageRange> {
  const rows = await prismaQuery(db)(`SELECT id FROM "Example" WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?`, [after, size - 1]);
  return { after, upto: (rows[0]?.id as string | undefined) ?? null };
}

/** The id-range condition of a page on `column`, and its arguments. */
function inRange(column: string, range: PageRange): { sql: string; args: string[] } {
  return range.upto === null ? { sql: `${column} > ?`, args: [range.after] } : { sql: `${column} > ? AND ${column} <= ?`, args: [range.after, range.upto] };
}

/** A user's pseudonym in a project's exports. */
export function pseudonym(projectId: string, userId: string): string {
  return `u_${createHash("sha256").update(`${projectId}:${userId}`).digest("hex").slice(0, 16)}`;
}

/** Pseudonyms of one project's users, each computed once. */
export class Pseudonyms {
  readonly #projectId: string;
  readonly #known = new Map<string, string>();

  constructor(projectId: string) {
    this.#projectId = projectId;
  }

  of(userId: string): string {
    let name = this.#known.get(userId);
    if (name === undefined) {
      name = pseudonym(this.#projectId, userId);
      this.#known.set(userId, name);
    }
    return name;
  }
}

/** How Prisma stores a DateTime in SQLite: ISO 8601 with milliseconds and a +00:00 offset. */
const SQLITE_DATE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\+00:00$/;

/** A timestamp as either driver returns it (a `Date`, ISO text, or milliseconds), in ISO 8601 UTC. */
function isoDate(value: unknown): string {
  // Most are SQLite's own text, which needs no parsing: the same instant in `toISOString` form.
  const stored = typeof value === "string" ? SQLITE_DATE.exec(value) : null;
  return stored !== null ? `${stored[1]!}Z` : new Date(value as string | number | Date).toISOString();
}

/** A JSON column as either driver returns it (parsed, or text). */
function jsonValue(value: unknown): unknown {
  return typeof value === "string" ? (JSON.parse(value) as unknown) : value;
}

/** The decision an adjudication event records: its action, or what its target stage implies. */
function decisionOf(to: unknown, data: unknown): string {
  const parsed = jsonValue(data);
  const action = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as { action?: unknown }).action : undefined;
  if (typeof action === "string") return action;
  return to === "accepted" ? "accept" : "return";
}

/** One query: SQL with `?` placeholders and its arguments. */
export interface Query {
  sql: string;
  args: (string | number)[];
}

/** The three queries of a page (see the module comment). */
export interface PageQueries {
  examples: Query;
  participations: Query;
  events: Query;
}

/** An instant as `createdAt` is compared in SQL: Prisma's own text on SQLite (`…+00:00`), a timestamp on PostgreSQL. */
function instant(provider: SqlProvider, iso: string): { sql: string; arg: string } {
  return provider === "sqlite" ? { sql: "?", arg: iso.replace(/Z$/, "+00:00") } : { sql: "CAST(? AS timestamp(3))", arg: iso };
}

/** The page filters as SQL conditions on the example `e`, each starting with AND, and their arguments. */
function filterConditions(provider: SqlProvider, filters: PageFilters): { sql: string; args: string[] } {
  const conditions: string[] = [];
  const args: string[] = [];
  if (filters.scenarioId !== null) {
    conditions.push(`AND e."scenarioId" = ?`);
    args.push(filters.scenarioId);
  }
  for (const [value, operator] of [[filters.createdFrom, ">="], [filters.createdBefore, "<"]] as const) {
    if (value === null) continue;
    const { sql, arg } = instant(provider, value);
    conditions.push(`AND e."createdAt" ${operator} ${sql}`);
    args.push(arg);
  }
  return { sql: conditions.join(" "), args };
}

/** The queries that read one page of a project's accepted examples (within the filters). */
export function pageQueries(provider: SqlProvider, projectId: string, range: PageRange, filters: PageFilters): PageQueries {
  // `+` (SQLite only) keeps the planner on the primary key; see the module comment.
  const plus = provider === "sqlite" ? "+" : "";
  // The editor document is needed only for its bad-behaviour marks; most documents have none.
  const position = provider === "sqlite" ? "instr(r.doc, '\"bad_behaviour\"')" : "strpos(r.doc, '\"bad_behaviour\"')";
  const examples = inRange("e.id", range);
  const related = inRange(`"exampleId"`, range);
  const where = filterConditions(provider, filters);
  return {
    examples: {
      sql:
        `SELECT e.id, e."createdAt", e.source, r.number, r.text, CASE WHEN ${position} > 0 THEN r.doc END AS doc, r."guidelineVersion", r."modelDrafted", r."draftModel", ` +
        // An example imported as accepted entered the stage when its import finished, which no stage event records.
        `(SELECT j."finishedAt" FROM "Job" j WHERE j.id = e."importJobId") AS "importedAt" ` +
        `FROM "Example" e JOIN "Revision" r ON r.id = e."headRevisionId" ` +
        `WHERE ${examples.sql} AND ${plus}e."projectId" = ? AND ${plus}e.stage = 'accepted' ${where.sql} ORDER BY e.id`,
      args: [...examples.args, projectId, ...where.args],
    },
    // One row per example, its people joined as "role userId" pairs: a fraction of the rows to turn into objects.
    participations: {
      sql: `SELECT "exampleId", ${provider === "sqlite" ? `group_concat(role || ' ' || "userId", ',')` : `string_agg(role || ' ' || "userId", ',')`} AS people FROM "Participation" WHERE ${related.sql} GROUP BY "exampleId"`,
      args: related.args,
    },
    events: {
      sql:
        `SELECT "exampleId", "actorId", "from", "to", data, "createdAt" FROM "AuditEvent" ` +
        `WHERE ${related.sql} AND action = 'example.stage' AND ("to" = 'accepted' OR "from" = 'adjudication') ORDER BY "createdAt", id`,
      args: related.args,
    },
  };
}

/** Reads one page of a project's accepted examples, in id order, with their lineage, through `query`. */
export async function readPage(query: SqlQuery, provider: SqlProvider, projectId: string, range: PageRange, filters: PageFilters, pseudonyms: Pseudonyms): Promise<ExampleSource[]> {
  const queries = pageQueries(provider, projectId, range, filters);
  const examples = await query(queries.examples.sql, queries.examples.args);
  if (examples.length === 0) return [];
  const [participations, events] = await Promise.all([
    query(queries.participations.sql, queries.participations.args),
    query(queries.events.sql, queries.events.args),
  ]);
  return assemblePage({ examples, participations, events }, pseudonyms);
}

/** The examples of a page with their lineage, from the rows of its three queries (participations and events of other examples in the range are ignored). */
export function assemblePage(
  rows: { examples: Record<string, unknown>[]; participations: Record<string, unknown>[]; events: Record<string, unknown>[] },
  pseudonyms: Pseudonyms,
): ExampleSource[] {
  const { examples: exampleRows, participations: participationRows, events: eventRows } = rows;
  const people = new Map<string, Record<ParticipationRole, Set<string>>>();
  for (const row of participationRows) {
    const roles: Record<ParticipationRole, Set<string>> = { author: new Set(), commentator: new Set(), reviewer: new Set(), adjudicator: new Set() };
    for (const pair of (row.people as string).split(",")) {
      const space = pair.indexOf(" ");
      roles[pair.slice(0, space) as ParticipationRole]?.add(pseudonyms.of(pair.slice(space + 1)));
    }
    people.set(row.exampleId as string, roles);
  }
  // Events come oldest first, so the last one seen of each kind is the latest.
  const accepted = new Map<string, string>();
  const adjudicated = new Map<string, { actorId: string | null; decision: string }>();
  for (const event of eventRows) {
    const exampleId = event.exampleId as string;
    if (event.to === "accepted") accepted.set(exampleId, isoDate(event.createdAt));
    if (event.from === "adjudication") adjudicated.set(exampleId, { actorId: (event.actorId as string | null) ?? null, decision: decisionOf(event.to, event.data) });
  }

  return exampleRows.map((row): ExampleSource => {
    const id = row.id as string;
    const roles = people.get(id);
    const sorted = (role: ParticipationRole) => [...(roles?.[role] ?? [])].sort();
    const adjudication = adjudicated.get(id);
    const guidelineVersion = row.guidelineVersion;
    const lineage: Lineage = {
      authors: sorted("author"),
      commentators: sorted("commentator"),
      reviewers: sorted("reviewer"),
      adjudicator: adjudication?.actorId ? pseudonyms.of(adjudication.actorId) : null,
      adjudication: adjudication?.decision ?? null,
      guideline_version: guidelineVersion === null || guidelineVersion === undefined ? null : Number(guidelineVersion),
      revision: Number(row.number),
      created_at: isoDate(row.createdAt),
      accepted_at: accepted.get(id) ?? (row.importedAt === null || row.importedAt === undefined ? null : isoDate(row.importedAt)),
      model_drafted: Boolean(row.modelDrafted),
      draft_model: (row.draftModel as string | null) ?? null,
      source: (row.source as string | null) ?? null,
    };
    return { id, text: row.text as string, doc: (row.doc as string | null) ?? null, lineage };
  });
}
