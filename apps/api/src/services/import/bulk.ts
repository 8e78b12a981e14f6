/**
 * The database writes of an import, batch by batch, in a few statements per batch whatever its
 * size. Rows go in through {@link SqlExecutor.insert}: multi-row `INSERT … VALUES` with bound
 * parameters on SQLite (better-sqlite3 binds them natively; reading rows out of a JSON
 * parameter instead costs SQLite a parse of each row per column), and one JSON parameter read by
 * `json_to_recordset` on PostgreSQL (one parameter, however many rows, through Prisma's raw
 * queries). The other statements are written once per dialect, side by side.
 *
 * Per batch, in one transaction: the lines whose source id the project already has (from an
 * earlier import, or from an earlier batch of this one) are found and skipped; scenario keys the
 * project does not have yet are added to its library (their ids recorded in the job's params, so
 * that a failed import can remove them); then the examples (stage `importing`, linked to the
 * job), their first revisions, the importer's author participations and the grader reports are
 * inserted. {@link BatchWriter.finish} then records the import's audit event and gives the job's
 * examples their stage (on SQLite a chunk at a time, see {@link finishChunk}): until the audit
 * event commits no list or queue shows any of them, and a job that dies before it leaves only
 * rows its clean-up deletes; once it has, the import is complete, and its clean-up moves the
 * examples a stopped process left.
 *
 * The statements run through a {@link SqlExecutor}: a better-sqlite3 connection on the SQLite
 * writer thread (sqlite-writer.ts), which does not check foreign keys (every row a batch inserts
 * refers to rows read or inserted in the same transaction; the tests check the result with
 * `PRAGMA foreign_key_check`), or the Prisma client's raw queries on PostgreSQL, which does.
 */
// The workflow module alone: this runs on the import's writer thread, which needs nothing else of the core.
import { IMPORTING_STAGE } from "@prealign/core/workflow";
import { IdSource } from "../../db/ids.ts";
import type { StoredExample } from "./batch.ts";
import type { ImportStage } from "./parse.ts";

/** The SQL dialects the studio runs on. */
export type Dialect = "sqlite" | "postgresql";

/** A value bound to a statement parameter (UTF-8 bytes only for a "utf8" column). */
export type SqlValue = string | number | boolean | null | Uint8Array;

/**
 * How a column's values are written: SQLite stores booleans as 0/1, JSON and timestamps as text;
 * PostgreSQL casts. A "utf8" column is text given as a string or, on SQLite, as its UTF-8 bytes,
 * which the insert casts to text (bytes that are not UTF-8 must never reach it).
 */
export type ColumnType = "text" | "utf8" | "int" | "float" | "bool" | "timestamp" | "json";

/** An example as the writer takes it: its long text fields as strings or (SQLite only) UTF-8 bytes (see batch.ts). */
export type WritableExample = StoredExample<string | Uint8Array>;

/** A column of a bulk insert. */
export interface Column {
  name: string;
  type: ColumnType;
}

/** Runs SQL inside the caller's transaction. */
export interface SqlExecutor {
  /**
   * Whether the connection checks foreign keys. When it does, an example goes in without its
   * head revision (examples and revisions point at each other, and an example must exist before
   * its revision), and the final UPDATE sets it; when it does not, the example names it at once.
   */
  checksForeignKeys: boolean;
  /** The rows a statement returns (positional parameters: `?` on SQLite, `$1` on PostgreSQL). */
  all(sql: string, args: readonly SqlValue[]): Promise<Record<string, unknown>[]>;
  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, args: readonly SqlValue[]): Promise<number>;
  /** Inserts `rows` (values in the order of `columns`; JSON columns as JSON text) into `table`. */
  insert(table: string, columns: readonly Column[], rows: readonly SqlValue[][]): Promise<void>;
}

/** What stays the same for every batch of one import. */
export interface ImportTarget {
  /** The project the examples go to. */
  projectId: string;
  /** The import's job: examples are linked to it while it runs. */
  jobId: string;
  /** The job's params as stored; the ids of created scenarios are added to them. */
  jobParams: Record<string, unknown>;
  /** The system user who creates imported examples. */
  importerId: string;
  /** The project's guideline version, written on each first revision (null: none yet). */
  guidelineVersion: number | null;
}

