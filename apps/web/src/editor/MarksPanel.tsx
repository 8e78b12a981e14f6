import type { Node } from "prosemirror-model";
import type { Command, EditorState } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { memo, useCallback, useMemo, useState, type ReactNode } from "react";
import { BAD_BEHAVIOUR_CATEGORIES, type BadBehaviourCategory } from "@prealign/core";
import { markBadBehaviour } from "./commands/markBadBehaviour.ts";
import { removeBadBehaviour } from "./commands/removeBadBehaviour.ts";
import { setCommentary } from "./commands/setCommentary.ts";
import { collectAiSpans, collectMarks, type AiSpanEntry, type BadBehaviourEntry } from "./marks.ts";

/** "power_seeking" → "power-seeking", "dangerous_information" → "dangerous information". */
function categoryName(category: string): string {
  return category === "power_seeking" ? "power-seeking" : category.replace(/_/g, " ");
}

function shorten(text: string, length: number): string {
  const trimmed = text.trim();
  return trimmed.length > length ? trimmed.slice(0, length - 1) + "…" : trimmed || "(empty)";
}

function spanLabel(span: AiSpanEntry, index: number): string {
  return `AI span ${index + 1}: ${shorten(span.text, 60)}`;
}

interface MarkListProps {
  title: string;
  marks: BadBehaviourEntry[];
  spans: AiSpanEntry[];
  /** The span chosen in "Commented by", or null. */
  chosen: string | null;
  run: (command: Command) => void;
  /** More controls for each mark (drafted commentary for uncommented ones). */
  actions?: MarkActions | undefined;
}

/** Renders extra controls for one mark of the panel's lists; pass a stable function. */
export type MarkActions = (entry: BadBehaviourEntry, text: string) => ReactNode;

/** One list of marks. Memoised: it changes only with the (debounced) document, not per keystroke. */
const MarkList = memo(function MarkList({ title, marks, spans, chosen, run, actions }: MarkListProps) {
  const index = new Map(spans.map((span, i) => [span.id, i]));
  return (
    <ul className="mark-list" aria-label={title}>
      {marks.map((entry) => {
        const linked = entry.commentary !== null && index.has(entry.commentary) ? spans[index.get(entry.commentary)!]! : null;
        const text = shorten(entry.text, 40);
        return (
          <li key={entry.id}>
            <span className="mark-category">{categoryName(entry.category)}</span> “{text}”
            <span className="muted">{linked ? `commented by ${spanLabel(linked, index.get(linked.id)!)}` : "no commentary yet"}</span>
            <button type="button" className="secondary" disabled={!chosen || chosen === entry.commentary} onClick={() => run(setCommentary(entry.id, chosen))} aria-label={`Link “${text}” to the chosen AI span`}>
              Link
            </button>
            <button type="button" className="secondary" onClick={() => run(removeBadBehaviour(entry.id))} aria-label={`Remove mark “${text}”`}>
              Remove
            </button>
            {actions?.(entry, text)}
          </li>
        );
      })}
    </ul>
  );
});

/**
 * Bad-behaviour marks: a form that marks the selected human or quoted text with a category and
 * the AI span commenting on it ("Commented by"), and the marks, uncommented ones first; each
 * can be linked to the span chosen in "Commented by", or removed; the page may add controls to
 * the uncommented ones (`uncommentedActions`: asking a model for a draft). The lists walk the whole
 * document, so they take a debounced `doc`; only the "Mark" button follows the live `state`.
 */
export function MarksPanel({ view, state, doc, uncommentedActions }: { view: EditorView | null; state: EditorState; doc: Node; uncommentedActions?: MarkActions | undefined }) {
  const [category, setCategory] = useState<BadBehaviourCategory>("deceit");
  const [choice, setChoice] = useState("");
  const spans = useMemo(() => collectAiSpans(doc), [doc]);
  const marks = useMemo(() => collectMarks(doc), [doc]);
  const spanIds = useMemo(() => new Set(spans.map((span) => span.id)), [spans]);
  const [uncommented, commented] = useMemo(() => {
    const open = marks.filter((mark) => mark.commentary === null || !spanIds.has(mark.commentary));
    return [open, marks.filter((mark) => !open.includes(mark))];
  }, [marks, spanIds]);
  const spanOptions = useMemo(
    () =>
      spans.map((span, index) => (
        <option key={span.id} value={span.id}>
          {spanLabel(span, index)}
        </option>
      )),
    [spans],
  );
  const chosen = choice && spanIds.has(choice) ? choice : null;
  const run = useCallback(
    (command: Command) => {
      if (!view) return;
      command(view.state, view.dispatch);
      view.focus();
    },
    [view],
  );
  const mark = markBadBehaviour(category, chosen);

  return (
    <section className="card marks-panel" aria-labelledby="marks-title">
      <h2 id="marks-title">Bad behaviour</h2>
      <div className="inline-form">
        <label>
          Category
          <select value={category} onChange={(event) => setCategory(event.target.value as BadBehaviourCategory)}>
            {BAD_BEHAVIOUR_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {categoryName(c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Commented by
          <select value={chosen ?? ""} onChange={(event) => setChoice(event.target.value)}>
            <option value="">No commentary yet</option>
            {spanOptions}
          </select>
        </label>
        <button type="button" onClick={() => run(mark)} disabled={!mark(state)} title="Select human or quoted text first">
          Mark bad behaviour
        </button>
      </div>
      <h3>Uncommented marks ({uncommented.length})</h3>
      {uncommented.length === 0 ? <p className="muted">None: every mark has AI commentary.</p> : <MarkList title="Uncommented marks" marks={uncommented} spans={spans} chosen={chosen} run={run} actions={uncommentedActions} />}
      {commented.length > 0 && (
        <>
          <h3>Commented marks ({commented.length})</h3>
          <MarkList title="Commented marks" marks={commented} spans={spans} chosen={chosen} run={run} />
        </>
      )}
    </section>
  );
}
