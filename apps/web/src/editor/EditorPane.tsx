import type { Node } from "prosemirror-model";
import type { EditorState, Plugin } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from "react";
import { MarksPanel, type MarkActions } from "./MarksPanel.tsx";
import { noticeKey } from "./plugins/notices.ts";
import { createEditorState, createEditorView } from "./setup.ts";
import { TaggedText } from "./TaggedText.tsx";
import { Toolbar } from "./Toolbar.tsx";
import { useDebounced } from "./useDebounced.ts";
import "./editor.css";

/** Props of `EditorPane`. */
export interface EditorPaneProps {
  /** The document to start with; the pane starts over when this changes (new revision taken). */
  doc: Node;
  /** Receives the view once mounted, null when unmounted (for the page's conflict handling). */
  viewRef: RefObject<EditorView | null>;
  /** Called with every new document. */
  onDocChange: (doc: Node) => void;
  /** False shows the text read-only. */
  editable: boolean;
  /**
   * Plugins the page adds (highlights of the flags to address); read when the view is made, so
   * pass a stable array.
   */
  plugins?: readonly Plugin[];
  /** Extra controls for each uncommented mark (drafted commentary); pass a stable function. */
  uncommentedActions?: MarkActions | undefined;
}

const NO_PLUGINS: readonly Plugin[] = [];

/**
 * The editor with its toolbar, the user's messages (refusals, "nothing to undo"), the tagged
 * text and the bad-behaviour marks. The view is created once per `doc`; React renders only the
 * chrome around it, from the latest state.
 */
export function EditorPane({ doc, viewRef, onDocChange, editable, plugins = NO_PLUGINS, uncommentedActions }: EditorPaneProps) {
  const place = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<EditorState>(() => createEditorState(doc, plugins));
  const [view, setView] = useState<EditorView | null>(null);
  const [showTags, setShowTags] = useState(false);
  const onDocChangeRef = useRef(onDocChange);
  onDocChangeRef.current = onDocChange;
  const editableRef = useRef(editable);
  editableRef.current = editable;

  useLayoutEffect(() => {
    const initial = createEditorState(doc, plugins);
    const created = createEditorView(place.current!, initial, {
      attributes: { "aria-label": "Example text", role: "textbox", "aria-multiline": "true", spellcheck: "false" },
      editable: () => editableRef.current,
      onChange: (next, docChanged) => {
        setState(next);
        if (docChanged) onDocChangeRef.current(next.doc);
      },
    });
    setState(initial);
    setView(created);
    viewRef.current = created;
    return () => {
      viewRef.current = null;
      created.destroy();
    };
  }, [doc, viewRef, plugins]);

  useEffect(() => {
    view?.setProps({ editable: () => editable });
  }, [view, editable]);

  const settledDoc = useDebounced(state.doc, 300);
  const notice = noticeKey.getState(state);

  return (
    <div className="editor-pane">
      <Toolbar view={view} state={state} showTags={showTags} onShowTags={setShowTags} />
      <div role="alert" className="editor-notice">
        {notice && (
          <p key={notice.id}>
            {notice.message}
          </p>
        )}
      </div>
      <div ref={place} className={`editor-shell${showTags ? " show-tags" : ""}`} />
      <TaggedText doc={settledDoc} />
      <MarksPanel view={view} state={state} doc={settledDoc} uncommentedActions={uncommentedActions} />
    </div>
  );
}