/** A line skipped because its source id is already taken. */
export interface SkippedLine {
  /** Its number in the file. */
  line: number;
  /** The source id. */
  sourceId: string;
  /** True when the id was taken by an earlier line of the same file; false when the project had it before. */
  earlierInFile: boolean;
}

/** What one batch came to. */
export interface BatchWritten {
  /** Examples inserted. */
  imported: number;
  /** Lines skipped for their source id, in file order. */
  skipped: SkippedLine[];
}

/** What the import's audit event says. */
export interface ImportSummary {
  /** The stage the examples were given. */
  stage: ImportStage;
  /** Who started the import (null: the command line). */
  actorId: string | null;
  /** Counts and the file, kept as the event's data. */
  data: Record<string, string | number | null>;
}

/** Job params key under which the ids of the scenarios an import created are kept. */
export const CREATED_SCENARIOS_PARAM = "createdScenarioIds";

/** Scenario ids remembered by key, at most (a file with more distinct keys asks the database again). */
const KNOWN_SCENARIOS_MAX = 10_000;

/** A timestamp as Prisma stores it: on SQLite the text `2025-01-02T03:04:05.678+00:00` (compared as text, so the format must match). */
export function timestamp(dialect: Dialect, date: Date): string {
  const iso = date.toISOString();
  return dialect === "sqlite" ? iso.replace("Z", "+00:00") : iso;
}

/**
 * A statement with `@name` parameters, bound for `dialect`: `?` in order of appearance on
 * SQLite, `$n` per distinct name on PostgreSQL.
 */
function bind(dialect: Dialect, sql: string | null, values: Record<string, SqlValue>): [string, SqlValue[]] {
  if (sql === null) throw new Error(`The ${dialect} dialect has no such statement`);
  const args: SqlValue[] = [];
  const numbers = new Map<string, number>();
  const text = sql.replace(/@(\w+)/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`No value for @${name}`);
    if (dialect === "sqlite") {
      args.push(values[name]!);
      return "?";
    }
    let number = numbers.get(name);
    if (number === undefined) {
      args.push(values[name]!);
      number = args.length;
      numbers.set(name, number);
    }
    return `$${number}`;
  });
  return [text, args];
}

type Statement = "existing" | "scenarios" | "params" | "chunkEnd" | "finish" | "finishReview" | "audit" | "staged" | "discard";

