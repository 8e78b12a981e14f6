import type { RouterOutputs } from "@prealign/api";

/** A job as the API returns it. */
export type Job = RouterOutputs["jobs"]["get"];

/** Whether a job may still change (so its page keeps asking for news). */
export function isUnfinished(job: Pick<Job, "status">): boolean {
  return job.status === "queued" || job.status === "running";
}

/** How often pages ask for news while a job they show is unfinished, in milliseconds. */
export const JOB_POLL_MS = 500;

const STATUS_LABELS: Record<string, string> = {
  queued: "Waiting",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

/**
 * A job's progress: a progress bar named `label` while it runs (indeterminate until its total
 * is known), then how it ended, with the reason of a failure.
 */
export function JobProgress({ job, label }: { job: Job; label: string }) {
  const percent = job.total ? Math.min(100, Math.floor((job.done / job.total) * 100)) : null;
  return (
    <div className="job-progress">
      <span className={`job-status job-${job.status}`}>{STATUS_LABELS[job.status] ?? job.status}</span>
      {isUnfinished(job) && (
        <>
          {job.total ? <progress aria-label={label} max={job.total} value={job.done} /> : <progress aria-label={label} />}
          <span className="muted">{percent === null ? `${job.done.toLocaleString()} so far` : `${percent}%`}</span>
        </>
      )}
      {job.status === "failed" && job.message && <p role="alert" className="error">{job.message}</p>}
    </div>
  );
}

/** A size in bytes as people read it. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
