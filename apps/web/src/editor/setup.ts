/**
 * Putting the editor together: the plugin list, the state, and the view whose every
 * transaction passes one last check (no tag string may end up in the text) before it is
 * applied, whatever input path it came from.
 */
import { history } from "prosemirror-history";
import { keymap } from "prosemirror-keymap";
import type { Node } from "prosemirror-model";
import { EditorState, type Plugin, type Transaction } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { buildKeymap } from "./keymap.ts";
import { literalTagRefusal } from "./literalTags.ts";
import { clipboardPlugin } from "./plugins/clipboard.ts";
import { lastLineBreakPlugin } from "./plugins/lastLineBreak.ts";
import { lineSelectionPlugin } from "./plugins/lineSelection.ts";
import { linkHighlightPlugin } from "./plugins/linkHighlight.ts";
import { noticesPlugin, withNotice } from "./plugins/notices.ts";
import { typedTagsPlugin } from "./plugins/typedTags.ts";
import { uniqueSpanIdsPlugin } from "./plugins/uniqueSpanIds.ts";

/** The editor's plugins, in order of precedence. */
export function editorPlugins(doc: Node): Plugin[] {
  return [
    noticesPlugin(),
    typedTagsPlugin(),
    clipboardPlugin(),
    lineSelectionPlugin(),
    keymap(buildKeymap(doc.type.schema)),
    history(),
    linkHighlightPlugin(),
    uniqueSpanIdsPlugin(),
    lastLineBreakPlugin(),
  ];
}

/** A fresh editor state for `doc` (empty undo history), with `extra` plugins after the editor's own. */
export function createEditorState(doc: Node, extra: readonly Plugin[] = []): EditorState {
  return EditorState.create({ doc, plugins: [...editorPlugins(doc), ...extra] });
}

/** Said when a read-only document would change (a toolbar button, a shortcut). */
export const READ_ONLY_REFUSAL = "This text is read-only here: the example is past the stages in which it is edited, or you may not edit it.";

/**
 * The state a transaction leads to, unless it would change a read-only document or leave a
 * tag string in the text: then the state stays as it was and carries a notice saying why.
 */
export function applyGuarded(state: EditorState, tr: Transaction, editable = true): EditorState {
  const refusal = tr.docChanged && !editable ? READ_ONLY_REFUSAL : literalTagRefusal(tr);
  return refusal ? state.apply(withNotice(state.tr, refusal)) : state.apply(tr);
}

/** Options of `createEditorView`. */
export interface EditorViewOptions {
  /** Called after every state change, with the new state. */
  onChange: (state: EditorState, docChanged: boolean) => void;
  /** Attributes of the editable element (an accessible name, for one). */
  attributes?: Record<string, string>;
  /** False to show the document read-only. */
  editable?: () => boolean;
}

/** Mounts an editor for `state` in `place`. */
export function createEditorView(place: HTMLElement, state: EditorState, options: EditorViewOptions): EditorView {
  const view: EditorView = new EditorView(place, {
    state,
    attributes: options.attributes ?? {},
    editable: options.editable ?? (() => true),
    dispatchTransaction: (tr) => {
      const before = view.state;
      const next = applyGuarded(before, tr, view.editable);
      view.updateState(next);
      options.onChange(next, next.doc !== before.doc);
    },
  });
  return view;
}
