/**
 * Where an import's batches are written, and its staged examples deleted when it fails, per
 * database: on SQLite a writer thread with its own connection (see sqlite-writer.ts for why), on
 * PostgreSQL the Prisma client's raw queries, one transaction per batch. Either way the same
 * {@link BatchWriter} statements run, one task at a time and in order, so that each batch sees
 * the source ids of the batches before it.
 */
import { IMPORTING_STAGE } from "@prealign/core";
import { Piscina } from "piscina";
import type { Db, Prisma } from "../../db/database.ts";
import { providerOf, sqliteFileOf } from "../../db/drivers.ts";
import type { JobStateWriter } from "../jobs.ts";
import { BatchWriter, finishChunk, postgresInsert, postgresRows, type BatchWritten, type ImportSummary, type ImportTarget, type SqlExecutor } from "./bulk.ts";
import { unpackExamples } from "./batch.ts";
import type { ImportStage } from "./parse.ts";
import type { WriterTask } from "./sqlite-writer.ts";

/** Writes one import's batches, in order. */
export interface BulkWriter {
  /** Writes one batch, packed by `packExamples` (and transferred: the buffer is unusable afterwards), in one transaction. */
  write(examples: Uint8Array): Promise<BatchWritten>;
  /** Records the audit event and gives the job's examples their stage (see `finishChunk`); returns how many it moved. */
  finish(summary: ImportSummary): Promise<number>;
  /**
   * Writes the import job's progress and heartbeat between batches, on the writer's own
   * connection (SQLite only: see `JobRun.writeStateWith`); absent where the job's Prisma client
   * should write them.
   */
  writeJobState?: JobStateWriter;
  /** Lets go of the connection or thread. */
  close(): Promise<void>;
}

/** How long one batch's transaction may take on PostgreSQL. */
const BATCH_TIMEOUT_MS = 120_000;

/** How long the final UPDATE may take on PostgreSQL (a million rows take seconds). */
const FINISH_TIMEOUT_MS = 30 * 60_000;

/** Raw queries of a Prisma transaction; rows are inserted through one JSON parameter each (see bulk.ts). */
function prismaExecutor(tx: Prisma.TransactionClient): SqlExecutor {
  return {
    checksForeignKeys: true,
    all: (sql, args) => tx.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...args),
    run: (sql, args) => tx.$executeRawUnsafe(sql, ...args),
    insert: async (table, columns, rows) => {
      await tx.$executeRawUnsafe(postgresInsert(table, columns), postgresRows(columns, rows));
    },
  };
}

/** The SQLite writer thread: one that never idles out, for it holds the connection (and the writer's state) between tasks. */
function writerThread(): Piscina<WriterTask, unknown> {
  return new Piscina<WriterTask, unknown>({
    filename: new URL("./write.worker.mjs", import.meta.url).href,
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: Number.MAX_SAFE_INTEGER,
  });
}

/** Staged examples the PostgreSQL clean-up deletes per transaction, so that no transaction holds the database for long. */
const DISCARD_CHUNK = 5_000;

/**
 * Deletes the examples of the import job `jobId` still importing, with their revisions,
 * participations and grader reports: on SQLite on a writer thread (see sqlite-writer.ts), on
 * PostgreSQL through Prisma; a chunk at a time either way (they are invisible, so a clean-up cut
 * short shows nothing, and the next recovery finishes it). Returns how many examples it deleted.
 */
export async function discardStagedExamples(db: Db, jobId: string): Promise<number> {
  if (providerOf(db) === "sqlite") {
    const file = await sqliteFileOf(db);
    const pool = writerThread();
    try {
      return (await pool.run({ kind: "discard", file, jobId })) as number;
    } finally {
      await pool.destroy();
    }
  }
  let deleted = 0;
  for (;;) {
    const chunk = await db.example.findMany({ where: { importJobId: jobId, stage: IMPORTING_STAGE }, select: { id: true }, take: DISCARD_CHUNK });
    if (chunk.length === 0) return deleted;
    const ids = chunk.map((example) => example.id);
    await db.$transaction(
      async (tx) => {
        await tx.graderReport.deleteMany({ where: { exampleId: { in: ids } } });
        await tx.participation.deleteMany({ where: { exampleId: { in: ids } } });
        // Deleting a revision clears its example's head (ON DELETE SET NULL), so the examples go last.
        await tx.revision.deleteMany({ where: { exampleId: { in: ids } } });
        await tx.example.deleteMany({ where: { id: { in: ids } } });
      },
      { timeout: FINISH_TIMEOUT_MS, maxWait: BATCH_TIMEOUT_MS },
    );
    deleted += ids.length;
  }
}

/**
 * Gives the examples of the import job `jobId` still importing the stage `stage`: what an import
 * whose last step had begun (its audit event committed) left when its process stopped before
 * moving them all (see `finishChunk`). On SQLite on a writer thread, a chunk per transaction;
 * on PostgreSQL, where the last step is one transaction, there is never anything left, but the
 * same statement runs. Returns how many examples it moved.
 */
export async function completeStagedExamples(db: Db, jobId: string, stage: ImportStage): Promise<number> {
  if (providerOf(db) === "sqlite") {
    const file = await sqliteFileOf(db);
    const pool = writerThread();
    try {
      return (await pool.run({ kind: "complete", file, jobId, stage })) as number;
    } finally {
      await pool.destroy();
    }
  }
  return (await db.$transaction((tx) => finishChunk("postgresql", prismaExecutor(tx), jobId, stage, 0), { timeout: FINISH_TIMEOUT_MS, maxWait: BATCH_TIMEOUT_MS })).moved;
}

/** Opens the writer for `target` on the database `db` talks to. */
export async function openBulkWriter(db: Db, target: ImportTarget): Promise<BulkWriter> {
  if (providerOf(db) === "postgresql") {
    const writer = new BatchWriter("postgresql", target);
    return {
      write: (examples) => db.$transaction((tx) => writer.write(prismaExecutor(tx), unpackExamples(examples, "strings")), { timeout: BATCH_TIMEOUT_MS, maxWait: BATCH_TIMEOUT_MS }),
      finish: async (summary) => (await db.$transaction((tx) => writer.finish(prismaExecutor(tx), summary), { timeout: FINISH_TIMEOUT_MS, maxWait: BATCH_TIMEOUT_MS })).moved,
      close: async () => {},
    };
  }
  const file = await sqliteFileOf(db);
  const pool = writerThread();
  try {
    await pool.run({ kind: "open", file, target });
  } catch (error) {
    await pool.destroy();
    throw error;
  }
  return {
    write: (examples) => pool.run({ kind: "write", examples }, { transferList: [examples.buffer as ArrayBuffer] }) as Promise<BatchWritten>,
    finish: (summary) => pool.run({ kind: "finish", summary }) as Promise<number>,
    writeJobState: (id, state) => pool.run({ kind: "jobState", id, state }) as Promise<{ cancelRequested: boolean }>,
    close: async () => {
      try {
        await pool.run({ kind: "close" });
      } finally {
        await pool.destroy();
      }
    },
  };
}
