/**
 * Export snapshots (SPEC §5): a project's accepted examples written as a folder an ML engineer
 * loads with no custom code — `README.md` (dataset card), `manifest.json`, `grammar.json` and
 * `data/{split}-{i}-of-{n}.{jsonl,parquet}` — run as a background job.
 *
 * - Streaming: examples are read a page (a range of ids) at a time (`source.ts`) and their
 *   records built (`records.ts`), on worker threads for large exports (`page-worker.ts`), then
 *   appended to the JSONL shards of their split strictly in page order, so that records are
 *   sorted by id in every shard; memory stays bounded whatever the size. Parquet shards are
 *   written by DuckDB from the JSONL shards once all are complete (`parquet.ts`).
 * - Deterministic: the same accepted examples give byte-identical shards, card and
 *   `grammar.json`; the manifest differs only in its creation time (see `snapshots.ts` for the
 *   previous snapshot it compares with).
 * - Atomic: everything is written into `<outDir>.tmp-<job id>` beside the output folder, which
 *   is renamed to `outDir` only when complete, and only then recorded as a Snapshot. A failed,
 *   cancelled or killed export leaves neither: the folder's path is in the job's params, and the
 *   clean-up registered here removes it (at once on failure, or when `recoverJobs` finds the job
 *   of a process that died).
 */
