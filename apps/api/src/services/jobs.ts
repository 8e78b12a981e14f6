/**
 * Background jobs: the long pieces of work (imports and exports) recorded in the database so
 * that anyone can watch their progress, ask them to stop, and find out why one failed — from
 * the web app or the command line, whichever process runs them.
 *
 * A job is run by one process, named in `runner` as "host:pid", which says it is alive by
 * writing `heartbeatAt` every few seconds. A process that dies (SIGKILL, a crash, a restart)
 * stops doing so; {@link recoverJobs} — run when the server starts and before every import or
 * export — fails such jobs with a reason and undoes what they left half-done, through the
 * clean-up each kind registers with {@link registerJobCleanup}.
 */
import { hostname } from "node:os";
import type { Db, Prisma } from "../db/database.ts";
import { NotFoundError } from "../errors.ts";

/** What a job does (a "grade" job runs model graders, services/graders.ts). */
export type JobKind = "import" | "export" | "grade";

/** Where a job is: queued and running jobs are unfinished; the other three are final. */
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** How often a running job says it is alive. */
export const HEARTBEAT_MS = 2_000;

/** A job whose runner has not said it is alive for this long is taken for dead. */
export const STALE_AFTER_MS = 30_000;

/** Progress is written at most this often (the last figure is always written at the end). */
const PROGRESS_INTERVAL_MS = 250;

/** This process, as a job's `runner` names it. */
export const THIS_RUNNER = `${hostname()}:${process.pid}`;

/** Asked to stop: thrown by {@link JobRun.checkpoint} so that the work unwinds. */
export class JobCancelledError extends Error {
  override name = "JobCancelledError";
  constructor() {
    super("The job was cancelled; nothing it had started was kept.");
  }
}

/** The fields of a job that its pages and commands show. */
export const jobSelect = {
  id: true,
  projectId: true,
  kind: true,
  status: true,
  params: true,
  result: true,
  done: true,
  total: true,
  message: true,
  cancelRequested: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  createdBy: { select: { id: true, name: true } },
} satisfies Prisma.JobSelect;

export type JobView = Prisma.JobGetPayload<{ select: typeof jobSelect }>;

/** A job's work found complete by its clean-up: its process stopped after the last write but before recording the job's end. */
export interface CompletedWork {
  /** The job's result, as its own end would have recorded it (as far as the database holds it). */
  result: Prisma.InputJsonValue;
}

/** A job as its kind's clean-up sees it. */
export interface UnfinishedJob {
  id: string;
  projectId: string;
  createdAt: Date;
  params: Prisma.JsonValue;
}

/**
 * Undoes what an unfinished job of one kind left behind (staged rows, a temporary folder); or,
 * when the job's work turns out to be complete (see {@link CompletedWork}), leaves it and says so.
 */
export type JobCleanup = (db: Db, job: UnfinishedJob) => Promise<CompletedWork | void>;

const cleanups = new Map<JobKind, JobCleanup>();

/** Registers how to undo an unfinished job of `kind`; the import and export modules each register theirs. */
export function registerJobCleanup(kind: JobKind, cleanup: JobCleanup): void {
  cleanups.set(kind, cleanup);
}

/** A running job's progress and heartbeat, as {@link JobRun} writes them. */
export interface JobState {
  done: number;
  total: number | null;
  heartbeatAt: Date;
}

/** Writes a running job's state to its row and returns whether someone asked the job to stop. */
export type JobStateWriter = (id: string, state: JobState) => Promise<{ cancelRequested: boolean }>;

/**
 * One running job, as the code doing its work sees it: report progress, check for
 * cancellation between batches, and finish. Keeps the heartbeat going until it is finished.
 */
export class JobRun {
  readonly id: string;
  readonly #db: Db;
  readonly #heartbeat: NodeJS.Timeout;
  #done = 0;
  #total: number | null = null;
  #lastWrite = 0;
  #cancelRequested = false;
  #writing: Promise<void> = Promise.resolve();
  #stateWriter: JobStateWriter | null = null;
  #listener: ((done: number, total: number | null) => void) | undefined;

