/**
 * The SQLite side of an import's writes, run on a worker thread of its own (write.worker.mjs)
 * with its own better-sqlite3 connection to the database file.
 *
 * Why a thread: better-sqlite3 runs every statement synchronously, and an import's batches
 * (tens of megabytes of text a second) and its final UPDATE would hold the event loop of the
 * process that runs them, the web server included. Why its own connection: handing each batch
 * through Prisma's raw queries costs more than SQLite's own work (the query compiler copies every
 * parameter), which alone would keep an import under its goal of 20,000 examples a second. Each
 * task is one transaction begun with `BEGIN IMMEDIATE` (the last step, several: see
 * `moveChunks`), so it holds SQLite's one write lock from the start; the server's connection
 * waits for it through its busy timeout (a batch takes tens of milliseconds, a chunk of the last
 * step 0.1–0.35 s), and this connection waits in the same way for the server's.
 *
 * The connection checks no foreign keys: every row an import inserts refers to rows read at its
 * start or inserted in the same transaction, so the checks would only cost time (an example
 * and its head revision point at each other, which checked keys would make two steps), and
 * deleting staged revisions with checked keys makes SQLite look, per revision, for revisions
 * based on it through a column with no index. Tests run `PRAGMA foreign_key_check` afterwards.
 *
 * The connection comes from the same copy of SQLite as Prisma's (see db/drivers.ts for why).
 */
import type BetterSqlite3 from "better-sqlite3";
import { SqliteDatabase } from "../../db/drivers.ts";
import type { JobState } from "../jobs.ts";
import { BatchWriter, discardStagedSqlite, finishChunk, sqliteInsert, sqliteRowsPerInsert, sqliteValue, timestamp, type ImportSummary, type ImportTarget, type SqlExecutor } from "./bulk.ts";
import { unpackExamples } from "./batch.ts";
import type { ImportStage } from "./parse.ts";

/** What the writer thread is asked to do, one task at a time, in order. */
export type WriterTask =
  | { kind: "open"; file: string; target: ImportTarget }
  | { kind: "write"; examples: Uint8Array }
  | { kind: "finish"; summary: ImportSummary }
  | { kind: "jobState"; id: string; state: JobState }
  | { kind: "close" }
  | { kind: "discard"; file: string; jobId: string }
  | { kind: "complete"; file: string; jobId: string; stage: ImportStage };

/** How long a statement waits for another connection's write lock before failing. */
const BUSY_TIMEOUT_MS = 60_000;

/** This connection's page cache (KiB): room for the indexes that every batch updates. */
const CACHE_KIB = 64 * 1024;

/**
 * How far this connection lets the write-ahead log grow before its commit copies the pages into
 * the database file (SQLite's default is 1,000 pages: 4 MB of 4 KB pages). A batch rewrites the
 * same index pages again and again; copying them once per 64 MB instead of once per 4 MB saves
 * most of that work: a profile of an import put a third of this thread's time in its commits,
 * and 200,000-line imports ran at 19,600–20,100 lines/s instead of 16,400–18,800 (`npm run bench
 * -- import.throughput` with IMPORT_BENCH_LINES=200000). SQLite counts it in pages of the file's size.
 */
const WAL_AUTOCHECKPOINT_BYTES = 64 * 2 ** 20;

/**
 * How long SQLite's busy handler (what `busy_timeout` installs, on Prisma's connection as on
 * this one) sleeps before a waiting connection tries the write lock again, by how long it has
 * waited: `sqliteDefaultBusyCallback` sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 ms, then
 * 100 ms at a time.
 */
const BUSY_SLEEPS = [
  { after: 0, sleep: 1 },
  { after: 1, sleep: 2 },
  { after: 3, sleep: 5 },
  { after: 8, sleep: 10 },
  { after: 18, sleep: 15 },
  { after: 33, sleep: 20 },
  { after: 53, sleep: 25 },
  { after: 128, sleep: 50 },
  { after: 228, sleep: 100 },
] as const;

/** What a pause adds to the longest sleep it waits out, for timers that fire late. */
const PAUSE_MARGIN_MS = 10;