import { createHash } from "node:crypto";
import { constants, createReadStream } from "node:fs";
import { access, lstat, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { describeFilters, grammar as grammarFor, type Grammar } from "@prealign/core";
import { releaseFreedMemory } from "../../../bin/malloc-arenas.js";
import { Piscina } from "piscina";
import type { Db, Prisma } from "../../db/database.ts";
import { providerOf, sqliteFileOf } from "../../db/drivers.ts";
import { InvalidInputError, NotFoundError } from "../../errors.ts";
import { registerJobCleanup, updateJobParams, type JobRun } from "../jobs.ts";
import { readProjectSettings } from "../project-settings.ts";
import { datasetCard, grammarJson, writeManifest } from "./card.ts";
import { DigestSet } from "./digests.ts";
import { EXPORT_FORMATS, EXPORT_TOKENIZERS, extensionsOf, type ExportFormat, type ExportTokenizer } from "./formats.ts";
import { convertToParquet } from "./parquet.ts";
import { duckdbRecordType, recordFields } from "./record-schema.ts";
import { runPageTask, type PageTask } from "./page-worker.ts";
import { SPLITS, type PackedPage, type RecordOptions, type Split } from "./records.ts";
import { finalShardName, JsonlShardWriter, LineWriter, provisionalShardName, type ShardFile } from "./shards.ts";
import { diffIds, gzipFile, previousSnapshot } from "./snapshots.ts";
import { resolveFilters, unfiltered, type ExportFilterRecord, type ExportFilters, type ResolvedFilters } from "./filters.ts";
import { countAccepted, nextPageRange, pageFiltersOf, prismaQuery, Pseudonyms, readPage } from "./source.ts";

export { EXPORT_FORMATS, EXPORT_TOKENIZERS, type ExportFormat, type ExportTokenizer };

/** What an export's progress counts: each record once per pass, its JSONL line and then its Parquet row (see `exportSnapshot`). */
export const EXPORT_PROGRESS_UNIT = "records written";

/** Version of the folder layout and record fields, written into the manifest. */
export const EXPORT_FORMAT_VERSION = 1;

/** What to export, where, and how. */
export interface ExportOptions {
  projectId: string;
  /** The folder to create. It must not exist; its parent must exist and be writable. */
  outDir: string;
  format: ExportFormat;
  tokenizer: ExportTokenizer;
  /** The share of ids that go to the validation split, from 0 to 1 (default 0.05). */
  validationShare?: number;
  /** Which accepted examples to take (default: all). */
  filters?: ExportFilters;
  /** The job this export runs as: progress, cancellation, and the temporary folder's path in its params. */
  run: JobRun;
  /** Records per shard (default 100,000). */
  shardRecords?: number;
  /** Example ids (of any project or stage) per page (default 500). */
  pageSize?: number;
  /**
   * Worker threads doing the pages' work; 0 does it on this thread. Default: none for fewer than
   * 10,000 examples (starting threads would cost more than they save); otherwise one per core,
   * at most 4, but one when the process is not `dedicated` (at least one), which leaves a core to
   * this thread, which writes and, in the server, answers requests. Each thread holds some 60 MB,
   * a tokenising one more. On PostgreSQL, where pages are read through Prisma on this thread,
   * threads only build records, so an export without a tokenizer uses none.
   */
  threads?: number;
  /** The process does nothing but this export (`studio export`), so its threads may take every core. Default false. */
  dedicated?: boolean;
}

/** One file of the snapshot's data, as the manifest and the summary list it. (Type aliases, not interfaces, so that a summary is a Prisma JSON value as it is.) */
export type ExportShard = {
  /** Relative to the snapshot folder: `data/train-00000-of-00002.jsonl`. */
  path: string;
  split: Split;
  format: "jsonl" | "parquet";
  sha256: string;
  records: number;
  bytes: number;
  /** Tokens of its records; null without a tokenizer. */
  tokens: number | null;
};

/** An example left out because an earlier example (by id) has the same text. */
export type ExportDuplicate = {
  id: string;
  duplicateOf: string;
};

/** What an export wrote: the job's result, and the Snapshot row's summary (without `snapshotId`). */
export type ExportSummary = {
  /** The Snapshot row recording the folder. */
  snapshotId: string;
  /** The snapshot folder, absolute. */
  path: string;
  /** When the export finished writing (the manifest's `created_at`). */
  createdAt: string;
  format: ExportFormat;
  tokenizer: ExportTokenizer;
  grammarVersion: number;
  validationShare: number;
  shardRecords: number;
  /** The filters the examples were chosen by. */
  filters: ExportFilterRecord;
  /** Accepted examples read. */
  selected: number;
  /** Records written (selected minus duplicates). */
  records: number;
  /** Records per split. */
  splits: Record<Split, number>;
  /** Examples left out as duplicate texts: how many, and the first hundred. */
  duplicates: { count: number; examples: ExportDuplicate[] };
  /** Every data file, sorted by path. */
  shards: ExportShard[];
  /** Data files and their bytes and tokens (a format's tokens counted once); `folderBytes` includes the card, manifest and grammar. */
  totals: { files: number; bytes: number; folderBytes: number; tokens: number | null };
  /** The snapshot the added and removed ids are counted against; null when there is none. */
  previousSnapshotId: string | null;
  added: number;
  removed: number;
  /** SHA-256 of the sorted ids joined by newlines: tells two snapshots of the same examples apart from others. */
  idsSha256: string;
};

/** Why an export was refused or stopped, in words for the person who asked for it. */
export type ExportRefusal = "out_exists" | "parent_missing" | "parent_not_writable" | "empty" | "disk_full";

/** An export refused before it started, or stopped by the disk. `reason` tells which; the message says what to do. */
export class ExportRefusedError extends InvalidInputError {
  readonly reason: ExportRefusal;
  constructor(reason: ExportRefusal, message: string) {
    super(message);
    this.reason = reason;
  }
}

const DEFAULT_VALIDATION_SHARE = 0.05;
const DEFAULT_SHARD_RECORDS = 100_000;
/**
 * Example ids per page. A page's rows and records are what a page thread's collections of its
 * young generation find alive and copy: against pages of 1,000, an export without a tokenizer took
 * 34 µs of CPU per example instead of 40 and peaked lower (`npm run bench -- export.throughput`);
 * pages of 250 were no better.
 */
const DEFAULT_PAGE_SIZE = 500;
/**
 * Heap limits of the page threads (MB), which keep the export's memory bounded (`npm run bench --
 * export.peak_rss`). Against 16 MB of young generation, 8 MB peaked 20 MB lower but took 12%
 * more CPU per example; 32 MB took some 10% less and peaked 20-45 MB higher (over 300 MB).
 * Tokenising threads, which hold more and have CPU to spare (their goal is 5,000 examples a
 * second per core; they do twice that), get 8 MB: a tokenised export peaked at 273, 281 and 308
 * MB with 16.
 */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 128 };
const TOKENISING_WORKER_HEAP = { ...WORKER_HEAP, maxYoungGenerationSizeMb: 8 };
/** The most page threads an export starts by default: each holds tens of MB. */
const MAX_THREADS = 4;
/** Below this many examples, starting worker threads costs more than they save. */
const SMALL_EXPORT = 10_000;
/** Duplicates named in the summary (the manifest names them all). */
const SUMMARY_DUPLICATES = 100;

