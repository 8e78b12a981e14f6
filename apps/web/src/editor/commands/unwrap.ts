import type { Node } from "prosemirror-model";
import { NodeSelection, TextSelection, type Command } from "prosemirror-state";
import { canUnwrap, NODE_NAMES, unwrapSpan } from "@prealign/core";
import { isSpan, textRange } from "../spans.ts";

/**
 * Where a position inside `span` (at `spanPos`) lands once the span is unwrapped: one step
 * earlier for the removed open tag, plus one step per hard break before it, since
 * `unwrapSpan` turns those (size 1) into paragraph breaks (size 2) in human text.
 */
function unwrappedPos(span: Node, spanPos: number, pos: number, intoParagraph: boolean): number {
  const offset = Math.max(0, Math.min(pos - spanPos - 1, span.content.size));
  let breaks = 0;
  if (intoParagraph) {
    span.forEach((child, childOffset) => {
      if (child.type.name === NODE_NAMES.hardBreak && childOffset < offset) breaks++;
    });
  }
  return spanPos + offset + breaks;
}

/**
 * Removes the innermost span around the selection, leaving its text in the surrounding mode
 * (an AI span's text becomes human text, a quote's text becomes AI text), by the core's
 * `unwrapSpan`, and keeps the same text selected. Applies only inside a span whose content
 * may stand in its place: an AI span that still holds a quote cannot be unwrapped into human
 * text (unwrap the quote first).
 */
export const unwrap: Command = (state, dispatch) => {
  const selection = state.selection;
  const pos = selection instanceof NodeSelection && isSpan(selection.node) ? selection.from + 1 : textRange(selection).$from.pos;
  if (!canUnwrap(state.doc, pos)) return false;
  if (dispatch) {
    const $pos = state.doc.resolve(pos);
    let depth = $pos.depth;
    while (!isSpan($pos.node(depth))) depth--;
    const span = $pos.node(depth);
    const spanPos = $pos.before(depth);
    const intoParagraph = $pos.node(depth - 1).isTextblock;
    const tr = state.tr;
    if (!unwrapSpan(tr, pos)) return false;
    const from = unwrappedPos(span, spanPos, selection.from, intoParagraph);
    const to = unwrappedPos(span, spanPos, selection.to, intoParagraph);
    tr.setSelection(TextSelection.create(tr.doc, from, to));
    dispatch(tr.scrollIntoView());
  }
  return true;
};
