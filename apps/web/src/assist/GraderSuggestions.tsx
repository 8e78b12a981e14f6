import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@prealign/api";
import { useState } from "react";
import { FLAG_CATEGORIES, FLAG_SEVERITIES, type FlagCategory, type FlagSeverity } from "@prealign/core";
import { errorMessage, useTRPC } from "../trpc.ts";
import { excerpt, verdictLabel, words, type FlagView } from "../workflow/vocabulary.ts";
import "./assist.css";

type Report = RouterOutputs["assist"]["suggestions"][number];
type Suggested = Report["flags"][number];

function keyOf(report: Report, index: number): string {
  return `${report.id}:${index}`;
}

/** Whether the reviewer already has a flag like the suggestion (same range and category). */
function adopted(flag: Suggested, mine: readonly FlagView[]): boolean {
  return mine.some((own) => own.start === flag.start && own.end === flag.end && own.category === flag.category);
}

/**
 * Model graders' suggested flags on the reviewed revision (run here or imported with the
 * example): suggestions, never a review. Accepting one makes it the reviewer's own flag, with
 * the grader's comment as its first comment; dismissing hides it for this reviewer on this page.
 */
export function GraderSuggestions({
  exampleId,
  text,
  mine,
  canAct,
}: {
  exampleId: string;
  text: string;
  mine: readonly FlagView[];
  /** False once the review is submitted (the suggestions are still shown). */
  canAct: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reports = useQuery(trpc.assist.suggestions.queryOptions({ exampleId }));
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const add = useMutation(
    trpc.reviews.addFlag.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.reviews.get.queryKey({ exampleId }) }),
    }),
  );
  if (reports.error) return <p role="alert" className="error">{errorMessage(reports.error)}</p>;
  if (!reports.data || reports.data.length === 0) return null;
  const open = reports.data.flatMap((report) =>
    report.flags.map((flag, index) => ({ report, flag, key: keyOf(report, index) })).filter(({ flag, key }) => !dismissed.has(key) && !adopted(flag, mine)),
  );

  return (
    <section className="card" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">Graders' suggestions ({open.length})</h2>
      <p className="muted">
        {reports.data.map((report) => `${report.grader}: ${verdictLabel(report.verdict)}${report.score === null ? "" : `, score ${report.score}`}`).join(" · ")}.
        Suggestions from model graders, not reviews: accept one to make it your own flag, or dismiss it.
      </p>
      {open.length === 0 ? (
        <p className="muted">No suggestions left.</p>
      ) : (
        <ul className="suggestion-list" aria-label="Graders' suggestions">
          {open.map(({ report, flag, key }) => {
            const quoted = excerpt(text, flag.start, flag.end);
            return (
              <li key={key}>
                <strong>{words(flag.category)}</strong> ({flag.severity}) “{quoted}” <span className="muted">by {report.grader}</span>
                {flag.comment && <p>{flag.comment}</p>}
                {canAct && (
                  <div className="form-actions">
                    <button
                      type="button"
                      disabled={add.isPending || !FLAG_CATEGORIES.includes(flag.category as FlagCategory)}
                      onClick={() =>
                        add.mutate({
                          exampleId,
                          start: flag.start,
                          end: flag.end,
                          category: flag.category as FlagCategory,
                          severity: FLAG_SEVERITIES.includes(flag.severity as FlagSeverity) ? (flag.severity as FlagSeverity) : "major",
                          comment: flag.comment || `Suggested by ${report.grader}.`,
                        })
                      }
                    >
                      Accept<span className="visually-hidden"> suggestion “{quoted}”</span>
                    </button>
                    <button type="button" className="secondary" onClick={() => setDismissed((current) => new Set([...current, key]))}>
                      Dismiss<span className="visually-hidden"> suggestion “{quoted}”</span>
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {add.error && <p role="alert" className="error">{errorMessage(add.error)}</p>}
    </section>
  );
}
