import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { GradeImport } from "../assist/GradeImport.tsx";
import { errorMessage, useTRPC } from "../trpc.ts";
import { isUnfinished, JOB_POLL_MS, JobProgress, type Job } from "./JobProgress.tsx";
import { uploadImport } from "./upload.ts";

/** The stages an import can put examples in (SPEC §6). */
const IMPORT_STAGES = ["draft", "review", "accepted"] as const;

/** An import's report, as the job's result holds it. */
interface ImportReport {
  lines: number;
  imported: number;
  skipped: number;
  rejected: number;
  rejections?: Array<{ line: number; reason: string }>;
  skippedSourceIds?: string[];
}

/**
 * For project admins on the project page: upload a `.jsonl` file of examples (SPEC §6) to
 * import, watch it, and read each import's report — how many lines were imported, skipped as
 * already imported, or rejected and why — with the rejects file to download, and (when the
 * project has graders) grade the examples it imported.
 */
export function ImportPanel({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const imports = useQuery({
    ...trpc.imports.list.queryOptions({ projectSlug: slug }),
    refetchInterval: (query) => (query.state.data?.some(isUnfinished) ? JOB_POLL_MS : false),
  });
  // The upload returns while its import still runs: the examples it adds are listed once it ends.
  const unfinished = imports.data?.filter(isUnfinished).length ?? 0;
  const wasUnfinished = useRef(unfinished);
  useEffect(() => {
    if (unfinished < wasUnfinished.current) void queryClient.invalidateQueries(trpc.examples.list.pathFilter());
    wasUnfinished.current = unfinished;
  }, [unfinished, queryClient, trpc]);
  const [file, setFile] = useState<File | null>(null);
  const [stage, setStage] = useState<(typeof IMPORT_STAGES)[number]>("review");
  const [sent, setSent] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function upload(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setError(null);
    setSent(0);
    try {
      await uploadImport(slug, stage, file, setSent);
      setFile(null);
      (event.target as HTMLFormElement).reset();
      await queryClient.invalidateQueries(trpc.imports.list.queryFilter({ projectSlug: slug }));
      await queryClient.invalidateQueries(trpc.examples.list.pathFilter());
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setSent(null);
    }
  }

  return (
    <section aria-labelledby="import-title" className="card">
      <h2 id="import-title">Import</h2>
      <p className="muted">
        One JSON object per line: <code>text</code>, and optionally <code>id</code>, <code>source</code>, <code>scenario</code>,{" "}
        <code>marks</code> and <code>grader</code>. Lines already imported are skipped; invalid lines are set aside with the reason.
      </p>
      <form onSubmit={(event) => void upload(event)} className="import-form">
        <label>
          File to import
          <input type="file" accept=".jsonl,.ndjson,application/x-ndjson" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <label>
          Import into stage
          <select value={stage} onChange={(e) => setStage(IMPORT_STAGES.find((s) => s === e.target.value) ?? "review")}>
            {IMPORT_STAGES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!file || sent !== null}>
          Import
        </button>
      </form>
      {sent !== null && (
        <p>
          <progress aria-label="Upload progress" max={1} value={sent} /> Uploading… {Math.floor(sent * 100)}%
        </p>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      {imports.error && <p role="alert" className="error">{errorMessage(imports.error)}</p>}
      {imports.data && imports.data.length > 0 && (
        <ul className="job-list" aria-label="Imports">
          {imports.data.map((job) => (
            <ImportEntry key={job.id} slug={slug} job={job} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ImportEntry({ slug, job }: { slug: string; job: Job }) {
  const params = job.params as { fileName?: string; stage?: string } | null;
  const report = job.result as ImportReport | null;
  return (
    <li className="job" aria-label={`Import of ${params?.fileName ?? "a file"}`}>
      <div className="job-title">
        <strong>{params?.fileName ?? "Import"}</strong> <span className="muted">into {params?.stage} · {new Date(job.createdAt).toLocaleString()}</span>
      </div>
      <JobProgress job={job} label="Import progress" />
      {report && (
        <div className="import-report" role="group" aria-label="Import report">
          <p>
            {report.imported.toLocaleString()} imported, {report.skipped.toLocaleString()} skipped, {report.rejected.toLocaleString()} rejected
            {" "}of {report.lines.toLocaleString()} lines.
          </p>
          {report.skipped > 0 && report.skippedSourceIds && report.skippedSourceIds.length > 0 && (
            <p className="muted">Skipped (already imported): {report.skippedSourceIds.join(", ")}{report.skipped > report.skippedSourceIds.length ? ", …" : ""}</p>
          )}
          {report.rejected > 0 && (
            <>
              <ul aria-label="Rejected lines">
                {(report.rejections ?? []).map((rejection) => (
                  <li key={rejection.line}>
                    Line {rejection.line}: {rejection.reason}
                  </li>
                ))}
              </ul>
              <a href={`/api/projects/${encodeURIComponent(slug)}/imports/${job.id}/rejects`} download>
                Download rejects
              </a>
            </>
          )}
          {job.status === "succeeded" && report.imported > 0 && <GradeImport slug={slug} importJobId={job.id} />}
        </div>
      )}
    </li>
  );
}