/** What the job's params hold while it runs, for the clean-up. */
interface ExportJobParams {
  outDir?: string;
  tempDir?: string;
  /** Set just before the temporary folder is renamed to `outDir`. */
  renaming?: boolean;
}

/** The temporary folder of the export run as job `jobId`. */
function tempDirOf(outDir: string, jobId: string): string {
  return join(dirname(outDir), `${basename(outDir)}.tmp-${jobId}`);
}

/**
 * Removes what an unfinished export left: its temporary folder, and its output folder when it
 * was renamed but never recorded as a snapshot. Paths come from the job's params and are only
 * removed when they are the ones this job would have made.
 */
async function removeUnfinished(db: Db, jobId: string, params: ExportJobParams): Promise<void> {
  if (typeof params.outDir !== "string") return;
  await removeFolder(tempDirOf(params.outDir, jobId));
  if (params.renaming === true) {
    const recorded = await db.snapshot.findUnique({ where: { jobId }, select: { id: true } });
    if (recorded === null) await removeFolder(params.outDir);
  }
}

/** Removes a folder and everything in it; a folder that is not there (or whose parent is not a folder) is fine. */
async function removeFolder(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true }).catch((error: unknown) => {
    if (errorCode(error) !== "ENOTDIR") throw error;
  });
}