/** The statements other than the bulk inserts, per dialect (null where a dialect needs none). `@ids` and `@keys` are JSON arrays of strings. */
const SQL: Record<Dialect, Record<Statement, string | null>> = {
  sqlite: {
    existing: `SELECT "sourceId", "importJobId" FROM "Example"
      WHERE "projectId" = @projectId AND "sourceId" IN (SELECT value FROM json_each(@ids))`,
    scenarios: `SELECT "id", "key" FROM "Scenario" WHERE "projectId" = @projectId AND "key" IN (SELECT value FROM json_each(@keys))`,
    staged: `SELECT "id" FROM "Example" WHERE "importJobId" = @jobId AND "stage" = '${IMPORTING_STAGE}' LIMIT @limit`,
    discard: `DELETE FROM "GraderReport" WHERE "exampleId" IN (SELECT value FROM json_each(@ids));
      DELETE FROM "Participation" WHERE "exampleId" IN (SELECT value FROM json_each(@ids));
      DELETE FROM "Revision" WHERE "exampleId" IN (SELECT value FROM json_each(@ids));
      DELETE FROM "Example" WHERE "id" IN (SELECT value FROM json_each(@ids))`,
    params: `UPDATE "Job" SET "params" = @params WHERE "id" = @jobId`,
    // The job's examples are moved a chunk of rowids at a time (see `finishChunk`): the last rowid of the next chunk.
    chunkEnd: `SELECT max(rowid) AS "upto" FROM (SELECT rowid FROM "Example" WHERE "importJobId" = @jobId AND rowid > @after ORDER BY rowid LIMIT @limit)`,
    finish: `UPDATE "Example" SET "stage" = @stage
      WHERE "importJobId" = @jobId AND "stage" = '${IMPORTING_STAGE}' AND rowid > @after AND rowid <= @upto`,
    finishReview: `UPDATE "Example" SET "stage" = 'review', "reviewRound" = 1, "reviewRevisionId" = "headRevisionId"
      WHERE "importJobId" = @jobId AND "stage" = '${IMPORTING_STAGE}' AND rowid > @after AND rowid <= @upto`,
    audit: `INSERT INTO "AuditEvent" ("id", "actorId", "projectId", "action", "from", "to", "data", "createdAt")
      VALUES (@id, @actorId, @projectId, 'example.import', NULL, @stage, @data, @now)`,
  },
  postgresql: {
    // `= ANY(ARRAY(…))`, not `IN (SELECT …)`: the planner then looks each id up in the
    // (projectId, sourceId) index instead of reading every example of the project.
    existing: `SELECT "sourceId", "importJobId" FROM "Example"
      WHERE "projectId" = @projectId AND "sourceId" = ANY(ARRAY(SELECT json_array_elements_text(@ids::json)))`,
    scenarios: `SELECT "id", "key" FROM "Scenario" WHERE "projectId" = @projectId AND "key" = ANY(ARRAY(SELECT json_array_elements_text(@keys::json)))`,
    params: `UPDATE "Job" SET "params" = @params::jsonb WHERE "id" = @jobId`,
    // The examples went in without their head (see BatchWriter.write); the final UPDATE, which
    // rewrites every row anyway, sets it, through the revisions' (exampleId, number) index.
    finish: `UPDATE "Example" SET "stage" = @stage,
        "headRevisionId" = (SELECT v."id" FROM "Revision" v WHERE v."exampleId" = "Example"."id" AND v."number" = 1)
      WHERE "importJobId" = @jobId AND "stage" = '${IMPORTING_STAGE}'`,
    finishReview: `UPDATE "Example" SET "stage" = 'review', "reviewRound" = 1,
        "headRevisionId" = (SELECT v."id" FROM "Revision" v WHERE v."exampleId" = "Example"."id" AND v."number" = 1),
        "reviewRevisionId" = (SELECT v."id" FROM "Revision" v WHERE v."exampleId" = "Example"."id" AND v."number" = 1)
      WHERE "importJobId" = @jobId AND "stage" = '${IMPORTING_STAGE}'`,
    audit: `INSERT INTO "AuditEvent" ("id", "actorId", "projectId", "action", "from", "to", "data", "createdAt")
      VALUES (@id, @actorId, @projectId, 'example.import', NULL, @stage, @data::jsonb, @now::timestamp(3))`,
    // PostgreSQL moves them all at once: its UPDATE locks only the rows it changes, which no one else writes.
    chunkEnd: null,
    // PostgreSQL's clean-up goes through Prisma (importer.ts).
    staged: null,
    discard: null,
  },
};

const columns = (spec: Record<string, ColumnType>): Column[] => Object.entries(spec).map(([name, type]) => ({ name, type }));

/** The columns each batch fills, per table. */
const COLUMNS = {
  Scenario: columns({ id: "text", projectId: "text", key: "text", prompt: "text", categories: "json", interactionTypes: "json", createdAt: "timestamp" }),
  Example: columns({
    id: "text",
    projectId: "text",
    stage: "text",
    createdById: "text",
    createdAt: "timestamp",
    updatedAt: "timestamp",
    headRevisionId: "text",
    source: "text",
    sourceId: "text",
    scenarioId: "text",
    importJobId: "text",
    metadata: "json",
  }),
  Revision: columns({
    id: "text",
    exampleId: "text",
    number: "int",
    text: "utf8",
    doc: "utf8",
    authorId: "text",
    createdAt: "timestamp",
    modelDrafted: "bool",
    excerpt: "utf8",
    digest: "text",
    guidelineVersion: "int",
  }),
  Participation: columns({ id: "text", exampleId: "text", userId: "text", role: "text", createdAt: "timestamp" }),
  GraderReport: columns({ id: "text", exampleId: "text", revisionId: "text", grader: "text", score: "float", flags: "json", createdAt: "timestamp" }),
};

