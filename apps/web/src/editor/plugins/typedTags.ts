/**
 * Typing in the view: tag strings become structure or are refused (see `typeText`), and text
 * typed where the browser cannot be trusted to place it goes where the editor's cursor is, which
 * is what the Mode indicator shows. The browser cannot be trusted inside an empty span or line,
 * or at a span edge, where "just inside" and "just outside" look the same to it (Chromium puts
 * text on the side before the edge when there is text there, else on the side after it); nor
 * over a selection that crosses a span edge.
 *
 * Every way text arrives follows that one rule:
 * - a key press is inserted by a transaction at the cursor (`handleKeyPress`, or ProseMirror's
 *   own `handleTextInput` call over a selection across an edge);
 * - text with no key press (dictation, an emoji picker, an on-screen keyboard, a character the
 *   layout lacks) comes as a `beforeinput` of type `insertText`, which is cancelled and
 *   inserted the same way;
 * - an input method's composition cannot be cancelled and is shown by the browser as it goes,
 *   so the caret is first made unambiguous: at `compositionstart` the editor sets the stored
 *   marks (the marks at the cursor, so nothing about the text changes), which makes ProseMirror
 *   compose inside its cursor wrapper, a separator element at the cursor's exact position that
 *   the browser cannot move past. A selection across an edge is deleted first.
 *
 * A composition that completes a tag (`<AI>` typed through an input method) is converted, or
 * refused, as soon as it does; that re-draws the text the browser was composing in, which ends
 * the browser's composition, but the input method still commits the composition's text a moment
 * later. That commit repeats what was already typed and is dropped, so that it neither lands
 * twice nor brings a refusal for a tag that was in fact made.
 */
import { Plugin, TextSelection, type EditorState } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { isSpan } from "../spans.ts";
import { deleteForTyping, typeText } from "../typing.ts";
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

/** Whether the selection is a text range whose ends lie in different nodes (across a span edge). */
function crossesEdge(state: EditorState): boolean {
  const selection = state.selection;
  return selection instanceof TextSelection && !selection.$from.sameParent(selection.$to);
}

/**
 * Per view: the text of the composition in progress (`composing`), and the text of one that was
 * cut short by a tag, whose commit is still to come (`echo`). This follows the browser's
 * composition events, which are not transactions, so it is kept beside the view rather than in
 * plugin state.
 */
const compositions = new WeakMap<EditorView, { composing: string; echo: string | null }>();

function compositionOf(view: EditorView): { composing: string; echo: string | null } {
  let composition = compositions.get(view);
  if (!composition) compositions.set(view, (composition = { composing: "", echo: null }));
  return composition;
}

/** Applies typing `text` over `from`–`to`; false when it is ordinary text left to the default. */
function handleTyping(view: EditorView, from: number, to: number, text: string): boolean {
  const outcome = typeText(view.state, from, to, text);
  if (outcome === null) return false;
  if (view.composing) compositionOf(view).echo = compositionOf(view).composing;
  view.dispatch("refused" in outcome ? withNotice(view.state.tr, outcome.refused) : outcome.tr.scrollIntoView());
  return true;
}

/** Types `text` over the selection by a transaction, whatever the browser's caret says. */
function typeAtCursor(view: EditorView, text: string): void {
  const { from, to } = view.state.selection;
  if (!handleTyping(view, from, to, text)) view.dispatch(view.state.tr.insertText(text, from, to).scrollIntoView());
}

/**
 * Before a composition starts where the caret is ambiguous: deletes a selection across an edge
 * (the composition then starts where the selection did) and sets the stored marks, so that
 * ProseMirror composes in its cursor wrapper at the cursor (see the module comment).
 */
function prepareComposition(view: EditorView): void {
  const state = view.state;
  if (view.composing || !(state.selection instanceof TextSelection)) return;
  const tr = state.tr;
  if (crossesEdge(state)) {
    const pos = deleteForTyping(tr, state.selection.from, state.selection.to);
    tr.setSelection(TextSelection.create(tr.doc, pos));
  } else if (!caretAmbiguous(state) || state.storedMarks) {
    return;
  }
  view.dispatch(tr.setStoredMarks(tr.selection.$from.marks()));
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
        typeAtCursor(view, text);
        return true;
      },
      handleDOMEvents: {
        beforeinput: (view, event) => {
          const input = event as InputEvent;
          const composition = compositionOf(view);
          const echo = composition.echo;
          composition.echo = null;
          if (input.inputType === "insertText" && echo !== null && input.data === echo) {
            input.preventDefault();
            return true;
          }
          if (input.inputType !== "insertText" || input.isComposing || view.composing || !input.data || /[\r\n]/.test(input.data)) return false;
          if (!caretAmbiguous(view.state) && !crossesEdge(view.state)) return false;
          input.preventDefault();
          typeAtCursor(view, input.data);
          return true;
        },
        compositionstart: (view) => {
          compositionOf(view).echo = null;
          prepareComposition(view);
          return false;
        },
        compositionupdate: (view, event) => {
          compositionOf(view).composing = (event as CompositionEvent).data;
          return false;
        },
      },
    },
  });
}
