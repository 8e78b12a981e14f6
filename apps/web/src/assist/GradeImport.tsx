import { isUnfinished } from "../data/JobProgress.tsx";
import { errorMessage } from "../trpc.ts";
import { useAssistStatus } from "./DraftPanel.tsx";
import { GradingRun, useGradingRuns } from "./GradingRun.tsx";
import "./assist.css";

/**
 * "Grade this import", under an import's report on the project page: runs every grader of the
 * project over the examples that import created (`assist.grade` with its job id) and shows each
 * such run's progress and result. Shows nothing while the project has no graders.
 */
export function GradeImport({ slug, importJobId }: { slug: string; importJobId: string }) {
  const status = useAssistStatus(slug);
  if (!status.data?.configured || status.data.graders.length === 0) return null;
  return <ImportGrading slug={slug} importJobId={importJobId} />;
}

function ImportGrading({ slug, importJobId }: { slug: string; importJobId: string }) {
  const { runs, start } = useGradingRuns(slug);
  const ofThisImport = (runs.data ?? []).filter((job) => (job.params as { importJobId?: string } | null)?.importJobId === importJobId);
  return (
    <div className="grade-import">
      <button
        type="button"
        className="secondary"
        // One run at a time per import: a second would only count the first one's reports as already graded.
        disabled={start.isPending || ofThisImport.some(isUnfinished)}
        onClick={() => start.mutate({ projectSlug: slug, graders: [], importJobId })}
      >
        Grade this import
      </button>
      {start.error && <p role="alert" className="error">{errorMessage(start.error)}</p>}
      {ofThisImport.length > 0 && (
        <ul className="suggestion-list" aria-label="Grading runs of this import">
          {ofThisImport.map((job) => (
            <li key={job.id}>
              <GradingRun job={job} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
