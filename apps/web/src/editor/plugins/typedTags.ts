/**
 * Typing in the view: tag strings become structure or are refused (see `typeText`), and
 * characters typed where the browser cannot be trusted to place them (inside an empty span or
 * line, at a span edge, where "just inside" and "just outside" look the same) are inserted by
 * a transaction at the editor's own cursor instead of wherever the browser's caret happens to be.
 */
import { Plugin, TextSelection, type EditorState } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { isSpan } from "../spans.ts";
import { typeText } from "../typing.ts";
import { withNotice } from "./notices.ts";

/**
 * Whether the browser's caret may not be where the editor's cursor is: at a span edge, or in
 * an empty paragraph or span (an empty line just made by Enter, where Chrome has been seen to
 * leave the caret before the first typed character).
 */
function caretAmbiguous(state: EditorState): boolean {
  const selection = state.selection;
  if (!(selection instanceof TextSelection) || !selection.empty) return false;
  const $pos = selection.$from;
  if ($pos.parent.content.size === 0 || isSpan($pos.nodeBefore) || isSpan($pos.nodeAfter)) return true;
  return isSpan($pos.parent) && ($pos.parentOffset === 0 || $pos.parentOffset === $pos.parent.content.size);
}

/** Applies typing `text` over `from`–`to`; false when it is ordinary text left to the default. */
function handleTyping(view: EditorView, from: number, to: number, text: string): boolean {
  const outcome = typeText(view.state, from, to, text);
  if (outcome === null) return false;
  view.dispatch("refused" in outcome ? withNotice(view.state.tr, outcome.refused) : outcome.tr.scrollIntoView());
  return true;
}

/** The typing plugin. */
export function typedTagsPlugin(): Plugin {
  return new Plugin({
    props: {
      handleTextInput: (view, from, to, text) => handleTyping(view, from, to, text),
      handleKeyPress: (view, event) => {
        if (!event.charCode || event.ctrlKey || event.metaKey || !caretAmbiguous(view.state)) return false;
        const text = String.fromCharCode(event.charCode);
        if (/[\r\n]/.test(text)) return false;
        const { from, to } = view.state.selection;
        if (!handleTyping(view, from, to, text)) view.dispatch(view.state.tr.insertText(text, from, to).scrollIntoView());
        return true;
      },
    },
  });
}
