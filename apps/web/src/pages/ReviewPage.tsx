import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { EditorView } from "prosemirror-view";
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { docModeSpans, VERDICTS, type Verdict } from "@prealign/core";
import { GraderSuggestions } from "../assist/GraderSuggestions.tsx";
import { workPath } from "../components/TakeNextButton.tsx";
import { errorMessage, useTRPC } from "../trpc.ts";
import { FlagForm } from "../workflow/FlagForm.tsx";
import { FlagList } from "../workflow/FlagList.tsx";
import { GuidelinesAside } from "../workflow/GuidelinesAside.tsx";
import { selectInView } from "../workflow/highlights.ts";
import type { TextRange } from "../workflow/offsets.ts";
import { RevisionText, type RangeHighlight } from "../workflow/RevisionText.tsx";
import { VERDICT_KEYS, VERDICT_LABELS, verdictLabel, words, type FlagView } from "../workflow/vocabulary.ts";
import { ReviewedHeader } from "../workflow/ReviewedHeader.tsx";
import { ReviewedExample, useReviewedDoc, type Example, type Review } from "../workflow/ReviewedExample.tsx";
import "../workflow/workflow.css";


/**
 * The review page (`/examples/:id/review`): the revision under review, read-only with the mode
 * styling and marks, the guidelines beside it; flags made by selecting text; a verdict picked
 * with one key (a, c, r) and Enter to submit it and take the next example.
 */
export function ReviewPage() {
  return <ReviewedExample Workspace={ReviewWorkspace} />;
}

/** Why a range of the reviewed text cannot be flagged, or null when it can (the server checks the same). */
function flagRefusal(spans: ReturnType<typeof docModeSpans>, range: TextRange | null): string | null {
  if (!range || range.start === range.end) return null;
  const inside = spans.some((span) => span.start <= range.start && range.end <= span.end);
  return inside ? null : "A flag must lie inside one stretch of text of one mode: select text that does not cross a tag.";
}

