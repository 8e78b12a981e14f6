import type { EditorView } from "prosemirror-view";
import { useEffect, type RefObject } from "react";
import { collectMarks } from "../editor/marks.ts";
import { selectInView } from "./highlights.ts";
import { OffsetMap } from "./offsets.ts";
import { words } from "./vocabulary.ts";

/** A mark the commentary gate named: uncommented bad behaviour, in code points of the head text. */
export interface GateMark {
  id: string;
  category: string;
  start: number;
  end: number;
}

/** The marks of a refused action's error (`details.marks`), or null when it carries none. */
export function gateMarks(error: unknown): GateMark[] | null {
  const data = (error as { data?: { details?: { marks?: unknown } | null } } | null)?.data;
  const marks = data?.details?.marks;
  return Array.isArray(marks) ? (marks as GateMark[]) : null;
}

/** Selects a mark in the editor: by its id in the current document, else by its offsets. */
function goTo(view: EditorView, mark: GateMark): void {
  const found = collectMarks(view.state.doc).find((entry) => entry.id === mark.id);
  const range = found?.ranges[0] ?? new OffsetMap(view.state.doc).toPositions(mark);
  selectInView(view, range.from, range.to);
}

/**
 * The commentary gate's refusal: the uncommented marks, each one button away, and the first one
 * selected in the editor at once, so that the person lands on what needs commentary.
 */
export function GateRefusal({ marks, viewRef, text }: { marks: readonly GateMark[]; viewRef: RefObject<EditorView | null>; text: string }) {
  useEffect(() => {
    const view = viewRef.current;
    if (view && marks[0]) goTo(view, marks[0]);
  }, [marks, viewRef]);
  return (
    <section className="card gate-refusal" aria-labelledby="gate-title">
      <h2 id="gate-title">Bad behaviour without commentary</h2>
      <p>
        Every bad-behaviour mark needs an AI span that comments on it before the example can go to review. Link each mark below to its commentary in the “Bad
        behaviour” panel (write the AI span first if there is none).
      </p>
      <ul aria-label="Marks without commentary">
        {marks.map((mark) => {
          const quoted = [...text].slice(mark.start, mark.end).join("");
          return (
            <li key={`${mark.id}-${mark.start}`}>
              <span className="mark-category">{words(mark.category)}</span> “{quoted}”{" "}
              <button type="button" className="secondary" onClick={() => viewRef.current && goTo(viewRef.current, mark)}>
                Go to<span className="visually-hidden"> “{quoted}”</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
