import type { Node } from "prosemirror-model";
import { EditorState } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { useEffect, useLayoutEffect, useMemo, useRef, type RefObject } from "react";
import { linkHighlightPlugin } from "../editor/plugins/linkHighlight.ts";
import { highlightsPlugin, setHighlights, type Highlight } from "./highlights.ts";
import { OffsetMap, type TextRange } from "./offsets.ts";
import "../editor/editor.css";

/** A code-point range to highlight, with how it looks and what it says on hover. */
export interface RangeHighlight extends TextRange {
  id: string;
  className?: string;
  title?: string;
}

/** Props of `RevisionText`. */
export interface RevisionTextProps {
  /** The revision's document. */
  doc: Node;
  /** Its accessible name ("Reviewed text"). */
  label: string;
  /** Ranges to highlight (flags), in code points of the revision's tagged text. */
  highlights: readonly RangeHighlight[];
  /** Told the selection as a code-point range (empty when nothing is selected). */
  onSelect?: (range: TextRange) => void;
  /** Receives the view, for taking the reader to a range. */
  viewRef?: RefObject<EditorView | null>;
  /** The map of the document's positions, shared with the page. */
  offsets: OffsetMap;
}

/**
 * A revision shown read-only with the editor's mode styling and bad-behaviour marks. It stays
 * focusable and keeps a caret, so that text can be selected from the keyboard (Shift and the
 * arrows) as well as with the mouse; every attempt to change it is dropped before it reaches
 * the page.
 */
export function RevisionText({ doc, label, highlights, onSelect, viewRef, offsets }: RevisionTextProps) {
  const place = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const plugins = useMemo(() => [highlightsPlugin(), linkHighlightPlugin()], []);

  useLayoutEffect(() => {
    const created: EditorView = new EditorView(place.current!, {
      state: EditorState.create({ doc, plugins }),
      attributes: { "aria-label": label, role: "textbox", "aria-multiline": "true", "aria-readonly": "true", spellcheck: "false" },
      // Editable only so that the caret and keyboard selection work; no change gets through.
      editable: () => true,
      handleDOMEvents: {
        beforeinput: (_view, event) => {
          event.preventDefault();
          return true;
        },
      },
      handlePaste: () => true,
      handleDrop: () => true,
      dispatchTransaction(tr) {
        if (tr.docChanged) return;
        const before = created.state;
        const next = before.apply(tr);
        created.updateState(next);
        if (!next.selection.eq(before.selection)) onSelectRef.current?.(offsets.selectionRange(next.selection));
      },
    });
    view.current = created;
    if (viewRef) viewRef.current = created;
    return () => {
      if (viewRef) viewRef.current = null;
      view.current = null;
      created.destroy();
    };
  }, [doc, plugins, label, offsets, viewRef]);

  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const decorated: Highlight[] = highlights.map((h) => {
      const { from, to } = offsets.toPositions(h);
      return { id: h.id, from, to, ...(h.className ? { className: h.className } : {}), ...(h.title ? { title: h.title } : {}) };
    });
    current.dispatch(setHighlights(current.state, decorated));
  }, [highlights, offsets, doc]);

  return <div ref={place} className="editor-shell revision-text" />;
}
