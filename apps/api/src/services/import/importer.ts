/**
 * Importing a JSONL file of candidate examples into a project (SPEC §6, issue 8), as a job:
 * every line checked with the core, the valid ones written in batched transactions, the
 * rejected ones copied to a rejects file with their reasons, lines whose source id the project
 * already has skipped and reported. Built for a million lines of a model-written pipeline: the
 * file is streamed in batches (memory stays bounded whatever its size, see lines.ts), lines are
 * read on worker threads (batch.ts) while the previous batch is written (writer.ts, bulk.ts).
 *
 * Atomic in effect: the examples are inserted in the stage `importing`, linked to the job,
 * which no list or queue shows; the last step records the import's audit event and gives them
 * their stage (on SQLite a chunk at a time: see `finishChunk` in bulk.ts). When the import
 * fails, is cancelled, or its process dies before that event, the clean-up registered here for
 * "import" jobs deletes the job's examples still importing (with their revisions,
 * participations and grader reports), the scenarios it added that nothing uses, and its
 * half-written rejects file, so that nothing of it is left and the next run starts clean.
 *
 * Importing this module registers that clean-up, which `recoverJobs` needs: a process that
 * recovers jobs imports it first.
 *
 * Imported examples are created by a system user, "Importer" (importer@prealign.invalid,
 * disabled, with no usable password), not by the admin who runs the import, so that the admin
 * may still review and adjudicate them. Their first revision is marked model-drafted.
 */
import { open, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import type { Db, Prisma } from "../../db/database.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { InvalidInputError, NotFoundError } from "../../errors.ts";
import { registerJobCleanup, updateJobParams, type CompletedWork, type JobRun, type UnfinishedJob } from "../jobs.ts";
import { readProjectSettings } from "../project-settings.ts";
import type { BatchTask, PackedBatchOutcome } from "./batch.ts";
import { CREATED_SCENARIOS_PARAM, type SkippedLine } from "./bulk.ts";
import { BATCH_LIMITS, readBatches, type RawBatch } from "./lines.ts";
import type { ImportStage } from "./parse.ts";
import { completeStagedExamples, discardStagedExamples, openBulkWriter, type BulkWriter } from "./writer.ts";

export { IMPORT_STAGES, parseImportLine, type ImportStage } from "./parse.ts";

/** The system user who creates imported examples. */
export const IMPORTER_EMAIL = "importer@prealign.invalid";

/** The importer's password hash: not a PHC string, so that no password ever matches it. */
const UNUSABLE_PASSWORD_HASH = "!";

/** The unit of an import job's progress (`done` and `total`): kibibytes of the file read. */
export const IMPORT_PROGRESS_UNIT = "KiB";

/** How many skipped source ids and rejections a report lists (the rejects file has them all). */
export const REPORT_LIST_LENGTH = 20;

/** Job params key naming the rejects file being written, for the clean-up. */
const REJECTS_TEMP_PARAM = "rejectsTemp";

/** What to import, and as which job. */
export interface ImportOptions {
  /** The project the examples go to. */
  projectId: string;
  /** The stage they are given (`accepted` also refuses uncommented marks). */
  stage: ImportStage;
  /** The JSONL file to read: one JSON object per line (SPEC §6). */
  file: string;
  /**
   * Where rejected lines are written, one JSON object per line: the original line with `"error"`
   * and `"line"` added (see batch.ts). Written only when a line is rejected; an older file at
   * this path is replaced then, and removed when nothing is rejected, so that it always belongs
   * to the latest import.
   */
  rejectsFile: string;
  /** The job the import runs as (`startJob(db, { kind: "import", … })`); progress is in {@link IMPORT_PROGRESS_UNIT}. */
  run: JobRun;
}

/** What an import did: the job's result, and what `studio import` prints. */
export type ImportReport = {
  /** Lines read (blank lines are ignored and not counted). */
  lines: number;
  /** Examples created. */
  imported: number;
  /** Lines skipped because their source id was already in the project or earlier in the file. */
  skipped: number;
  /** Lines rejected (each is in the rejects file with its reason). */
  rejected: number;
  /** The rejects file, or null when nothing was rejected (no file is left then). */
  rejectsFile: string | null;
  /** The first {@link REPORT_LIST_LENGTH} skipped source ids, in file order. */
  skippedSourceIds: string[];
  /** The first {@link REPORT_LIST_LENGTH} rejections, in file order. */
  rejections: { line: number; reason: string }[];
};

/** The file to import or the rejects file cannot be used (missing, unreadable, not UTF-8, not writable). */
export class ImportFileError extends InvalidInputError {}

/** The default rejects file of an import file: `FILE.jsonl` → `FILE.rejects.jsonl` (SPEC §6). */
export function defaultRejectsFile(file: string): string {
  return file.toLowerCase().endsWith(".jsonl") ? `${file.slice(0, -".jsonl".length)}.rejects.jsonl` : `${file}.rejects.jsonl`;
}

/** A file-system failure in words: "no such file", "permission denied". */
function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or folder";
  if (code === "EISDIR") return "it is a folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOSPC") return "the disk is full";
  if (code === "EROFS") return "the file system is read-only";
  return (error as Error).message;
}

