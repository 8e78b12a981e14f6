/**
 * `studio export --project S --out DIR [--format jsonl|parquet|both] [--tokenizer
 * o200k_base|cl100k_base|none]` (SPEC §6): writes an export snapshot (SPEC §5) of the project's
 * accepted examples into DIR, which must not exist yet. Defaults: both formats (the layout of
 * SPEC §5 shows JSONL and Parquet side by side) and the o200k_base tokenizer. Optional filters
 * (SPEC §5): `--scenario KEY`, `--category C` (examples with a bad-behaviour mark of C), and
 * `--created-from DAY` / `--created-to DAY` (YYYY-MM-DD, UTC, both inclusive).
 *
 * Runs as a job recorded in the database, like an export started from the web app: unfinished
 * jobs of processes that died are recovered first (their temporary folders removed), progress
 * is a bar on a terminal and plain lines otherwise, and Ctrl-C cancels cleanly. Exit status: 0
 * when the snapshot is written; 2 for usage and I/O errors (unknown project, DIR exists, its
 * parent missing or not writable, a full disk); 1 when there is nothing to export or the export
 * failed otherwise.
 */
import { Command, Option } from "commander";
import { describeFilters } from "@prealign/core";
import { EXPORT_FORMATS, EXPORT_PROGRESS_UNIT, EXPORT_TOKENIZERS, exportSnapshot, ExportRefusedError, type ExportFormat, type ExportSummary, type ExportTokenizer } from "../services/export/exporter.ts";
import { InvalidInputError } from "../errors.ts";
import { JobCancelledError, recoverJobs, runJob, startJob } from "../services/jobs.ts";
import { findProjectIdBySlug } from "../services/projects.ts";
import { cancelOnInterrupt, createProgress } from "./progress.ts";
import { CommandError, exitTwoOnUsageErrors, runCommand, UsageError, withDatabase } from "./support.ts";

interface ExportCommandOptions {
  project: string;
  out: string;
  format: ExportFormat;
  tokenizer: ExportTokenizer;
  scenario?: string;
  category?: string;
  createdFrom?: string;
  createdTo?: string;
}

const count = (n: number) => n.toLocaleString("en-US");

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;
}

/** The summary a person reads when the export is done. */
function report(slug: string, summary: ExportSummary): string {
  const splits = Object.entries(summary.splits)
    .filter(([, records]) => records > 0)
    .map(([split, records]) => `${split} ${count(records)}`)
    .join(", ");
  const lines = [`Exported ${count(summary.records)} examples of project "${slug}" to ${summary.path} (${splits}).`];
  const filters = describeFilters(summary.filters);
  if (filters !== "none") lines.push(`Filters: ${filters}.`);
  if (summary.duplicates.count > 0) {
    const shown = summary.duplicates.examples.slice(0, 5).map((d) => `${d.id} (same text as ${d.duplicateOf})`);
    const more = summary.duplicates.count - shown.length;
    lines.push(`Left out ${count(summary.duplicates.count)} duplicate text${summary.duplicates.count === 1 ? "" : "s"}: ${shown.join(", ")}${more > 0 ? ` and ${count(more)} more (see manifest.json)` : ""}.`);
  }
  lines.push(
    summary.previousSnapshotId === null
      ? "This is the project's first snapshot."
      : `Since snapshot ${summary.previousSnapshotId}: ${count(summary.added)} added, ${count(summary.removed)} removed (listed in manifest.json).`,
  );
  lines.push("Files:");
  for (const shard of summary.shards) {
    lines.push(`  ${shard.path}  ${count(shard.records)} records  ${megabytes(shard.bytes)}  sha256 ${shard.sha256}`);
  }
  if (summary.totals.tokens !== null) lines.push(`Tokens: ${count(summary.totals.tokens)} (${summary.tokenizer}).`);
  lines.push(`Snapshot ${summary.snapshotId}.`);
  return `${lines.join("\n")}\n`;
}

async function runExport(options: ExportCommandOptions): Promise<void> {
  await withDatabase(async (db) => {
    await recoverJobs(db);
    const projectId = await findProjectIdBySlug(db, options.project);
    if (projectId === null) throw new UsageError(`There is no project "${options.project}". Check the slug (studio project create makes one).`);
    const filters = { scenario: options.scenario, category: options.category, createdFrom: options.createdFrom, createdTo: options.createdTo };
    const run = await startJob(db, { projectId, kind: "export", params: { outDir: options.out, format: options.format, tokenizer: options.tokenizer, filters }, createdById: null });
    const progress = createProgress("Exporting", EXPORT_PROGRESS_UNIT);
    run.onProgress((done, total) => progress.update(done, total));
    const stopListening = cancelOnInterrupt(db, projectId, run.id, "export");
    const outcome = await runJob(db, run, "export", () => exportSnapshot(db, { projectId, outDir: options.out, format: options.format, tokenizer: options.tokenizer, run, filters, dedicated: true }));
    stopListening();
    progress.stop();
    if (outcome.ok) {
      process.stdout.write(report(options.project, outcome.result));
      return;
    }
    const { error } = outcome;
    if (error instanceof ExportRefusedError) {
      if (error.reason === "empty") throw new CommandError(error.message);
      throw new UsageError(error.message);
    }
    // Filters that name no scenario of the project, no category or no day.
    if (error instanceof InvalidInputError) throw new UsageError(error.message);
    if (error instanceof JobCancelledError) throw new CommandError("The export was cancelled; nothing of it was kept.");
    throw new CommandError(`The export failed and nothing of it was kept: ${error.message}`);
  });
}

/** The `export` command. */
export function exportCommand(): Command {
  return exitTwoOnUsageErrors(
    new Command("export")
      .description("write an export snapshot of a project's accepted examples into a new folder")
      .requiredOption("--project <slug>", "the project to export")
      .requiredOption("--out <dir>", "the folder to create (it must not exist)")
      .addOption(new Option("--format <format>", "shard format").choices(EXPORT_FORMATS).default("both"))
      .addOption(new Option("--tokenizer <tokenizer>", "tokenizer of input_ids").choices(EXPORT_TOKENIZERS).default("o200k_base"))
      .option("--scenario <key>", "only examples written for this scenario")
      .option("--category <category>", "only examples with a bad-behaviour mark of this category")
      .option("--created-from <day>", "only examples created on or after this day (YYYY-MM-DD, UTC)")
      .option("--created-to <day>", "only examples created on or before this day (YYYY-MM-DD, UTC)")
      .action((options: ExportCommandOptions) => runCommand(() => runExport(options))),
  );
}