/**
 * How long the last step of an import leaves the write lock free after a chunk that held it for
 * `heldMs` (see `moveChunks`, which counts the chunk's wait for the lock in it): long enough for
 * every connection that began to wait during the chunk to try again, however late in the chunk
 * it began. The one that began with it waited longest, and sleeps longest (the busy handler's
 * sleeps only grow): 35 ms after a chunk of 80 ms, 60 ms after one of 128–228 ms, 110 ms after a
 * longer one. The last step of a million-line import (50 chunks of 130–230 ms on a loaded day)
 * took 11.3–11.4 s so, against 13.1 s with a fixed pause of 100 ms.
 *
 * A connection that began to wait before the chunk (it lost the lock to a third one during the
 * pause before) may be on sleeps of 100 ms and miss a shorter pause; it gets in at a later one,
 * each of which it catches more often than not, long before its busy timeout (Prisma's: 5 s).
 */
export function chunkPauseMs(heldMs: number): number {
  const { sleep } = BUSY_SLEEPS.findLast((step) => step.after <= heldMs)!;
  return sleep + PAUSE_MARGIN_MS;
}

/** Staged examples a discard deletes per transaction, so that it never holds the write lock for long. */
const DISCARD_CHUNK = 5_000;

interface Connection {
  connection: BetterSqlite3.Database;
  statements: Map<string, BetterSqlite3.Statement>;
}

interface Session extends Connection {
  writer: BatchWriter;
}

let session: Session | null = null;

