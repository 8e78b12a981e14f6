/**
 * `studio import --project S --stage draft|review|accepted FILE.jsonl [--rejects FILE]`
 * (SPEC §6): imports candidate examples, one JSON object per line. Valid lines are imported,
 * lines whose source id the project already has are skipped, invalid lines go to the rejects
 * file (default `FILE.rejects.jsonl`) with their reasons; a summary is printed.
 *
 * Runs as a job recorded in the database, like an upload from the web app: unfinished jobs of
 * processes that died are recovered first (their staged examples deleted), progress is a bar on
 * a terminal and plain lines otherwise (kibibytes of the file read), and Ctrl-C cancels cleanly.
 * Exit status: 0 when every line was imported (skipped lines count as fine), 1 when some were
 * rejected (or the import failed), 2 for usage and I/O errors (unknown project or stage, a file
 * that is missing, unreadable or not UTF-8, a rejects file that cannot be written).
 */
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { defaultRejectsFile, IMPORT_PROGRESS_UNIT, IMPORT_STAGES, importFile, ImportFileError, type ImportReport, type ImportStage } from "../services/import/importer.ts";
import { JobCancelledError, recoverJobs, runJob, startJob } from "../services/jobs.ts";
import { findProjectIdBySlug } from "../services/projects.ts";
import { cancelOnInterrupt, createProgress } from "./progress.ts";
import { CommandError, exitTwoOnUsageErrors, runCommand, UsageError, withDatabase } from "./support.ts";

interface ImportCommandOptions {
  project: string;
  stage: ImportStage;
  rejects?: string;
}

const count = (n: number) => n.toLocaleString("en-US");

function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? "" : "s"}`;
}

/** The summary a person reads when the import is done. */
function summary(slug: string, stage: ImportStage, file: string, report: ImportReport): string {
  const lines = [
    `Read ${plural(report.lines, "line")} of ${file} into project "${slug}" as ${stage}: ` +
      `${count(report.imported)} imported, ${count(report.skipped)} skipped, ${count(report.rejected)} rejected.`,
  ];
  if (report.skipped > 0) {
    const more = report.skipped - report.skippedSourceIds.length;
    lines.push(
      `Skipped (source id already in the project, or earlier in the file): ${report.skippedSourceIds.join(", ")}${more > 0 ? ` and ${count(more)} more` : ""}.`,
    );
  }
  if (report.rejected > 0) {
    lines.push(`Rejected (every one is in ${report.rejectsFile} with "error" and "line" added; fix them there and import that file):`);
    for (const rejection of report.rejections) lines.push(`  line ${rejection.line}: ${rejection.reason}`);
    const more = report.rejected - report.rejections.length;
    if (more > 0) lines.push(`  … and ${count(more)} more.`);
  }
  return `${lines.join("\n")}\n`;
}

async function runImport(fileArgument: string, options: ImportCommandOptions): Promise<void> {
  const file = resolve(fileArgument);
  const rejectsFile = resolve(options.rejects ?? defaultRejectsFile(fileArgument));
  await withDatabase(async (db) => {
    await recoverJobs(db);
    const projectId = await findProjectIdBySlug(db, options.project);
    if (projectId === null) throw new UsageError(`There is no project "${options.project}". Check the slug (studio project create makes one).`);
    const run = await startJob(db, { projectId, kind: "import", params: { stage: options.stage, file, rejectsFile }, createdById: null });
    const progress = createProgress("Importing", IMPORT_PROGRESS_UNIT);
    run.onProgress((done, total) => progress.update(done, total));
    const stopListening = cancelOnInterrupt(db, projectId, run.id, "import");
    const outcome = await runJob(db, run, "import", () => importFile(db, { projectId, stage: options.stage, file, rejectsFile, run }));
    stopListening();
    progress.stop();
    if (outcome.ok) {
      process.stdout.write(summary(options.project, options.stage, fileArgument, outcome.result));
      process.exitCode = outcome.result.rejected > 0 ? 1 : 0;
      return;
    }
    const { error } = outcome;
    if (error instanceof ImportFileError) throw new UsageError(error.message);
    if (error instanceof JobCancelledError) throw new CommandError("The import was cancelled; nothing of it was kept.");
    throw new CommandError(`The import failed and nothing of it was kept: ${error.message}`);
  });
}

/** The `import` command. */
export function importCommand(): Command {
  return exitTwoOnUsageErrors(
    new Command("import")
      .description("import examples from a JSONL file (one {\"text\": …} object per line; see SPEC §6)")
      .argument("<file>", "the .jsonl file to import")
      .requiredOption("--project <slug>", "the project to import into")
      .addOption(new Option("--stage <stage>", "the stage the examples go to").choices(IMPORT_STAGES).makeOptionMandatory())
      .option("--rejects <file>", "where rejected lines go (default: FILE.rejects.jsonl)")
      .action((file: string, options: ImportCommandOptions) => runCommand(() => runImport(file, options))),
  );
}