  constructor(db: Db, id: string) {
    this.#db = db;
    this.id = id;
    this.#heartbeat = setInterval(() => this.#write(), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** Units done so far. */
  get done(): number {
    return this.#done;
  }

  /** Also tells `listener` of every progress report (a command's progress bar). */
  onProgress(listener: (done: number, total: number | null) => void): void {
    this.#listener = listener;
  }

  /** Records progress: `done` units of `total` (omit `total` to keep the last one). Written at most every 250 ms. */
  progress(done: number, total?: number | null): void {
    this.#done = done;
    if (total !== undefined) this.#total = total;
    this.#listener?.(this.#done, this.#total);
    if (Date.now() - this.#lastWrite >= PROGRESS_INTERVAL_MS) this.#write();
  }

  /**
   * Has the job's progress and heartbeat written by `writer` instead of this process's Prisma
   * client, until called again with null; resolves once the writes already asked for are done.
   * An SQLite import hands them to its writer thread: on Prisma's connection each write would
   * wait, holding this thread, for the writer's batch to release SQLite's one write lock, then
   * sync the write-ahead log to disk, several times a second.
   */
  async writeStateWith(writer: JobStateWriter | null): Promise<void> {
    await this.#writing;
    this.#stateWriter = writer;
  }

  /** Asks the job to stop at its next checkpoint, as a person's cancel does (a server shutting down). */
  stop(): void {
    this.#cancelRequested = true;
  }

  /** Throws {@link JobCancelledError} when someone has asked the job to stop. Call it between batches. */
  checkpoint(): void {
    if (this.#cancelRequested) throw new JobCancelledError();
  }

  /** Writes progress and heartbeat, and learns whether the job was asked to stop. */
  #write(): void {
    this.#lastWrite = Date.now();
    this.#writing = this.#writing.then(async () => {
      try {
        const state = { done: this.#done, total: this.#total, heartbeatAt: new Date() };
        const job = await (this.#stateWriter ?? this.#writeWithPrisma)(this.id, state);
        this.#cancelRequested = job.cancelRequested;
      } catch {
        // A missed progress write is harmless; the next one carries the figure.
      }
    });
  }

  readonly #writeWithPrisma: JobStateWriter = (id, state) => this.#db.job.update({ where: { id }, data: state, select: { cancelRequested: true } });

  /** Stops the heartbeat and writes the job's final state. */
  async #finish(data: Prisma.JobUpdateInput): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.#writing;
    await this.#db.job.update({
      where: { id: this.id },
      data: { ...data, done: this.#done, total: this.#total, finishedAt: new Date(), heartbeatAt: new Date() },
    });
  }

  /** The work is complete; `result` is what the job's page shows. */
  succeed(result: Prisma.InputJsonValue): Promise<void> {
    return this.#finish({ status: "succeeded", result });
  }

  /** The work stopped; `message` says why, in words for the person who started it. */
  fail(message: string, result?: Prisma.InputJsonValue): Promise<void> {
    return this.#finish({ status: "failed", message, ...(result === undefined ? {} : { result }) });
  }

  /** The work stopped because someone asked it to. */
  cancelled(): Promise<void> {
    return this.#finish({ status: "cancelled", message: new JobCancelledError().message });
  }
}

/** Records a new job as running in this process and returns its handle. */
export async function startJob(
  db: Db,
  job: { projectId: string; kind: JobKind; params: Prisma.InputJsonValue; createdById: string | null },
): Promise<JobRun> {
  const now = new Date();
  const created = await db.job.create({
    data: { ...job, status: "running", runner: THIS_RUNNER, startedAt: now, heartbeatAt: now },
    select: { id: true },
  });
  return new JobRun(db, created.id);
}

/** Merges facts learnt while the job runs (a temporary folder, a file) into its params. */
export async function updateJobParams(db: Db, id: string, params: Prisma.InputJsonValue): Promise<void> {
  await db.job.update({ where: { id }, data: { params } });
}

/**
 * Runs `work` as the job `run`, finishing it as succeeded with what `work` returns, as
 * cancelled when it was asked to stop, or as failed with the error's message. On failure and
 * cancellation the kind's clean-up runs first, so that nothing half-done is left; when it finds
 * the work complete after all ({@link CompletedWork}), the job succeeds with the result it gives,
 * as {@link recoverJobs} would record it. Never throws
 * for the work's own errors: it returns them, so that a command can choose its exit status.
 */
export function runJob<T extends Prisma.InputJsonValue>(
  db: Db,
  run: JobRun,
  kind: JobKind,
  work: () => Promise<T>,
): Promise<{ ok: true; result: T } | { ok: false; error: Error }> {
  const ended = runToEnd(db, run, kind, work);
  runningJobs.set(run, { db, ended });
  return ended.finally(() => runningJobs.delete(run));
}

/** The jobs this process is running: the database each works on and the promise of its end. */
const runningJobs = new Map<JobRun, { db: Db; ended: Promise<unknown> }>();

/**
 * Stops every job this process runs on `db` at its next checkpoint (each finishes the batch it
 * is writing, then cleans up as on cancel) and waits until all have ended: a server that shuts
 * down calls it once it has stopped taking requests.
 */