/** Opens the database file for an import's writes (see the top of this file). */
function connect(file: string): Connection {
  const connection = new SqliteDatabase(file, { timeout: BUSY_TIMEOUT_MS });
  connection.pragma("foreign_keys = OFF");
  connection.pragma(`cache_size = -${CACHE_KIB}`);
  const pageSize = connection.pragma("page_size", { simple: true }) as number;
  connection.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_BYTES / pageSize}`);
  return { connection, statements: new Map() };
}

function executor(current: Connection): SqlExecutor {
  const prepared = (sql: string): BetterSqlite3.Statement => {
    let statement = current.statements.get(sql);
    if (!statement) {
      statement = current.connection.prepare(sql);
      current.statements.set(sql, statement);
    }
    return statement;
  };
  return {
    checksForeignKeys: false,
    all: async (sql, args) => prepared(sql).all(...args.map(sqliteValue)) as Record<string, unknown>[],
    run: async (sql, args) => prepared(sql).run(...args.map(sqliteValue)).changes,
    insert: async (table, columns, rows) => {
      const perInsert = sqliteRowsPerInsert(columns);
      for (let start = 0; start < rows.length; start += perInsert) {
        const chunk = rows.slice(start, start + perInsert);
        const args: ReturnType<typeof sqliteValue>[] = [];
        for (const row of chunk) for (const value of row) args.push(sqliteValue(value));
        prepared(sqliteInsert(table, columns, chunk.length)).run(...args);
      }
    },
  };
}

/**
 * Runs `work` in one immediate transaction, rolled back if it throws. `durable` commits with
 * a sync to disk: the batches need not (a batch lost to a power cut is one of an import that did
 * not finish, whose staged rows the recovery deletes), the final step must.
 *
 * Why that is enough: in WAL mode a commit at `synchronous = NORMAL` writes the transaction to
 * the log without syncing it (a power cut may lose the last transactions, never the file's
 * consistency); one at `FULL` syncs the log before it returns, and that sync covers every batch
 * still in the log, whichever commit wrote it. A batch already copied into the database file was
 * synced there by the checkpoint that copied it, before the log could be reused (SQLite syncs the
 * database file after a checkpoint at NORMAL and FULL; no connection of the studio runs at OFF).
 * So once the `finish` task's first transaction (the audit event) has committed, the import
 * survives a power cut: the chunks after it are synced by the next FULL commit (the job's end,
 * recorded through Prisma), or, if the power goes first, moved again by the recovery.
 */
async function inTransaction<T>(current: Connection, durable: boolean, work: (exec: SqlExecutor) => Promise<T>): Promise<T> {
  current.connection.pragma(`synchronous = ${durable ? "FULL" : "NORMAL"}`);
  current.connection.exec("BEGIN IMMEDIATE");
  try {
    const result = await work(executor(current));
    current.connection.exec("COMMIT");
    return result;
  } catch (error) {
    if (current.connection.inTransaction) current.connection.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Moves the job's examples still importing to their stage, a chunk of rowids after `after` per
 * transaction, until none is left (none when `after` is null; from the first when it is 0);
 * returns how many it moved. The chunks need no sync to disk: the import is complete once its
 * audit event has committed, and the recovery moves whatever a power cut lost. With `heartbeat`
 * (the import's own last step, during which this thread does nothing else) each chunk also
 * says that the job is alive.
 */
async function moveChunks(current: Connection, jobId: string, stage: ImportStage, after: number | null, heartbeat: boolean): Promise<number> {
  let moved = 0;
  // The transaction before the first pause (the audit event's, in the `finish` task) is not timed here: its pause is the longest.
  let held = Infinity;
  for (let next = after; next !== null; ) {
    // After each transaction of the step (the audit event's, or a chunk's): without a pause, a
    // connection waiting for the write lock would find it taken by the next chunk every time.
    if (next !== 0) await new Promise((resolve) => setTimeout(resolve, chunkPauseMs(held)));
    const began = performance.now();
    const from = next;
    const chunk = await inTransaction(current, false, async (exec) => {
      if (heartbeat) await exec.run(`UPDATE "Job" SET "heartbeatAt" = ? WHERE id = ?`, [timestamp("sqlite", new Date()), jobId]);
      return finishChunk("sqlite", exec, jobId, stage, from);
    });
    held = performance.now() - began;
    moved += chunk.moved;
    next = chunk.next;
  }
  return moved;
}

function open(): Session {
  if (!session) throw new Error("The import writer was not opened");
  return session;
}

/**
 * Runs one task of the writer thread. A failure is thrown as a plain `Error` with the driver's
 * message: better-sqlite3's own error class does not survive the trip back to the main thread.
 */
export async function runWriterTask(task: WriterTask): Promise<unknown> {
  try {
    return await runTask(task);
  } catch (error) {
    throw new Error(error instanceof Error ? error.message : String(error));
  }
}

async function runTask(task: WriterTask): Promise<unknown> {
  switch (task.kind) {
    case "open": {
      session = { ...connect(task.file), writer: new BatchWriter("sqlite", task.target) };
      return null;
    }
    case "write": {
      const current = open();
      const examples = unpackExamples(task.examples, "bytes");
      return inTransaction(current, false, (exec) => current.writer.write(exec, examples));
    }
    case "finish": {
      // The audit event and the first chunk, then the other chunks, each a transaction (see `finishChunk`).
      const current = open();
      const first = await inTransaction(current, true, (exec) => current.writer.finish(exec, task.summary));
      return first.moved + (await moveChunks(current, current.writer.jobId, task.summary.stage, first.next, true));
    }
    case "jobState": {
      // Between batches, as a transaction of its own that needs no sync to disk (see `inTransaction`): a heartbeat lost to a power cut is of a job that did not finish.
      const current = open();
      const row = await inTransaction(current, false, async (exec) => {
        const rows = await exec.all(`UPDATE "Job" SET done = ?, total = ?, "heartbeatAt" = ? WHERE id = ? RETURNING "cancelRequested"`, [
          task.state.done,
          task.state.total,
          timestamp("sqlite", task.state.heartbeatAt),
          task.id,
        ]);
        return rows[0];
      });
      return { cancelRequested: Boolean(row?.cancelRequested) };
    }
    case "close": {
      session?.connection.close();
      session = null;
      return null;
    }
    case "complete": {
      const current = connect(task.file);
      try {
        return await moveChunks(current, task.jobId, task.stage, 0, false);
      } finally {
        current.connection.close();
      }
    }
    case "discard": {
      const current = connect(task.file);
      try {
        let deleted = 0;
        for (let chunk = DISCARD_CHUNK; chunk === DISCARD_CHUNK; ) {
          chunk = await inTransaction(current, true, (exec) => discardStagedSqlite(exec, task.jobId, DISCARD_CHUNK));
          deleted += chunk;
        }
        return deleted;
      } finally {
        current.connection.close();
      }
    }
  }
}