/** The size of the file to import; refuses one that is missing or not a file. */
async function inputSize(file: string): Promise<number> {
  let stats;
  try {
    stats = await stat(file);
  } catch (error) {
    throw new ImportFileError(`Cannot read ${file}: ${fileProblem(error)}.`);
  }
  if (!stats.isFile()) throw new ImportFileError(`Cannot read ${file}: it is not a file.`);
  return stats.size;
}

/** The batches of the file, with read failures (permissions, I/O errors) as {@link ImportFileError}. */
async function* fileBatches(file: string): AsyncGenerator<RawBatch> {
  try {
    yield* readBatches(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    throw new ImportFileError(`Cannot read ${file}: ${fileProblem(error)}.`);
  }
}

/**
 * The rejects file being written: a temporary file beside the target, renamed onto it when the
 * import completes with rejections, and deleted otherwise.
 */
class RejectsFile {
  readonly target: string;
  readonly temp: string;
  readonly #handle: FileHandle;

  private constructor(target: string, temp: string, handle: FileHandle) {
    this.target = target;
    this.temp = temp;
    this.#handle = handle;
  }

  /** Opens the temporary file; refuses a target that is a folder or cannot be written. */
  static async open(target: string, jobId: string): Promise<RejectsFile> {
    const existing = await stat(target).catch(() => null);
    if (existing?.isDirectory()) throw new ImportFileError(`Cannot write the rejects file ${target}: it is a folder.`);
    const temp = `${target}.${jobId}.partial`;
    try {
      return new RejectsFile(target, temp, await open(temp, "w"));
    } catch (error) {
      throw new ImportFileError(`Cannot write the rejects file ${target}: ${fileProblem(error)}.`);
    }
  }

  /** Appends lines (each without its line break). */
  async write(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    try {
      await this.#handle.write(lines.join("\n") + "\n");
    } catch (error) {
      throw new ImportFileError(`Cannot write the rejects file ${this.target}: ${fileProblem(error)}.`);
    }
  }

  /** Puts the file in place (when `keep`) or removes it and any older file at the target. */
  async finish(keep: boolean): Promise<void> {
    try {
      await this.#handle.close();
      if (keep) await rename(this.temp, this.target);
      else await Promise.all([rm(this.temp, { force: true }), rm(this.target, { force: true })]);
    } catch (error) {
      throw new ImportFileError(`Cannot write the rejects file ${this.target}: ${fileProblem(error)}.`);
    }
  }

  /** Removes the temporary file (the import failed). */
  async discard(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}

/** The system user who creates imported examples, created on first use. */
export async function importerUserId(db: Db): Promise<string> {
  const existing = await db.user.findUnique({ where: { email: IMPORTER_EMAIL }, select: { id: true } });
  if (existing) return existing.id;
  try {
    const created = await db.user.create({
      data: { email: IMPORTER_EMAIL, name: "Importer", passwordHash: UNUSABLE_PASSWORD_HASH, disabledAt: new Date() },
      select: { id: true },
    });
    return created.id;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return (await db.user.findUniqueOrThrow({ where: { email: IMPORTER_EMAIL }, select: { id: true } })).id;
  }
}

function asObject(value: Prisma.JsonValue | undefined): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Ignores a rejection now; whoever awaits the promise later still sees it. */
function settled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Imports `file` into the project as the job `run` (see {@link ImportOptions}) and returns the
 * report, which `runJob` stores as the job's result. Throws {@link ImportFileError} when the
 * file cannot be read or is not UTF-8 (naming the line) or the rejects file cannot be written,
 * `NotFoundError` for an unknown project, and `JobCancelledError` when the job is asked to stop.
 * Whatever it throws before its last step commits the audit event, nothing of the import is
 * visible, and `runJob` (or `recoverJobs`) deletes what it had staged; after that, the import
 * is complete, and they give the examples left their stage and record it as succeeded.
 */
export async function importFile(db: Db, options: ImportOptions): Promise<ImportReport> {
  const { projectId, stage, file, run } = options;
  const project = await db.project.findUnique({ where: { id: projectId }, select: { settings: true } });
  if (!project) throw new NotFoundError("There is no such project; import into an existing project.");
  const parseOptions = { stage, unalignedQuotes: readProjectSettings(project.settings).unalignedQuotes };
  const [job, guideline, importerId, size] = await Promise.all([
    db.job.findUniqueOrThrow({ where: { id: run.id }, select: { params: true, createdById: true, createdAt: true } }),
    db.guideline.findFirst({ where: { projectId }, orderBy: { version: "desc" }, select: { version: true } }),
    importerUserId(db),
    inputSize(file),
  ]);
  const rejects = await RejectsFile.open(options.rejectsFile, run.id);
  const jobParams = { ...asObject(job.params), [REJECTS_TEMP_PARAM]: rejects.temp };
  let writer: BulkWriter | null = null;
  const threads = Math.max(1, availableParallelism() - 1);
  const parser = new Piscina<BatchTask, PackedBatchOutcome>({ filename: new URL("./parse.worker.mjs", import.meta.url).href, minThreads: 1, maxThreads: threads });
  let writing: Promise<unknown> = Promise.resolve();
  try {
    await updateJobParams(db, run.id, jobParams as Prisma.InputJsonValue);
    writer = await openBulkWriter(db, { projectId, jobId: run.id, jobParams, importerId, guidelineVersion: guideline?.version ?? null });
    if (writer.writeJobState) await run.writeStateWith(writer.writeJobState);
    const kib = (bytes: number) => Math.ceil(bytes / 1024);
    run.progress(0, kib(size));
    const totals = { lines: 0, imported: 0, skipped: 0, rejected: 0 };
    const skippedSourceIds: string[] = [];
    const rejections: ImportReport["rejections"] = [];
    const noteSkips = (skips: readonly SkippedLine[]) => {
      totals.skipped += skips.length;
      for (const skip of skips) if (skippedSourceIds.length < REPORT_LIST_LENGTH) skippedSourceIds.push(skip.sourceId);
    };

    /** Takes one read batch: its rejections to the rejects file, its examples to the writer once the previous batch is written. */
    const take = async (outcome: PackedBatchOutcome, bytesRead: number): Promise<void> => {
      if (outcome.invalidUtf8Line !== null) {
        throw new ImportFileError(
          `${file} is not UTF-8 text: line ${outcome.invalidUtf8Line} holds bytes that are not UTF-8. Save the file as UTF-8 and import it again; nothing was imported.`,
        );
      }
      totals.lines += outcome.lines;
      totals.rejected += outcome.rejections.length;
      for (const { line, reason } of outcome.rejections) if (rejections.length < REPORT_LIST_LENGTH) rejections.push({ line, reason });
      await rejects.write(outcome.rejections.map((rejection) => rejection.reject));
      await writing;
      run.checkpoint();
      // The examples go to the writer as the worker packed them: this thread never reads them.
      writing = settled(
        writer!.write(outcome.examples).then((written) => {
          totals.imported += written.imported;
          noteSkips(written.skipped);
          run.progress(kib(bytesRead));
        }),
      );
    };

    // Batches being read on the workers, oldest first: two more than the threads, so that the
    // workers have the next batches at hand while this thread waits for the writer.
    const reading: { outcome: Promise<PackedBatchOutcome>; bytesRead: number }[] = [];
    for await (const batch of fileBatches(file)) {
      const task: BatchTask = { bytes: batch.bytes, firstLine: batch.firstLine, overLong: batch.overLong, maxLineBytes: BATCH_LIMITS.maxLineBytes, options: parseOptions };
      reading.push({ outcome: settled(parser.run(task, { transferList: [batch.bytes.buffer as ArrayBuffer] })), bytesRead: batch.bytesRead });
      while (reading.length > threads + 1) {
        const next = reading.shift()!;
        await take(await next.outcome, next.bytesRead);
      }
    }
    for (const next of reading.splice(0)) await take(await next.outcome, next.bytesRead);
    await writing;
    run.checkpoint();

    await rejects.finish(totals.rejected > 0);
    const rejectsFile = totals.rejected > 0 ? options.rejectsFile : null;
    try {
      await writer.finish({
        stage,
        actorId: job.createdById,
        data: { file, ...totals, rejectsFile },
      });
    } catch (error) {
      // Past its audit event the import is complete, rejects file included (the job's clean-up moves the examples left).
      const complete = (await finishedImport(db, { id: run.id, projectId, createdAt: job.createdAt, params: job.params })) !== null;
      if (rejectsFile !== null && !complete) await rm(rejectsFile, { force: true });
      throw error;
    }
    run.progress(kib(size));
    return { ...totals, rejectsFile, skippedSourceIds, rejections };
  } catch (error) {
    await writing.catch(() => undefined);
    await rejects.discard();
    throw error;
  } finally {
    await parser.destroy();
    await run.writeStateWith(null);
    await writer?.close();
  }
}

/**
 * Deletes what an unfinished import left: its examples still importing and everything hanging
 * off them (see {@link discardStagedExamples}), the scenarios it added that no example uses, and
 * its temporary rejects file. An import whose last step had committed its audit event is
 * complete even when its process stopped before recording the job's end, or, on SQLite, before
 * giving all its examples their stage (see `finishChunk`): the rest are given it here, and the
 * report is read back from that event.
 */
async function cleanUpImport(db: Db, job: UnfinishedJob): Promise<CompletedWork | void> {
  const finished = await finishedImport(db, job);
  if (finished !== null) {
    await completeStagedExamples(db, job.id, finished.stage);
    return { result: finished.report };
  }
  const params = asObject(job.params);
  await discardStagedExamples(db, job.id);
  const created = params[CREATED_SCENARIOS_PARAM];
  if (Array.isArray(created)) {
    const ids = created.filter((id): id is string => typeof id === "string");
    for (let start = 0; start < ids.length; start += 1000) {
      await db.scenario.deleteMany({ where: { id: { in: ids.slice(start, start + 1000) }, examples: { none: {} } } });
    }
  }
  const temp = params[REJECTS_TEMP_PARAM];
  if (typeof temp === "string") await rm(temp, { force: true });
}

/**
 * The stage and report of `job` when its last step committed its `example.import` audit event
 * (whose data holds the job's id and counts); the lists of skipped ids and rejections are not
 * kept there (the rejects file has every rejection). Null when the import did not get that far.
 */
async function finishedImport(db: Db, job: UnfinishedJob): Promise<{ stage: ImportStage; report: ImportReport } | null> {
  const events = await db.auditEvent.findMany({
    where: { projectId: job.projectId, action: "example.import", createdAt: { gte: job.createdAt } },
    select: { data: true, to: true },
  });
  const event = events.map((candidate) => ({ stage: candidate.to, data: asObject(candidate.data) })).find((candidate) => candidate.data.jobId === job.id);
  if (event === undefined) return null;
  const { data } = event;
  const report: ImportReport = {
    lines: Number(data.lines),
    imported: Number(data.imported),
    skipped: Number(data.skipped),
    rejected: Number(data.rejected),
    rejectsFile: typeof data.rejectsFile === "string" ? data.rejectsFile : null,
    skippedSourceIds: [],
    rejections: [],
  };
  return { stage: event.stage as ImportStage, report };
}

registerJobCleanup("import", cleanUpImport);