/** The first line of each source id in a batch, and the later ones, to be skipped as earlier in the file. */
function firstOfEachSourceId(examples: readonly WritableExample[]): { first: WritableExample[]; repeated: SkippedLine[] } {
  const seen = new Set<string>();
  const first: WritableExample[] = [];
  const repeated: SkippedLine[] = [];
  for (const example of examples) {
    if (example.sourceId === null || !seen.has(example.sourceId)) {
      if (example.sourceId !== null) seen.add(example.sourceId);
      first.push(example);
    } else {
      repeated.push({ line: example.line, sourceId: example.sourceId, earlierInFile: true });
    }
  }
  return { first, repeated };
}

/**
 * Writes the batches of one import through executors of one dialect, keeping what the batches
 * share: the ids, the scenario ids known by key, and the ids of the scenarios created.
 */
export class BatchWriter {
  readonly #dialect: Dialect;
  readonly #target: ImportTarget;
  readonly #ids = new IdSource();
  readonly #scenarios = new Map<string, string>();
  readonly #createdScenarios: string[] = [];

  constructor(dialect: Dialect, target: ImportTarget) {
    this.#dialect = dialect;
    this.#target = target;
  }

  /** The import job whose examples it writes. */
  get jobId(): string {
    return this.#target.jobId;
  }