function ReviewWorkspace({ example, review }: { example: Example; review: Review }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { doc, offsets } = useReviewedDoc(example, review);
  const spans = useMemo(() => docModeSpans(doc), [doc]);
  const viewRef = useRef<EditorView | null>(null);
  const categoryRef = useRef<HTMLSelectElement>(null);
  const [selection, setSelection] = useState<TextRange | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const text = review.revision.text;
  const mine = review.mine;
  const submitted = Boolean(mine?.submittedAt);
  const myFlags = useMemo<readonly FlagView[]>(() => mine?.flags ?? [], [mine]);

  const highlights = useMemo<RangeHighlight[]>(
    () => [
      ...myFlags.map((f) => ({ id: f.id, start: f.start, end: f.end, className: "flag-mine", title: `${words(f.category)} (${f.severity}), your flag` })),
      ...review.others.flatMap((r) => r.flags.map((f) => ({ id: f.id, start: f.start, end: f.end, className: "flag-other", title: `${words(f.category)} (${f.severity}), by ${r.reviewer.name}` }))),
    ],
    [myFlags, review.others],
  );

  const removeFlag = useMutation(
    trpc.reviews.removeFlag.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.reviews.get.queryKey({ exampleId: example.id }) }),
    }),
  );
  const takeNext = useMutation(
    trpc.claims.next.mutationOptions({
      onSuccess: async (result) => {
        if (result.exampleId !== null) await navigate(workPath("reviewer", result.exampleId));
        else setNotice(result.message);
      },
    }),
  );
  const submit = useMutation(
    trpc.reviews.submit.mutationOptions({
      onSuccess: async () => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.reviews.get.queryKey({ exampleId: example.id }) }),
          queryClient.invalidateQueries({ queryKey: trpc.examples.get.queryKey({ exampleId: example.id }) }),
        ]);
        takeNext.mutate({ projectSlug: example.project.slug, role: "reviewer" });
      },
    }),
  );

  /** Submits the chosen verdict, then takes the next example of the review queue. */
  function send(event?: FormEvent) {
    event?.preventDefault();
    if (submitted || submit.isPending) return;
    if (!verdict) {
      setNotice("Choose a verdict first: a accept, c changes needed, r reject.");
      return;
    }
    setNotice(null);
    submit.mutate({ exampleId: example.id, verdict });
  }
  const sendRef = useRef(send);
  sendRef.current = send;

  useEffect(() => {
    if (submitted) return;
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement;
      const inText = target.closest?.(".revision-text") != null;
      // The read-only text's editor claims Enter for itself (it would split a line); here it submits.
      if ((event.defaultPrevented && !inText) || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
      const choice = target instanceof HTMLInputElement && (target.type === "radio" || target.type === "checkbox");
      const typing = target.isContentEditable || ["TEXTAREA", "SELECT", "BUTTON", "A", "SUMMARY"].includes(target.tagName) || (target.tagName === "INPUT" && !choice);
      if (typing && !inText) return;
      const key = event.key.toLowerCase();
      const picked = VERDICTS.find((v) => VERDICT_KEYS[v] === key);
      if (picked) {
        setVerdict(picked);
        setNotice(null);
      } else if (event.key === "Enter") sendRef.current();
      else if (key === "f") categoryRef.current?.focus();
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [submitted]);

  function show(flag: FlagView) {
    const view = viewRef.current;
    if (!view) return;
    const { from, to } = offsets.toPositions(flag);
    selectInView(view, from, to);
  }

  const busy = submit.isPending || takeNext.isPending;
  return (
    <section className="review-page">
      <ReviewedHeader title="Review" example={example} revisionNumber={review.revision.number} round={review.round} />
      <div className="columns">
        <div>
          <p className="muted keys-help" id="review-keys">
            Keys: <kbd>a</kbd> accept, <kbd>c</kbd> changes needed, <kbd>r</kbd> reject, <kbd>Enter</kbd> submit and take next, <kbd>f</kbd> flag the selection.
          </p>
          <RevisionText doc={doc} label="Reviewed text" highlights={highlights} onSelect={setSelection} viewRef={viewRef} offsets={offsets} />
          <GraderSuggestions exampleId={example.id} text={text} mine={myFlags} canAct={!submitted} />
          {!submitted && <FlagForm ref={categoryRef} exampleId={example.id} text={text} selection={selection} refusal={flagRefusal(spans, selection)} onAdded={() => viewRef.current?.focus()} />}
          <section className="card" aria-labelledby="my-flags-title">
            <h2 id="my-flags-title">Your flags ({myFlags.length})</h2>
            <FlagList
              exampleId={example.id}
              text={text}
              flags={myFlags}
              label="Your flags"
              canComment
              onShow={show}
              controls={(flag, name) =>
                !submitted && (
                  <button type="button" className="secondary" onClick={() => removeFlag.mutate({ exampleId: example.id, flagId: flag.id })} disabled={removeFlag.isPending}>
                    Remove<span className="visually-hidden"> {name}</span>
                  </button>
                )
              }
            />
            {removeFlag.error && <p role="alert" className="error">{errorMessage(removeFlag.error)}</p>}
          </section>
          {submitted ? (
            <p role="status" className="card">
              You submitted your review: {verdictLabel(mine?.verdict ?? null)}.
            </p>
          ) : (
            <form className="card verdict-form" onSubmit={send} aria-describedby="review-keys">
              <fieldset>
                <legend>Verdict</legend>
                {VERDICTS.map((v) => (
                  <label key={v} className="inline-label">
                    <input type="radio" name="verdict" value={v} checked={verdict === v} onChange={() => setVerdict(v)} /> {VERDICT_LABELS[v]} <kbd aria-hidden="true">{VERDICT_KEYS[v]}</kbd>
                  </label>
                ))}
              </fieldset>
              <button type="submit" disabled={busy}>
                Submit and take next
              </button>
            </form>
          )}
          <div role="status" className="review-notice">
            {notice && <p>{notice}</p>}
          </div>
          {submit.error && <p role="alert" className="error">{errorMessage(submit.error)}</p>}
          {takeNext.error && <p role="alert" className="error">{errorMessage(takeNext.error)}</p>}
          {review.others.length > 0 && (
            <section className="card" aria-labelledby="other-reviews-title">
              <h2 id="other-reviews-title">Other reviews</h2>
              {review.others.map((r) => (
                <section key={r.id} className="other-review" aria-label={`Review by ${r.reviewer.name}`}>
                  <h3>
                    {r.reviewer.name}: {verdictLabel(r.verdict)}
                  </h3>
                  <FlagList exampleId={example.id} text={text} flags={r.flags} label={`Flags by ${r.reviewer.name}`} canComment onShow={show} />
                </section>
              ))}
            </section>
          )}
        </div>
        <GuidelinesAside projectSlug={example.project.slug} />
      </div>
    </section>
  );
}
