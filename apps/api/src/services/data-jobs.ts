/**
 * Imports and exports started from the web app: where their files live in the server's data
 * folder, starting them as background jobs in this process, and what the Exports and Import
 * panels list. The work itself is the same as the command line's (`importFile`,
 * `exportSnapshot`); only the files' places and the job's starter differ.
 *
 * The data folder (`STUDIO_DATA_DIR`, default `./data`) holds `imports/` (uploads and their
 * rejects files) and `exports/<project>/<folder>` (snapshots).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Db, Prisma } from "../db/database.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import type { ProjectAccess } from "./access.ts";
import { exportSnapshot, type ExportFormat, type ExportTokenizer } from "./export/exporter.ts";
import { resolveFilters, unfiltered, type ExportFilters } from "./export/filters.ts";
import { countAccepted, pageFiltersOf } from "./export/source.ts";
import { importFile, type ImportStage } from "./import/importer.ts";
import { getJob, listJobs, runJob, startJob, type JobView } from "./jobs.ts";

/** The folder uploads and their rejects files are kept in. */
export function importsFolder(dataDir: string): string {
  return join(dataDir, "imports");
}

/** The folder a project's snapshots are written to. */
export function exportsFolder(dataDir: string, projectSlug: string): string {
  return join(dataDir, "exports", projectSlug);
}

/** The jobs this process is running, so that shutting down can wait for them. */
const running = new Set<Promise<unknown>>();

/** Resolves when every job this process started has finished. */
export async function jobsSettled(): Promise<void> {
  await Promise.allSettled([...running]);
}

/** Runs `work` in the background, tracked so that {@link jobsSettled} waits for it (grading runs use it too). */
export function inBackground(work: Promise<unknown>): void {
  const tracked = work.catch(() => undefined).finally(() => running.delete(tracked));
  running.add(tracked);
}

/** What an upload becomes: the job that imports it. */
export interface ImportRequest {
  stage: ImportStage;
  /** The uploaded file, already complete on disk in {@link importsFolder}. */
  file: string;
  /** The name the file had on the uploader's machine, for the report. */
  fileName: string;
}

/** Starts importing an uploaded file into the caller's project; returns the job at once. */
export async function startImport(db: Db, access: ProjectAccess, request: ImportRequest): Promise<JobView> {
  const rejectsFile = `${request.file.replace(/\.jsonl$/, "")}.rejects.jsonl`;
  const params = { stage: request.stage, file: request.file, fileName: request.fileName, rejectsFile };
  const run = await startJob(db, { projectId: access.projectId, kind: "import", params, createdById: access.userId });
  inBackground(
    runJob(db, run, "import", async () =>
      importFile(db, { projectId: access.projectId, stage: request.stage, file: request.file, rejectsFile, run }),
    ),
  );
  return getJob(db, access.projectId, run.id);
}

/** What an export is asked for. */
export interface ExportRequest {
  format: ExportFormat;
  tokenizer: ExportTokenizer;
  filters?: ExportFilters;
}

/** A folder name for a snapshot taken now: its UTC time, sortable, plus a few letters of its job. */
function snapshotFolderName(jobId: string, now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${jobId.slice(-6)}`;
}

/** Starts exporting the caller's project into the data folder; returns the job at once. */
export async function startExport(db: Db, access: ProjectAccess, dataDir: string, request: ExportRequest): Promise<JobView> {
  // Checked before the job starts, so that the person sees what is wrong at once (the export checks them again).
  const filters = await resolveFilters(db, access.projectId, request.filters);
  if ((await countAccepted(db, access.projectId, pageFiltersOf(filters))) === 0) {
    throw new InvalidInputError(
      unfiltered(filters)
        ? "There is nothing to export: this project has no accepted examples yet. Accept some examples first."
        : "There is nothing to export: no accepted example matches the filters. Widen or remove them.",
    );
  }
  const parent = exportsFolder(dataDir, access.projectSlug);
  await mkdir(parent, { recursive: true });
  const run = await startJob(db, { projectId: access.projectId, kind: "export", params: { format: request.format, tokenizer: request.tokenizer, filters: { ...filters.record } }, createdById: access.userId });
  const outDir = join(parent, snapshotFolderName(run.id));
  inBackground(
    runJob(db, run, "export", async () =>
      exportSnapshot(db, { projectId: access.projectId, outDir, format: request.format, tokenizer: request.tokenizer, filters: request.filters, run }),
    ),
  );
  return getJob(db, access.projectId, run.id);
}

/** The fields of a snapshot its list shows (not its ids). */
const snapshotSelect = {
  id: true,
  jobId: true,
  path: true,
  records: true,
  bytes: true,
  summary: true,
  createdAt: true,
} satisfies Prisma.SnapshotSelect;

/** A snapshot as the Exports page shows it (`bytes` as a number: JSON has no BigInt). */
export interface SnapshotView {
  id: string;
  jobId: string;
  path: string;
  records: number;
  bytes: number;
  summary: Prisma.JsonValue;
  createdAt: Date;
}

function snapshotView(row: Prisma.SnapshotGetPayload<{ select: typeof snapshotSelect }>): SnapshotView {
  return { ...row, bytes: Number(row.bytes) };
}

/** A project's snapshots, newest first. */
export async function listSnapshots(db: Db, access: ProjectAccess, take = 50): Promise<SnapshotView[]> {
  const rows = await db.snapshot.findMany({
    where: { projectId: access.projectId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: snapshotSelect,
  });
  return rows.map(snapshotView);
}

/** One snapshot of the caller's project. */
export async function getSnapshot(db: Db, access: ProjectAccess, id: string): Promise<SnapshotView> {
  const row = await db.snapshot.findFirst({ where: { id, projectId: access.projectId }, select: snapshotSelect });
  if (row === null) throw new NotFoundError("There is no such snapshot in this project. Pick one from the Exports page.");
  return snapshotView(row);
}

/** A project's imports or exports, newest first. */
export function listDataJobs(db: Db, access: ProjectAccess, kind: "import" | "export"): Promise<JobView[]> {
  return listJobs(db, access.projectId, kind);
}