export async function stopRunningJobs(db: Db): Promise<void> {
  const stopping = [...runningJobs].filter(([, job]) => job.db === db);
  for (const [run] of stopping) run.stop();
  await Promise.allSettled(stopping.map(([, job]) => job.ended));
}

async function runToEnd<T extends Prisma.InputJsonValue>(
  db: Db,
  run: JobRun,
  kind: JobKind,
  work: () => Promise<T>,
): Promise<{ ok: true; result: T } | { ok: false; error: Error }> {
  try {
    const result = await work();
    await run.succeed(result);
    return { ok: true, result };
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    const completed = await cleanUp(db, kind, run.id);
    if (completed !== undefined) {
      // The work had got past the point of no return (an import whose audit event committed): it is complete.
      await run.succeed(completed.result);
      return { ok: true, result: completed.result as T };
    }
    if (error instanceof JobCancelledError) await run.cancelled();
    else await run.fail(error.message);
    return { ok: false, error };
  }
}

async function cleanUp(db: Db, kind: JobKind, id: string): Promise<CompletedWork | undefined> {
  const job = await db.job.findUnique({ where: { id }, select: unfinishedJobSelect });
  const cleanup = cleanups.get(kind);
  if (job === null || cleanup === undefined) return undefined;
  return (await cleanup(db, job)) ?? undefined;
}

/** Whether the process `runner` names is gone: on this host by its pid, elsewhere by its silence. */
function runnerIsGone(runner: string | null, heartbeatAt: Date | null, now: number): boolean {
  const silent = heartbeatAt === null || now - heartbeatAt.getTime() > STALE_AFTER_MS;
  if (runner === null) return silent;
  const separator = runner.lastIndexOf(":");
  const host = runner.slice(0, separator);
  const pid = Number(runner.slice(separator + 1));
  if (host !== hostname() || !Number.isInteger(pid)) return silent;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return silent;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

const unfinishedJobSelect = { id: true, projectId: true, createdAt: true, params: true } satisfies Prisma.JobSelect;

/**
 * Fails every unfinished job whose process is gone, after undoing what it left half-done
 * (its kind's clean-up); a job whose clean-up finds its work complete is recorded as succeeded
 * instead. Returns how many it failed. Safe to run from several processes: each job is taken
 * over by one conditional update.
 */
export async function recoverJobs(db: Db): Promise<number> {
  const unfinished = await db.job.findMany({
    where: { status: { in: ["queued", "running"] } },
    select: { ...unfinishedJobSelect, kind: true, runner: true, heartbeatAt: true },
  });
  let failed = 0;
  const now = Date.now();
  for (const job of unfinished) {
    if (!runnerIsGone(job.runner, job.heartbeatAt, now)) continue;
    // Take the job over first, so that two recovering processes never clean it up twice.
    const taken = await db.job.updateMany({
      where: { id: job.id, runner: job.runner, status: { in: ["queued", "running"] } },
      data: { runner: THIS_RUNNER, heartbeatAt: new Date() },
    });
    if (taken.count === 0) continue;
    const cleanup = cleanups.get(job.kind as JobKind);
    const completed = cleanup === undefined ? undefined : await cleanup(db, job);
    const theProcess = `The process running this ${job.kind} (${job.runner ?? "unknown"})`;
    await db.job.update({
      where: { id: job.id },
      data: {
        finishedAt: new Date(),
        ...(completed
          ? { status: "succeeded", result: completed.result, message: `${theProcess} stopped after the ${job.kind} was complete but before it recorded so; the ${job.kind} is kept as it finished.` }
          : { status: "failed", message: `${theProcess} stopped before it finished; nothing it had started was kept. Run the ${job.kind} again.` }),
      },
    });
    if (!completed) failed += 1;
  }
  return failed;
}

/** Asks a running job to stop; it stops at its next batch. */
export async function requestCancel(db: Db, projectId: string, id: string): Promise<JobView> {
  await db.job.updateMany({
    where: { id, projectId, status: { in: ["queued", "running"] } },
    data: { cancelRequested: true },
  });
  return getJob(db, projectId, id);
}

/** A project's jobs of one kind, newest first. */
export function listJobs(db: Db, projectId: string, kind: JobKind, take = 20): Promise<JobView[]> {
  return db.job.findMany({
    where: { projectId, kind },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: jobSelect,
  });
}

/** One job of a project. */
export async function getJob(db: Db, projectId: string, id: string): Promise<JobView> {
  const job = await db.job.findFirst({ where: { id, projectId }, select: jobSelect });
  if (job === null) throw new NotFoundError("There is no such job in this project.");
  return job;
}
