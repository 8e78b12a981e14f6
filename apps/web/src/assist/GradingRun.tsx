import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { isUnfinished, JOB_POLL_MS, JobProgress, type Job } from "../data/JobProgress.tsx";
import { useTRPC } from "../trpc.ts";

/** A grading run's result, as its job holds it. */
interface GradingResult {
  graded?: number;
  alreadyGraded?: number;
  refusedCount?: number;
  refused?: { message: string }[];
}

/**
 * The project's grading runs, newest first, asked for again while one is unfinished; and
 * `start`, which starts a run (`assist.grade`) and then asks for the runs again.
 */
export function useGradingRuns(slug: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const runs = useQuery({
    ...trpc.assist.gradingJobs.queryOptions({ projectSlug: slug }),
    refetchInterval: (query) => (query.state.data?.some(isUnfinished) ? JOB_POLL_MS : false),
  });
  const start = useMutation(
    trpc.assist.grade.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.assist.gradingJobs.queryKey({ projectSlug: slug }) }) }),
  );
  return { runs, start };
}

/** One grading run: its progress while it runs, then how many revisions were graded, already graded, or refused. */
export function GradingRun({ job }: { job: Job }) {
  const result = job.result as GradingResult | null;
  return (
    <>
      <JobProgress job={job} label="Grading progress" />
      {result && (
        <p>
          {result.graded ?? 0} graded, {result.alreadyGraded ?? 0} already graded, {result.refusedCount ?? 0} answers refused
          {result.refused?.[0] ? ` (first: ${result.refused[0].message.replace(/\.$/, "")})` : ""}.
        </p>
      )}
    </>
  );
}
