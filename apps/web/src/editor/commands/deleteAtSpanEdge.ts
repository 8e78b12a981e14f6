import type { Node, ResolvedPos } from "prosemirror-model";
import { TextSelection, type Command, type Transaction } from "prosemirror-state";
import { isSpan } from "../spans.ts";

/** Deletes the one character (text or hard break) next to `$pos` in direction `dir`, if there is one. */
function deleteCharacter(tr: Transaction, $pos: ResolvedPos, dir: -1 | 1): boolean {
  const node = dir < 0 ? $pos.nodeBefore : $pos.nodeAfter;
  if (!node || !(node.isText || node.isLeaf)) return false;
  let width = 1;
  if (node.isText) {
    // Never split a surrogate pair: an emoji is deleted whole.
    const text = node.text!;
    const code = dir < 0 ? text.charCodeAt(text.length - 1) : text.charCodeAt(0);
    const pairEnd = dir < 0 ? code >= 0xdc00 && code <= 0xdfff : code >= 0xd800 && code <= 0xdbff;
    if (pairEnd && text.length > 1) width = 2;
  }
  const pos = $pos.pos;
  tr.delete(dir < 0 ? pos - width : pos, dir < 0 ? pos : pos + width);
  return true;
}

function deleteSpan(tr: Transaction, span: Node, pos: number): void {
  tr.delete(pos, pos + span.nodeSize);
  tr.setSelection(TextSelection.create(tr.doc, pos));
}

/**
 * Backspace (`dir` -1) or Delete (`dir` 1) where the cursor touches a span edge, where the
 * browser's own editing would be ambiguous (the position just inside a span and just outside
 * it look the same). An empty span is removed. Otherwise one character across the edge is
 * deleted when there is one; when the neighbour is another span edge the cursor steps over the
 * edge instead, so repeated presses walk through the structure without ever producing an
 * illegal document. Returns false away from span edges (ordinary editing applies).
 */
export function deleteAtSpanEdge(dir: -1 | 1): Command {
  return (state, dispatch) => {
    const selection = state.selection;
    if (!(selection instanceof TextSelection) || !selection.empty) return false;
    const $pos = selection.$from;
    const tr = state.tr;
    const parent = $pos.parent;
    const atEdge = dir < 0 ? $pos.parentOffset === 0 : $pos.parentOffset === parent.content.size;
    if (isSpan(parent) && atEdge) {
      if (parent.content.size === 0) deleteSpan(tr, parent, $pos.before());
      else {
        const outside = dir < 0 ? $pos.before() : $pos.after();
        if (!deleteCharacter(tr, state.doc.resolve(outside), dir)) tr.setSelection(TextSelection.create(tr.doc, outside));
      }
    } else {
      const neighbour = dir < 0 ? $pos.nodeBefore : $pos.nodeAfter;
      if (!isSpan(neighbour)) return false;
      const spanPos = dir < 0 ? $pos.pos - neighbour.nodeSize : $pos.pos;
      if (neighbour.content.size === 0) deleteSpan(tr, neighbour, spanPos);
      else {
        const inside = dir < 0 ? $pos.pos - 1 : $pos.pos + 1;
        if (!deleteCharacter(tr, state.doc.resolve(inside), dir)) tr.setSelection(TextSelection.create(tr.doc, inside));
      }
    }
    dispatch?.(tr.scrollIntoView());
    return true;
  };
}
