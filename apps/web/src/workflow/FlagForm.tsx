import { useMutation, useQueryClient } from "@tanstack/react-query";
import { forwardRef, useState, type FormEvent } from "react";
import { FLAG_CATEGORIES, FLAG_SEVERITIES, type FlagCategory, type FlagSeverity } from "@prealign/core";
import { errorMessage, useTRPC } from "../trpc.ts";
import type { TextRange } from "./offsets.ts";
import { excerpt, words } from "./vocabulary.ts";

/** Props of `FlagForm`. */
export interface FlagFormProps {
  exampleId: string;
  /** The reviewed revision's tagged text. */
  text: string;
  /** The selection in it, or null. */
  selection: TextRange | null;
  /** Why the selection cannot be flagged, or null when it can. */
  refusal: string | null;
  /** Called once a flag is added (the page puts the focus back on the text). */
  onAdded?: () => void;
}

/**
 * "Flag": the selected text of the reviewed revision, with a category, a severity and a comment
 * that starts the flag's thread.
 */
export const FlagForm = forwardRef<HTMLSelectElement, FlagFormProps>(function FlagForm({ exampleId, text, selection, refusal, onAdded }, categoryRef) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [category, setCategory] = useState<FlagCategory>("uncommented_bad_behaviour");
  const [severity, setSeverity] = useState<FlagSeverity>("major");
  const [comment, setComment] = useState("");
  const add = useMutation(
    trpc.reviews.addFlag.mutationOptions({
      onSuccess: async () => {
        setComment("");
        await queryClient.invalidateQueries({ queryKey: trpc.reviews.get.queryKey({ exampleId }) });
        onAdded?.();
      },
    }),
  );
  const usable = selection !== null && refusal === null;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!usable || !comment.trim()) return;
    add.mutate({ exampleId, start: selection.start, end: selection.end, category, severity, comment: comment.trim() });
  }
  return (
    <form className="card flag-form" aria-labelledby="flag-form-title" onSubmit={submit}>
      <h2 id="flag-form-title">Flag</h2>
      <p className={refusal ? "error" : "muted"} role="status">
        {selection === null || selection.start === selection.end
          ? "Select text in the reviewed text (with the mouse, or Shift and the arrow keys) to flag it."
          : (refusal ?? `Selected: “${excerpt(text, selection.start, selection.end)}”`)}
      </p>
      <div className="inline-form">
        <label>
          Category
          <select ref={categoryRef} value={category} onChange={(event) => setCategory(event.target.value as FlagCategory)}>
            {FLAG_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {words(c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Severity
          <select value={severity} onChange={(event) => setSeverity(event.target.value as FlagSeverity)}>
            {FLAG_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          Comment
          <textarea rows={2} value={comment} onChange={(event) => setComment(event.target.value)} maxLength={4000} />
        </label>
        <button type="submit" disabled={!usable || !comment.trim() || add.isPending}>
          Flag selection
        </button>
      </div>
      {add.error && <p role="alert" className="error">{errorMessage(add.error)}</p>}
    </form>
  );
});