registerJobCleanup("export", (db, job) => {
  const params = typeof job.params === "object" && job.params !== null && !Array.isArray(job.params) ? (job.params as ExportJobParams) : {};
  return removeUnfinished(db, job.id, params);
});

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Refuses an output folder that exists, or whose parent is missing or not writable. */
async function checkOutDir(outDir: string): Promise<void> {
  const exists = await lstat(outDir).then(
    () => true,
    // ENOTDIR: the parent is not a folder, which is said below.
    (error: unknown) => (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR" ? false : Promise.reject(error)),
  );
  if (exists) {
    throw new ExportRefusedError("out_exists", `${outDir} already exists. An export never writes into an existing folder: name a new one.`);
  }
  const parent = dirname(outDir);
  const parentStat = await stat(parent).catch((error: unknown) => (errorCode(error) === "ENOENT" ? null : Promise.reject(error)));
  if (parentStat === null) throw new ExportRefusedError("parent_missing", `The folder ${parent} does not exist. Create it first, or export somewhere else.`);
  if (!parentStat.isDirectory()) throw new ExportRefusedError("parent_not_writable", `${parent} is not a folder, so ${outDir} cannot be created in it.`);
  await access(parent, constants.W_OK).catch(() => {
    throw notWritable(parent);
  });
}

function notWritable(parent: string): ExportRefusedError {
  return new ExportRefusedError("parent_not_writable", `Cannot write in ${parent}. Export into a folder you may write to.`);
}

/** Turns a failure of the disk into a refusal that says so; other errors pass unchanged. */
function explainDiskError(error: unknown, outDir: string): unknown {
  const code = errorCode(error);
  if (code === "ENOSPC" || code === "EDQUOT" || (error instanceof Error && /no space left on device|disk is full|disk full/i.test(error.message))) {
    return new ExportRefusedError("disk_full", `The disk is full: the export to ${outDir} stopped and nothing of it was kept. Free some space, then export again.`);
  }
  if (code === "EACCES" || code === "EROFS" || code === "EPERM") return notWritable(dirname(outDir));
  return error;
}

/** See `ExportOptions.threads`. */
function defaultThreads(expected: number, provider: "sqlite" | "postgresql", tokenizer: ExportTokenizer, dedicated: boolean): number {
  if (expected < SMALL_EXPORT || (provider === "postgresql" && tokenizer === "none")) return 0;
  return Math.min(MAX_THREADS, Math.max(1, availableParallelism() - (dedicated ? 0 : 1)));
}

/** Does pages' work, on worker threads or on this one. */
interface PageRunner {
  run(task: PageTask): Promise<PackedPage>;
  close(): Promise<void>;
}

/** A tokenizer's rank table in shared memory (see core's rank-table.ts), for the page threads. */
interface SharedRanks {
  encoding: Exclude<ExportTokenizer, "none">;
  ranks: SharedArrayBuffer;
}

function pageRunner(threads: number, shared: SharedRanks | null): PageRunner {
  if (threads === 0) return { run: runPageTask, close: async () => {} };
  const pool = new Piscina<PageTask, PackedPage>({
    filename: new URL("./page-worker.worker.mjs", import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // A page's work needs a few MB; small heaps keep each thread's memory from growing to hundreds of MB between collections.
    resourceLimits: shared === null ? WORKER_HEAP : TOKENISING_WORKER_HEAP,
    workerData: shared,
  });
  let closed: Promise<void> | null = null;
  return {
    // The scratch block moves to the thread and back rather than being copied.
    run: (task) => pool.run(task, task.scratch === null ? {} : { transferList: [task.scratch.buffer as ArrayBuffer] }),
    close: () => (closed ??= pool.destroy()),
  };
}

/** Reads the ids of the given ordinals (line numbers, from 0) of the ids file, in one pass. */
async function idsAt(idsFile: string, ordinals: readonly number[]): Promise<Map<number, string>> {
  const wanted = new Set(ordinals);
  const found = new Map<number, string>();
  if (wanted.size === 0) return found;
  let line = 0;
  for await (const id of createInterface({ input: createReadStream(idsFile), crlfDelay: Infinity })) {
    if (wanted.has(line)) found.set(line, id);
    if (found.size === wanted.size) break;
    line++;
  }
  return found;
}

/** SHA-256 and size of a file, read as a stream. */
async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

/** Checks the options a caller could get wrong; the CLI and the router check them too. */
function checkOptions(options: ExportOptions): void {
  if (!EXPORT_FORMATS.includes(options.format)) throw new InvalidInputError(`Unknown format "${options.format}": use ${EXPORT_FORMATS.join(", ")}.`);
  if (!EXPORT_TOKENIZERS.includes(options.tokenizer)) throw new InvalidInputError(`Unknown tokenizer "${options.tokenizer}": use ${EXPORT_TOKENIZERS.join(", ")}.`);
  const share = options.validationShare ?? DEFAULT_VALIDATION_SHARE;
  if (!(share >= 0 && share <= 1)) throw new InvalidInputError(`The validation share must be between 0 and 1, not ${share}.`);
  if (!Number.isInteger(options.shardRecords ?? 1) || (options.shardRecords ?? 1) < 1) throw new InvalidInputError("Shards must hold at least one record.");
}

/**
 * Exports the project's accepted examples into `outDir` as a snapshot (see the module comment)
 * and records it as a Snapshot row. Throws {@link ExportRefusedError} when the folder exists,
 * its parent is missing or not writable, there is nothing accepted, or the disk fills up;
 * `NotFoundError` for an unknown project; `JobCancelledError` when the job is cancelled. On any
 * failure nothing is left behind.
 */
export async function exportSnapshot(db: Db, options: ExportOptions): Promise<ExportSummary> {
  checkOptions(options);
  const outDir = resolve(options.outDir);
  const { run } = options;
  await checkOutDir(outDir);
  const project = await db.project.findUnique({ where: { id: options.projectId }, select: { id: true, slug: true, name: true, settings: true } });
  if (project === null) throw new NotFoundError(`There is no project with id ${options.projectId}.`);
  const filters = await resolveFilters(db, project.id, options.filters);
  const selected = await countAccepted(db, project.id, pageFiltersOf(filters));
  if (selected === 0) throw emptySelection(project.slug, filters);

  const tempDir = tempDirOf(outDir, run.id);
  const job = await db.job.findUniqueOrThrow({ where: { id: run.id }, select: { params: true } });
  const params = { ...(job.params as Prisma.JsonObject), outDir, tempDir };
  // Recorded before the folder exists, so that whoever finds this job unfinished can remove it.
  await updateJobParams(db, run.id, params);
  try {
    await mkdir(tempDir);
  } catch (error) {
    throw explainDiskError(error, outDir);
  }
  let renamed = false;
  try {
    const written = await writeSnapshot(db, { ...options, outDir }, tempDir, project, filters, selected);
    await updateJobParams(db, run.id, { ...params, renaming: true });
    // Checked again: someone may have made the folder meanwhile, and renaming onto an empty folder would replace it.
    await checkOutDir(outDir);
    await rename(tempDir, outDir);
    renamed = true;
    const snapshot = await db.snapshot.create({
      data: {
        projectId: project.id,
        jobId: run.id,
        path: outDir,
        records: written.summary.records,
        bytes: BigInt(written.summary.totals.folderBytes),
        summary: written.summary,
        ids: written.ids,
      },
      select: { id: true },
    });
    return { snapshotId: snapshot.id, ...written.summary };
  } catch (error) {
    await removeFolder(tempDir).catch(() => undefined);
    if (renamed) await removeFolder(outDir).catch(() => undefined);
    throw explainDiskError(error, outDir);
  }
}

/** Writes the whole snapshot into `tempDir`; returns its summary (without the Snapshot id) and its gzipped ids. */
async function writeSnapshot(
  db: Db,
  options: ExportOptions,
  tempDir: string,
  project: { id: string; slug: string; name: string; settings: Prisma.JsonValue },
  filters: ResolvedFilters,
  /** Accepted examples counted before reading: the progress bar's total. */
  expected: number,
): Promise<{ summary: Omit<ExportSummary, "snapshotId">; ids: Uint8Array<ArrayBuffer> }> {
  const { run, format, tokenizer } = options;
  const validationShare = options.validationShare ?? DEFAULT_VALIDATION_SHARE;
  const shardRecords = options.shardRecords ?? DEFAULT_SHARD_RECORDS;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const provider = providerOf(db);
  const threads = options.threads ?? defaultThreads(expected, provider, tokenizer, options.dedicated ?? false);
  const g: Grammar = grammarFor({ unalignedQuotes: readProjectSettings(project.settings).unalignedQuotes });
  const fields = recordFields(g, tokenizer !== "none");
  const recordType = duckdbRecordType(fields);
  const extensions = extensionsOf(format);
  // Progress counts each record once per pass over it: writing its JSONL line, then, when
  // Parquet is asked for, converting it (which takes as long again for tokenised records).
  const total = extensions.includes("parquet") ? expected * 2 : expected;

  const dataDir = join(tempDir, "data");
  const workDir = join(tempDir, ".work");
  await mkdir(dataDir);
  await mkdir(workDir);
  // JSONL shards are written where they stay, or only as DuckDB's input when Parquet alone is asked for.
  const jsonlDir = extensions.includes("jsonl") ? dataDir : workDir;

  // Tokenising threads read one rank table, built here (before any file is opened), rather than each building its own.
  const shared: SharedRanks | null = threads > 0 && tokenizer !== "none" ? { encoding: tokenizer, ranks: (await import("@prealign/core/tokenizer")).shareRankTable(tokenizer) } : null;
  const writers = Object.fromEntries(SPLITS.map((split) => [split, new JsonlShardWriter(jsonlDir, split, shardRecords)])) as Record<Split, JsonlShardWriter>;
  const idsFile = join(workDir, "ids.txt");
  const ids = await LineWriter.open(idsFile, { joined: true });
  const recordOptions: RecordOptions = { unalignedQuotes: g.options.unalignedQuotes, tokenizer: tokenizer === "none" ? null : tokenizer, validationShare, category: filters.category };
  const pageFilters = pageFiltersOf(filters);
  const file = provider === "sqlite" ? await sqliteFileOf(db) : null;
  const runner = pageRunner(threads, shared);

  let digests: DigestSet | null = new DigestSet(expected);
  /** Blocks free to carry a page's lines (see `buildPage`): as many as there are pages in flight. */
  const scratch: Uint8Array[] = [];
  const duplicates: { id: string; ordinal: number }[] = [];
  const splitCounts: Record<Split, number> = { train: 0, validation: 0 };
  let lastId: string | null = null;
  /** Examples read, and those of them the filters took. */
  let done = 0;
  let taken = 0;

  /** Writes one page's records, in order, leaving out texts already written. */
  const consume = async (page: PackedPage): Promise<void> => {
    // Per split: the page's records of that split seen so far, and the first not yet written.
    const seen = SPLITS.map(() => 0);
    const unwritten = SPLITS.map(() => 0);
    for (let i = 0; i < page.ids.length; i++) {
      const id = page.ids[i]!;
      if (lastId !== null && !(id > lastId)) {
        throw new Error(`The database returned example ids out of order (${id} after ${lastId}); its collation must sort ids as JavaScript does.`);
      }
      lastId = id;
      const split = page.splits[i]!;
      const position = seen[split]!++;
      const earlier = digests!.add(page.digests[i * 2]!, page.digests[i * 2 + 1]!, ids.lines);
      if (earlier !== -1) {
        duplicates.push({ id, ordinal: earlier });
        // Write the split's records before this one, and skip it.
        await writers[SPLITS[split]!].append(page.lines[split]!, unwritten[split]!, position);
        unwritten[split] = position + 1;
        continue;
      }
      await ids.write(id);
      splitCounts[SPLITS[split]!]++;
    }
    for (const [split, name] of SPLITS.entries()) {
      await writers[name].append(page.lines[split]!, unwritten[split]!, seen[split]!);
      // Written out now, so that the page's block can carry the next page.
      await writers[name].flush();
    }
    scratch.push(page.buffer);
    done += page.read;
    taken += page.ids.length;
    run.progress(done, total);
    run.checkpoint();
  };

  try {
    run.progress(0, total);
    const pseudonyms = new Pseudonyms(project.id);
    const query = prismaQuery(db);
    // Pages are worked on in parallel (up to `inFlight` at once) but written strictly in order.
    const inFlight = Math.max(2, threads * 2);
    const building: Promise<PackedPage>[] = [];
    for (let range = await nextPageRange(db, "", pageSize); ; range = await nextPageRange(db, range.upto, pageSize)) {
      const common = { options: recordOptions, scratch: scratch.pop() ?? null };
      const task: PageTask =
        file !== null
          ? { kind: "range", file, projectId: project.id, range, filters: pageFilters, ...common }
          : { kind: "sources", sources: await readPage(query, provider, project.id, range, pageFilters, pseudonyms), ...common };
      const built = runner.run(task);
      // Awaited in turn below; meanwhile a rejection must not count as unhandled.
      built.catch(() => undefined);
      building.push(built);
      while (building.length >= inFlight) await consume(await building.shift()!);
      if (range.upto === null) break;
    }
    while (building.length > 0) await consume(await building.shift()!);
    if (taken === 0) throw emptySelection(project.slug, filters);
    // Neither the threads, the digests nor the pages' blocks are needed for what remains; DuckDB
    // needs memory. What the threads held goes back to the system rather than staying with malloc:
    // a default export of a million examples peaked at the start of its Parquet pass without it.
    await runner.close();
    digests = null;
    scratch.length = 0;
    releaseFreedMemory();

    const jsonlShards = [...(await writers.train.finish()), ...(await writers.validation.finish())];
    const idsSha256 = await ids.close();
    // Parquet from the finished JSONL, once the threads' memory is freed.
    const parquetShards: ShardFile[] = [];
    let converted = 0;
    if (extensions.includes("parquet")) {
      for (const shard of jsonlShards) {
        run.checkpoint();
        const parquetFile = join(dataDir, `${provisionalShardName(shard.split, shard.index)}.parquet`);
        await convertToParquet(workDir, shard, parquetFile, recordType);
        parquetShards.push({ ...shard, file: parquetFile, ...(await hashFile(parquetFile)) });
        if (!extensions.includes("jsonl")) await rm(shard.file);
        converted += shard.records;
        run.progress(Math.min(done + converted, total), total);
      }
      // Duplicates were read but never converted.
      run.progress(total, total);
    }

    // Final names, now that each split's shard count is known.
    const shards: ExportShard[] = [];
    const place = async (files: ShardFile[], extension: "jsonl" | "parquet") => {
      for (const shard of files) {
        const count = files.filter((other) => other.split === shard.split).length;
        const name = finalShardName(shard.split, shard.index, count, extension);
        await rename(shard.file, join(dataDir, name));
        shards.push({
          path: `data/${name}`,
          split: shard.split,
          format: extension,
          sha256: shard.sha256,
          records: shard.records,
          bytes: shard.bytes,
          tokens: tokenizer === "none" ? null : shard.tokens,
        });
      }
    };
    if (extensions.includes("jsonl")) await place(jsonlShards, "jsonl");
    if (extensions.includes("parquet")) await place(parquetShards, "parquet");
    shards.sort((a, b) => (a.path < b.path ? -1 : 1));

    // What changed since the previous snapshot, and which examples each duplicate repeats.
    const previous = await previousSnapshot(db, project.id, idsSha256);
    const addedFile = join(workDir, "added.txt");
    const removedFile = join(workDir, "removed.txt");
    const changes = await diffIds(idsFile, previous?.ids ?? null, addedFile, removedFile);
    const firstIds = await idsAt(idsFile, duplicates.map((d) => d.ordinal));
    const duplicateList: ExportDuplicate[] = duplicates.map((d) => ({ id: d.id, duplicateOf: firstIds.get(d.ordinal)! }));
    const idsGzip = await gzipFile(idsFile);

    const records = ids.lines;
    const splits = SPLITS.filter((split) => splitCounts[split] > 0).map((split) => ({ split, records: splitCounts[split] }));
    const tokens = tokenizer === "none" ? null : jsonlShards.reduce((sum, shard) => sum + shard.tokens, 0);
    const dataBytes = shards.reduce((sum, shard) => sum + shard.bytes, 0);
    const createdAt = new Date().toISOString();
    const card = datasetCard({ projectName: project.name, projectSlug: project.slug, format, tokenizer, grammar: g, fields, splits });
    const grammarFile = await grammarJson(g, tokenizer);
    await writeText(join(tempDir, "README.md"), card);
    await writeText(join(tempDir, "grammar.json"), grammarFile);
    const manifestFile = join(tempDir, "manifest.json");
    await writeManifest(
      manifestFile,
      {
        format: "prealign-studio-export",
        format_version: EXPORT_FORMAT_VERSION,
        created_at: createdAt,
        project: { slug: project.slug, name: project.name },
        tokenizer: tokenizer === "none" ? null : tokenizer,
        grammar_version: g.version,
        grammar_options: { unaligned_quotes: g.options.unalignedQuotes },
        filters: filters.record,
        validation_share: validationShare,
        shard_records: shardRecords,
        splits: Object.fromEntries(splits.map((s) => [s.split, { records: s.records, shards: shards.filter((shard) => shard.split === s.split && shard.format === extensions[0]).length }])),
        shards: shards.map((shard) => ({ path: shard.path, split: shard.split, format: shard.format, sha256: shard.sha256, records: shard.records, bytes: shard.bytes, tokens: shard.tokens })),
        totals: { records, selected: taken, duplicates: duplicateList.length, files: shards.length, bytes: dataBytes, tokens },
        duplicates: duplicateList.map((d) => ({ id: d.id, duplicate_of: d.duplicateOf })),
        previous_snapshot: previous === null ? null : { id: previous.id, created_at: previous.createdAt.toISOString() },
        ids_sha256: idsSha256,
      },
      { added: addedFile, removed: removedFile },
    );
    await rm(workDir, { recursive: true, force: true });
    const folderBytes = dataBytes + Buffer.byteLength(card) + Buffer.byteLength(grammarFile) + (await stat(manifestFile)).size;

    const summary: Omit<ExportSummary, "snapshotId"> = {
      path: options.outDir,
      createdAt,
      format,
      tokenizer,
      grammarVersion: g.version,
      validationShare,
      shardRecords,
      filters: filters.record,
      selected: taken,
      records,
      splits: splitCounts,
      duplicates: { count: duplicateList.length, examples: duplicateList.slice(0, SUMMARY_DUPLICATES) },
      shards,
      totals: { files: shards.length, bytes: dataBytes, folderBytes, tokens },
      previousSnapshotId: previous?.id ?? null,
      added: changes.added,
      removed: changes.removed,
      idsSha256,
    };
    return { summary, ids: idsGzip };
  } catch (error) {
    await Promise.all([writers.train.abandon(), writers.validation.abandon(), ids.abandon()]);
    throw error;
  } finally {
    await runner.close();
  }
}

/** The refusal of an export that would hold nothing: no accepted examples, or none the filters take. */
function emptySelection(slug: string, filters: ResolvedFilters): ExportRefusedError {
  return unfiltered(filters)
    ? new ExportRefusedError("empty", `Project "${slug}" has no accepted examples, so there is nothing to export. Accept some examples first.`)
    : new ExportRefusedError("empty", `No accepted example of project "${slug}" matches the filters (${describeFilters(filters.record)}), so there is nothing to export. Widen or remove them.`);
}

/** Writes a small text file that must not exist yet. */
function writeText(file: string, text: string): Promise<void> {
  return writeFile(file, text, { flag: "wx" });
}
