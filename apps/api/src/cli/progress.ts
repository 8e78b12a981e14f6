/**
 * Progress of a long command (import, export, backup) on standard error, and its Ctrl-C: a bar drawn by
 * `cli-progress` on a terminal, plain lines otherwise (one every few seconds and one at the
 * end), so that logs of scripted runs stay readable.
 */
import { SingleBar } from "cli-progress";
import type { Db } from "../db/database.ts";
import { requestCancel } from "../services/jobs.ts";

/** What a long command reports as it goes. */
export interface Progress {
  /** `done` units of `total` (null while the total is unknown). */
  update(done: number, total: number | null): void;
  /** Clears the bar (a terminal) or writes the last line (otherwise). */
  stop(): void;
}

/** How often plain progress lines are written. */
const LINE_INTERVAL_MS = 2_000;

/** A progress reporter for `label` ("Importing", "Exporting"), counting `unit`s. */
export function createProgress(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: true,
    });
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total ?? 0, done);
          started = true;
        }
        if (total !== null) bar.setTotal(total);
        bar.update(done);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  let latest: { done: number; total: number | null } | null = null;
  const line = ({ done, total }: { done: number; total: number | null }) =>
    stream.write(
      total === null || total === 0
        ? `${label}: ${done} ${unit}\n`
        : `${label}: ${done}/${total} ${unit} (${Math.floor((done / total) * 100)}%)\n`,
    );
  return {
    update(done, total) {
      latest = { done, total };
      if (Date.now() - last >= LINE_INTERVAL_MS) {
        last = Date.now();
        line(latest);
      }
    },
    stop() {
      if (latest !== null) line(latest);
    },
  };
}

/**
 * Asks the running job to stop on the first Ctrl-C (it stops between batches and cleans up);
 * a second Ctrl-C quits at once. Returns what stops listening.
 */
export function cancelOnInterrupt(db: Db, projectId: string, jobId: string, kind: "import" | "export"): () => void {
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nstudio: stopping the ${kind}; nothing of it will be kept (Ctrl-C again to quit at once)…\n`);
    void requestCancel(db, projectId, jobId).catch(() => undefined);
  };
  process.on("SIGINT", onInterrupt);
  return () => process.off("SIGINT", onInterrupt);
}