  #all(exec: SqlExecutor, name: Statement, values: Record<string, SqlValue>): Promise<Record<string, unknown>[]> {
    return exec.all(...bind(this.#dialect, SQL[this.#dialect][name], values));
  }

  #run(exec: SqlExecutor, name: Statement, values: Record<string, SqlValue>): Promise<number> {
    return exec.run(...bind(this.#dialect, SQL[this.#dialect][name], values));
  }

  /**
   * Writes one batch (in file order) inside the caller's transaction: skips the lines whose
   * source id is taken, by the project or by an earlier line, adds unknown scenarios, inserts
   * the rest.
   */
  async write(exec: SqlExecutor, examples: readonly WritableExample[]): Promise<BatchWritten> {
    const { projectId, jobId, importerId, guidelineVersion } = this.#target;
    const now = timestamp(this.#dialect, new Date());
    const { first, repeated } = firstOfEachSourceId(examples);
    const skipped = [...repeated, ...(await this.#skips(exec, first))].sort((a, b) => a.line - b.line);
    const skippedLines = new Set(skipped.map((skip) => skip.line));
    const kept = skipped.length === 0 ? examples : examples.filter((example) => !skippedLines.has(example.line));
    if (kept.length === 0) return { imported: 0, skipped };
    const scenarioIds = await this.#scenarioIds(exec, kept, now);
    const rows = kept.map((example) => ({ example, id: this.#ids.next(), revisionId: this.#ids.next() }));
    await exec.insert(
      "Example",
      COLUMNS.Example,
      rows.map(({ example, id, revisionId }) => [
        id,
        projectId,
        IMPORTING_STAGE,
        importerId,
        now,
        now,
        exec.checksForeignKeys ? null : revisionId,
        example.source,
        example.sourceId,
        example.scenario === null ? null : scenarioIds.get(example.scenario)!,
        jobId,
        example.metadata,
      ]),
    );
    await exec.insert(
      "Revision",
      COLUMNS.Revision,
      rows.map(({ example, id, revisionId }) => [revisionId, id, 1, example.text, example.doc, importerId, now, true, example.excerpt, example.digest, guidelineVersion]),
    );
    await exec.insert(
      "Participation",
      COLUMNS.Participation,
      rows.map(({ id }) => [this.#ids.next(), id, importerId, "author", now]),
    );
    const graded = rows.filter(({ example }) => example.grader !== null);
    if (graded.length > 0) {
      await exec.insert(
        "GraderReport",
        COLUMNS.GraderReport,
        graded.map(({ example, id, revisionId }) => [this.#ids.next(), id, revisionId, example.grader!.name, example.grader!.score, example.grader!.flags, now]),
      );
    }
    return { imported: kept.length, skipped };
  }

  /** The lines whose source id the project already has. */
  async #skips(exec: SqlExecutor, examples: readonly WritableExample[]): Promise<SkippedLine[]> {
    const lines = new Map<string, number>();
    for (const example of examples) if (example.sourceId !== null) lines.set(example.sourceId, example.line);
    if (lines.size === 0) return [];
    const taken = await this.#all(exec, "existing", { projectId: this.#target.projectId, ids: JSON.stringify([...lines.keys()]) });
    return taken
      .map((row) => ({ line: lines.get(String(row.sourceId))!, sourceId: String(row.sourceId), earlierInFile: row.importJobId === this.#target.jobId }))
      .sort((a, b) => a.line - b.line);
  }

  /**
   * The scenario id of every key `examples` use: looked up, or added to the project's library
   * (with no prompt, categories or interaction types) and recorded in the job's params.
   */
  async #scenarioIds(exec: SqlExecutor, examples: readonly WritableExample[], now: string): Promise<ReadonlyMap<string, string>> {
    const unknown = new Set<string>();
    for (const { scenario } of examples) if (scenario !== null && !this.#scenarios.has(scenario)) unknown.add(scenario);
    if (unknown.size === 0) return this.#scenarios;
    if (this.#scenarios.size + unknown.size > KNOWN_SCENARIOS_MAX) this.#scenarios.clear();
    const { projectId, jobId } = this.#target;
    for (const row of await this.#all(exec, "scenarios", { projectId, keys: JSON.stringify([...unknown]) })) {
      this.#scenarios.set(String(row.key), String(row.id));
      unknown.delete(String(row.key));
    }
    if (unknown.size === 0) return this.#scenarios;
    const created = [...unknown].map((key) => ({ key, id: this.#ids.next() }));
    // A concurrent import that adds the same key first makes this insert fail on the unique
    // (projectId, key); the batch is then refused and the import fails, saying why.
    await exec.insert("Scenario", COLUMNS.Scenario, created.map(({ key, id }) => [id, projectId, key, "", "[]", "[]", now]));
    for (const { key, id } of created) this.#scenarios.set(key, id);
    this.#createdScenarios.push(...created.map(({ id }) => id));
    const params = { ...this.#target.jobParams, [CREATED_SCENARIOS_PARAM]: this.#createdScenarios };
    await this.#run(exec, "params", { jobId, params: JSON.stringify(params) });
    return this.#scenarios;
  }

  /**
   * Records the import's audit event, which makes the import complete, and moves the first
   * chunk of its examples to their stage (see {@link finishChunk}), inside the caller's
   * transaction.
   */
  async finish(exec: SqlExecutor, summary: ImportSummary): Promise<FinishedChunk> {
    const { projectId, jobId } = this.#target;
    const moved = await finishChunk(this.#dialect, exec, jobId, summary.stage, 0);
    await this.#run(exec, "audit", {
      id: this.#ids.next(),
      actorId: summary.actorId,
      projectId,
      stage: summary.stage,
      data: JSON.stringify({ jobId, ...summary.data }),
      now: timestamp(this.#dialect, new Date()),
    });
    return moved;
  }
}

/** Examples in the chunk of rowids before the next chunk of a job's examples to move. */
export const FINISH_CHUNK = 20_000;

/** What one {@link finishChunk} did: how many examples it moved, and after which rowid the next chunk starts (null: none left). */
export interface FinishedChunk {
  moved: number;
  next: number | null;
}

/**
 * Gives examples of the import job `jobId` still importing the stage `stage` (entering review
 * as the workflow does: round 1, the head revision under review; and, on PostgreSQL, their head
 * revision, which its batches could not set), inside the caller's transaction. PostgreSQL moves
 * them all at once. SQLite moves those among the next {@link FINISH_CHUNK} of the job's examples
 * by rowid after `after`: a million examples take some ten seconds to move, and in one
 * transaction SQLite's one writer at a time would make every other write wait for all of it,
 * holding the process that made it, then fail at its busy timeout; a chunk takes 0.1–0.35 s
 * (the writer thread pauses between chunks). The first chunk commits with the audit event,
 * which makes the import complete: if its process stops before the last chunk, the recovery
 * moves the rest (`completeStagedExamples`).
 */
export async function finishChunk(dialect: Dialect, exec: SqlExecutor, jobId: string, stage: ImportStage, after: number): Promise<FinishedChunk> {
  let upto: number | null = null;
  if (dialect === "sqlite") {
    const [row] = await exec.all(...bind(dialect, SQL.sqlite.chunkEnd, { jobId, after, limit: FINISH_CHUNK }));
    const end = row?.upto ?? null;
    if (end === null) return { moved: 0, next: null };
    upto = Number(end);
  }
  const range = { jobId, after, upto };
  const moved = await exec.run(...bind(dialect, SQL[dialect][stage === "review" ? "finishReview" : "finish"], stage === "review" ? range : { ...range, stage }));
  return { moved, next: upto };
}

/**
 * Deletes up to `limit` examples of the job still importing, with everything hanging off them,
 * inside the caller's transaction on SQLite's writer connection (which checks no foreign keys:
 * nothing outside the import refers to its invisible examples, and a revision deleted with
 * foreign keys checked makes SQLite look for revisions based on it through a column with no
 * index, a scan of the table per row). Returns how many examples it deleted.
 */
export async function discardStagedSqlite(exec: SqlExecutor, jobId: string, limit: number): Promise<number> {
  const ids = await exec.all(...bind("sqlite", SQL.sqlite.staged, { jobId, limit }));
  if (ids.length === 0) return 0;
  const values = { ids: JSON.stringify(ids.map((row) => row.id)) };
  for (const statement of SQL.sqlite.discard!.split(";")) await exec.run(...bind("sqlite", statement.trim(), values));
  return ids.length;
}

/** PostgreSQL's type for a column read out of `json_to_recordset`, and the cast it needs. */
const POSTGRES_TYPES: Record<ColumnType, { record: string; cast: string }> = {
  text: { record: "text", cast: "" },
  utf8: { record: "text", cast: "" },
  int: { record: "int", cast: "" },
  float: { record: "double precision", cast: "" },
  bool: { record: "boolean", cast: "" },
  timestamp: { record: "text", cast: "::timestamp(3)" },
  json: { record: "text", cast: "::jsonb" },
};

/**
 * The statement inserting rows given as one JSON array of objects (`$1`) on PostgreSQL:
 * `INSERT INTO "T" (…) SELECT r."a", r."b"::jsonb, … FROM json_to_recordset($1::json) AS r(…)`.
 */
export function postgresInsert(table: string, columns: readonly Column[]): string {
  const names = columns.map((column) => `"${column.name}"`).join(", ");
  const selected = columns.map((column) => `r."${column.name}"${POSTGRES_TYPES[column.type].cast}`).join(", ");
  const record = columns.map((column) => `"${column.name}" ${POSTGRES_TYPES[column.type].record}`).join(", ");
  return `INSERT INTO "${table}" (${names}) SELECT ${selected} FROM json_to_recordset($1::json) AS r(${record})`;
}

/** The JSON parameter of {@link postgresInsert}: the rows as objects keyed by column name. */
export function postgresRows(columns: readonly Column[], rows: readonly SqlValue[][]): string {
  return JSON.stringify(rows.map((row) => Object.fromEntries(columns.map((column, index) => [column.name, row[index]]))));
}

/** SQLite's most bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
const SQLITE_MAX_PARAMETERS = 32_766;

/** Rows per multi-row insert on SQLite: as many as fit, at most 500. */
export function sqliteRowsPerInsert(columns: readonly Column[]): number {
  return Math.min(500, Math.floor(SQLITE_MAX_PARAMETERS / columns.length));
}

/** The statement inserting `count` rows on SQLite: `INSERT INTO "T" (…) VALUES (?, …), (?, …), …` ("utf8" columns: `CAST(? AS TEXT)`). */
export function sqliteInsert(table: string, columns: readonly Column[], count: number): string {
  const row = `(${columns.map((column) => (column.type === "utf8" ? "CAST(? AS TEXT)" : "?")).join(", ")})`;
  return `INSERT INTO "${table}" (${columns.map((column) => `"${column.name}"`).join(", ")}) VALUES ${Array(count).fill(row).join(", ")}`;
}

/** A value as SQLite takes it: booleans as 0 and 1 (better-sqlite3 binds no booleans). */
export function sqliteValue(value: SqlValue): string | number | null | Uint8Array {
  return typeof value === "boolean" ? (value ? 1 : 0) : value;
}
