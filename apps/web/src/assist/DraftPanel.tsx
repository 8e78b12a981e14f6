import { useMutation, useQuery } from "@tanstack/react-query";
import type { EditorView } from "prosemirror-view";
import { useEffect, useRef, useState, type RefObject } from "react";
import { aiSpanInsideProblem } from "@prealign/core";
import { insertCommentary } from "../editor/commands/insertCommentary.ts";
import { errorMessage, useTRPC } from "../trpc.ts";
import { streamDraft } from "./stream.ts";
import "./assist.css";

/** What the panel shows: the model writing, the draft offered, or why there is none. */
type DraftState =
  | { kind: "streaming"; text: string }
  | { kind: "offered"; id: string; model: string; text: string }
  | { kind: "refused"; message: string; text: string };

/**
 * Drafted commentary for one uncommented mark: asks the project's model, shows its answer as it
 * arrives, then offers the checked draft in a text box the person may edit before accepting it
 * (inserted as an AI span linked to the mark, right after it) or discarding it. The save that
 * follows is recorded as model-drafted, with the model's name.
 */
export function DraftPanel({
  exampleId,
  mark,
  viewRef,
  unalignedQuotes,
  onClose,
}: {
  exampleId: string;
  /** Whether the project enables the unaligned quote pair (the editor's grammar). */
  unalignedQuotes: boolean;
  mark: { id: string; text: string };
  viewRef: RefObject<EditorView | null>;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const [state, setState] = useState<DraftState>({ kind: "streaming", text: "" });
  const [edited, setEdited] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const cancelRef = useRef<() => void>(() => {});

  useEffect(() => {
    setState({ kind: "streaming", text: "" });
    setEdited(null);
    setProblem(null);
    const cancel = streamDraft(
      { exampleId, markId: mark.id },
      {
        onEvent: (event) => {
          if (event.kind === "text") setState((current) => ({ kind: "streaming", text: (current.kind === "streaming" ? current.text : "") + event.text }));
          else if (event.kind === "draft") setState({ kind: "offered", id: event.draft.id, model: event.draft.model, text: event.draft.text });
          else setState((current) => ({ kind: "refused", message: event.message, text: current.text }));
        },
        onError: (message) => setState((current) => ({ kind: "refused", message, text: current.text })),
      },
    );
    cancelRef.current = cancel;
    return cancel;
  }, [exampleId, mark.id, attempt]);

  const accept = useMutation(trpc.assist.acceptDraft.mutationOptions());

  async function insert() {
    if (state.kind !== "offered") return;
    const inside = edited ?? state.text;
    const refused = aiSpanInsideProblem(inside, { unalignedQuotes });
    if (refused) return setProblem(refused);
    const view = viewRef.current;
    if (!view) return;
    if (!insertCommentary(mark.id, inside)(view.state)) {
      return setProblem("The commentary cannot go right after this mark (is the mark inside a quote?). Copy it and place it yourself.");
    }
    // Recorded first, so that the save the insertion causes is the model-drafted one.
    await accept.mutateAsync({ exampleId, draftId: state.id });
    insertCommentary(mark.id, inside)(view.state, view.dispatch);
    view.focus();
    onClose();
  }

  return (
    <section className="card draft-panel" aria-labelledby="draft-title">
      <h2 id="draft-title">Drafted commentary for “{mark.text.trim().slice(0, 60)}”</h2>
      {state.kind === "streaming" && (
        <>
          <p role="status" className="muted">
            The model is writing…
          </p>
          <output aria-label="Draft as it arrives" className="draft-stream">
            {state.text}
          </output>
          <div className="form-actions">
            <button type="button" className="secondary" onClick={() => { cancelRef.current(); onClose(); }}>
              Cancel
            </button>
          </div>
        </>
      )}
      {state.kind === "offered" && (
        <>
          <p className="muted">
            Drafted by {state.model}. Edit it if you like; it becomes AI commentary linked to the mark. Tags: quote the human with{" "}
            <code>&lt;AI_quoting_human&gt;</code> … <code>&lt;/AI_quoting_human&gt;</code>.
          </p>
          <textarea
            aria-label="Drafted commentary"
            rows={5}
            value={edited ?? state.text}
            onChange={(event) => {
              setEdited(event.target.value);
              setProblem(null);
            }}
          />
          <div className="form-actions">
            <button type="button" onClick={() => void insert()} disabled={accept.isPending}>
              Accept draft
            </button>
            <button type="button" className="secondary" onClick={onClose}>
              Discard
            </button>
          </div>
          {problem && <p role="alert" className="error">{problem}</p>}
          {accept.error && <p role="alert" className="error">{errorMessage(accept.error)}</p>}
        </>
      )}
      {state.kind === "refused" && (
        <>
          <p role="alert" className="error">
            {state.message}
          </p>
          {state.text && (
            <details>
              <summary>What the model wrote (not inserted)</summary>
              <pre className="draft-stream">{state.text}</pre>
            </details>
          )}
          <div className="form-actions">
            <button type="button" onClick={() => setAttempt((n) => n + 1)}>
              Ask again
            </button>
            <button type="button" className="secondary" onClick={onClose}>
              Close
            </button>
          </div>
        </>
      )}
    </section>
  );
}

/** Whether the project has a model endpoint (so that drafting is offered), and its model. */
export function useAssistStatus(projectSlug: string) {
  const trpc = useTRPC();
  return useQuery(trpc.assist.status.queryOptions({ projectSlug }, { staleTime: 60_000 }));
}
