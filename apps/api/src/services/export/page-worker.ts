/**
 * The work of one page of an export, as a worker thread of the export's pool
 * (`page-worker.worker.mjs`) or the exporting thread itself does it: build the records of
 * examples already read, or, on SQLite, first read the page from the database file through a
 * connection of the thread's own.
 *
 * That connection comes from the same copy of SQLite as Prisma's (see db/drivers.ts for why).
 * It only reads. (Preparing a page's statements afresh costs microseconds against the
 * milliseconds its reads take.)
 */
import { isMainThread } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import { SqliteDatabase } from "../../db/drivers.ts";
import { buildPage, loadTokenizer, type ExampleSource, type PackedPage, type RecordOptions } from "./records.ts";
import { assemblePage, pageQueries, Pseudonyms, type PageFilters, type PageRange, type Query } from "./source.ts";

/** One page's work; `scratch` is a block to write the page's lines into (see `buildPage`). */
export type PageTask = (
  | { kind: "sources"; sources: ExampleSource[] }
  | { kind: "range"; file: string; projectId: string; range: PageRange; filters: PageFilters }
) & { options: RecordOptions; scratch: Uint8Array | null };

/** How long a read waits for a writer's lock before failing (WAL readers rarely wait at all). */
const BUSY_TIMEOUT_MS = 60_000;

/**
 * The read connection's page cache (KiB). A page's reads walk each index once, in order, so
 * the cache only needs the indexes' upper levels; SQLite's default here (16 MB, as this copy of
 * SQLite is built) filled with pages never read again and cost an export 27 MB on two threads
 * (`npm run bench -- export.peak_rss`).
 */
const CACHE_KIB = 2 * 1024;

/**
 * A worker thread's read connection, per database file, kept for the thread's life (it closes
 * with the thread), and its pseudonyms per project. The main thread (small exports, done in
 * place) opens a connection per page instead, so that concurrent exports never share one.
 */
const connections = new Map<string, BetterSqlite3.Database>();
const pseudonyms = new Map<string, Pseudonyms>();

function openConnection(file: string): BetterSqlite3.Database {
  const connection = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  connection.pragma(`cache_size = -${CACHE_KIB}`);
  return connection;
}

/** Reads a page from the SQLite file, its queries in one read transaction. */
function readFromFile(file: string, projectId: string, range: PageRange, filters: PageFilters): ExampleSource[] {
  if (isMainThread) {
    const connection = openConnection(file);
    try {
      return readWith(connection, projectId, range, filters, new Pseudonyms(projectId));
    } finally {
      connection.close();
    }
  }
  let connection = connections.get(file);
  if (connection === undefined) {
    connection = openConnection(file);
    connections.set(file, connection);
  }
  let names = pseudonyms.get(projectId);
  if (names === undefined) {
    names = new Pseudonyms(projectId);
    pseudonyms.set(projectId, names);
  }
  return readWith(connection, projectId, range, filters, names);
}

/** Runs a page's three queries in one read transaction (so that they see one state of the database) and assembles the page. */
function readWith(connection: BetterSqlite3.Database, projectId: string, range: PageRange, filters: PageFilters, names: Pseudonyms): ExampleSource[] {
  const queries = pageQueries("sqlite", projectId, range, filters);
  const all = (query: Query) => connection.prepare(query.sql).all(...query.args) as Record<string, unknown>[];
  const rows = connection.transaction(() => {
    const examples = all(queries.examples);
    if (examples.length === 0) return { examples, participations: [], events: [] };
    return { examples, participations: all(queries.participations), events: all(queries.events) };
  })();
  return assemblePage(rows, names);
}

/** Does one page's work and returns its records, in id order, packed. */
export async function runPageTask(task: PageTask): Promise<PackedPage> {
  const tokenizer = await loadTokenizer(task.options);
  const sources = task.kind === "sources" ? task.sources : readFromFile(task.file, task.projectId, task.range, task.filters);
  return buildPage(sources, task.options, tokenizer, task.scratch);
}
