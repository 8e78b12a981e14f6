import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { EditorView } from "prosemirror-view";
import { useMemo, useRef } from "react";
import { useNavigate } from "react-router";
import { errorMessage, useTRPC } from "../trpc.ts";
import { ActionBar } from "../workflow/ActionBar.tsx";
import { FlagList } from "../workflow/FlagList.tsx";
import { GuidelinesAside } from "../workflow/GuidelinesAside.tsx";
import { selectInView } from "../workflow/highlights.ts";
import { RevisionText, type RangeHighlight } from "../workflow/RevisionText.tsx";
import { verdictLabel, when, words, type FlagView, type ReviewView } from "../workflow/vocabulary.ts";
import { ReviewedHeader } from "../workflow/ReviewedHeader.tsx";
import { ReviewedExample, useReviewedDoc, type Example, type Review } from "../workflow/ReviewedExample.tsx";
import "../workflow/workflow.css";


/** How many reviewers get a colour of their own in the overlay; more share the last ones again. */
const REVIEWER_COLOURS = 4;

/**
 * The adjudication page (`/examples/:id/adjudicate`): every review of the round side by side,
 * their flags overlaid on the reviewed text in one colour per reviewer, uphold or dismiss per
 * flag, then the decision (accept, return to draft or commentary, reject) from the stage machine.
 */
export function AdjudicationPage() {
  return <ReviewedExample Workspace={AdjudicationWorkspace} />;
}

function AdjudicationWorkspace({ example, review }: { example: Example; review: Review }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { doc, offsets } = useReviewedDoc(example, review);
  const viewRef = useRef<EditorView | null>(null);
  const text = review.revision.text;
  const reviews = useMemo<readonly ReviewView[]>(() => [...(review.mine ? [review.mine] : []), ...review.others], [review.mine, review.others]);
  const open = example.stage === "adjudication";

  const highlights = useMemo<RangeHighlight[]>(
    () =>
      reviews.flatMap((r, index) =>
        r.flags.map((f) => ({
          id: f.id,
          start: f.start,
          end: f.end,
          className: `flag-reviewer-${index % REVIEWER_COLOURS}${f.decision ? ` flag-${f.decision}` : ""}`,
          title: `${words(f.category)} (${f.severity}), raised by ${r.reviewer.name}${f.decision ? `, ${f.decision}` : ""}`,
        })),
      ),
    [reviews],
  );

  const decide = useMutation(
    trpc.adjudication.decideFlag.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.reviews.get.queryKey({ exampleId: example.id }) }),
    }),
  );

  function show(flag: FlagView) {
    const view = viewRef.current;
    if (!view) return;
    const { from, to } = offsets.toPositions(flag);
    selectInView(view, from, to);
  }

  const undecided = reviews.reduce((n, r) => n + r.flags.filter((f) => !f.decision).length, 0);
  return (
    <section className="adjudication-page">
      <ReviewedHeader title="Adjudication" example={example} revisionNumber={review.revision.number} round={review.round} />
      <div className="columns">
        <div>
          <ul className="reviewer-legend" aria-label="Reviewers">
            {reviews.map((r, index) => (
              <li key={r.id}>
                <span className={`swatch flag-reviewer-${index % REVIEWER_COLOURS}`} aria-hidden="true" /> {r.reviewer.name}: {verdictLabel(r.verdict)}
              </li>
            ))}
          </ul>
          <RevisionText doc={doc} label="Reviewed text" highlights={highlights} viewRef={viewRef} offsets={offsets} />
        </div>
        <GuidelinesAside projectSlug={example.project.slug} />
      </div>
      <h2>Reviews</h2>
      <div className="reviews-side-by-side">
        {reviews.map((r, index) => (
          <section key={r.id} className={`card review-column reviewer-${index % REVIEWER_COLOURS}`} aria-label={`Review by ${r.reviewer.name}`}>
            <h3>
              <span className={`swatch flag-reviewer-${index % REVIEWER_COLOURS}`} aria-hidden="true" /> {r.reviewer.name}
            </h3>
            <p>
              Verdict: <strong>{verdictLabel(r.verdict)}</strong>
              {r.submittedAt && <span className="muted"> · {when(r.submittedAt)}</span>}
            </p>
            <FlagList
              exampleId={example.id}
              text={text}
              flags={r.flags}
              label={`Flags by ${r.reviewer.name}`}
              canComment={open}
              onShow={show}
              controls={(flag, name) =>
                open && (
                  <>
                    <button type="button" className="secondary" aria-pressed={flag.decision === "upheld"} disabled={decide.isPending} onClick={() => decide.mutate({ exampleId: example.id, flagId: flag.id, decision: "upheld" })}>
                      Uphold<span className="visually-hidden"> {name}</span>
                    </button>
                    <button type="button" className="secondary" aria-pressed={flag.decision === "dismissed"} disabled={decide.isPending} onClick={() => decide.mutate({ exampleId: example.id, flagId: flag.id, decision: "dismissed" })}>
                      Dismiss<span className="visually-hidden"> {name}</span>
                    </button>
                  </>
                )
              }
            />
          </section>
        ))}
      </div>
      {decide.error && <p role="alert" className="error">{errorMessage(decide.error)}</p>}
      {open && (
        <>
          <h2>Decision</h2>
          {undecided > 0 && <p className="muted">{undecided === 1 ? "One flag is" : `${undecided} flags are`} not decided yet.</p>}
          <ActionBar exampleId={example.id} label="Decision" onDone={() => void navigate(`/examples/${example.id}`)} />
        </>
      )}
    </section>
  );
}
