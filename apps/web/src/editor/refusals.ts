/**
 * Why a structure command does not apply at the selection, in words for the user; shown when
 * a shortcut is refused (the toolbar disables its buttons instead, with the same reason as a
 * tooltip).
 */
import type { EditorState } from "prosemirror-state";
import { modeAt, nodeTypeOfMode, type Mode } from "@prealign/core";
import { modeLabel, spanTags, textRange } from "./spans.ts";

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Why wrapping the selection in a span of `mode` is not possible. */
export function wrapRefusal(state: EditorState, mode: Mode): string {
  const schema = state.schema;
  const { $from, $to } = textRange(state.selection);
  const label = modeLabel(schema, mode);
  const parent = spanTags(schema, mode)?.parent;
  if (!$from.sameParent($to) && !($from.depth === 1 && $to.depth === 1)) {
    return `${capitalised(label)} cannot be made here: the selection crosses the edge of a span. Select text inside one span, or whole lines of human text.`;
  }
  const here = modeAt($from);
  if (parent && here !== parent) {
    return `${capitalised(label)} can only be made in ${modeLabel(schema, parent)}, and the selection is in ${modeLabel(schema, here)}.`;
  }
  const type = nodeTypeOfMode(schema, mode);
  return `${capitalised(label)} cannot hold what is selected (${type.name === "ai" ? "an AI span cannot hold another AI span" : "a quote cannot hold a span"}). Select text without spans in it.`;
}

/** Why unwrapping is not possible at the selection. */
export function unwrapRefusal(state: EditorState): string {
  const here = modeAt(textRange(state.selection).$from);
  if (here === "human") return "There is no span to unwrap here: the cursor is in human text.";
  return `${capitalised(modeLabel(state.schema, here))} here cannot be unwrapped: its text would not be legal around it (unwrap the quotes inside an AI span first).`;
}
