/**
 * Helpers for the editor's unit tests: states written as tagged text with the selection marked
 * inline (`‸` for the cursor, `«` … `»` for a selection), and the same notation read back.
 */
import { docToText, textToDoc } from "@prealign/core";
import { EditorState, TextSelection, type Command, type Plugin } from "prosemirror-state";

const MARKERS = /[‸«»]/g;

/** An editor state holding `tagged` (marker characters removed) with the marked selection. */
export function stateOf(tagged: string, plugins: Plugin[] = []): EditorState {
  const parsed = textToDoc(tagged.replace(MARKERS, ""));
  if (!parsed.ok) throw new Error(`Invalid test text ${JSON.stringify(tagged)}: ${parsed.errors[0]!.message}`);
  // Parse again with the markers left in as ordinary characters to learn their positions.
  const marked = textToDoc(tagged);
  if (!marked.ok) throw new Error("unreachable: markers are plain text");
  const found: Record<string, number> = {};
  let removed = 0;
  marked.doc.descendants((node, pos) => {
    if (!node.isText) return true;
    for (let i = 0; i < node.text!.length; i++) {
      const ch = node.text![i]!;
      if (ch === "‸" || ch === "«" || ch === "»") found[ch] = pos + i - removed++;
    }
    return false;
  });
  const anchor = found["‸"] ?? found["«"] ?? 1;
  const head = found["‸"] ?? found["»"] ?? anchor;
  return EditorState.create({ doc: parsed.doc, selection: TextSelection.create(parsed.doc, anchor, head), plugins });
}

/** The state's tagged text with its selection marked as in `stateOf`. */
export function showState(state: EditorState): string {
  const { from, to, empty } = state.selection;
  const tr = state.tr;
  if (empty) tr.insertText("‸", from);
  else tr.insertText("»", to).insertText("«", from);
  return docToText(tr.doc);
}

/** Runs `command` on `tagged`; the resulting text with selection, or null when it did not apply. */
export function apply(command: Command, tagged: string): string | null {
  let state = stateOf(tagged);
  const applies = command(state);
  let dispatched = false;
  const result = command(state, (tr) => {
    dispatched = true;
    state = state.apply(tr);
  });
  if (applies !== result) throw new Error("The command answered differently with and without dispatch");
  if (!result) {
    if (dispatched) throw new Error("The command dispatched but returned false");
    return null;
  }
  state.doc.check();
  return showState(state);
}

