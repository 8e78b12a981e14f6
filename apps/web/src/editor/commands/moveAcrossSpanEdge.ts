import type { ResolvedPos } from "prosemirror-model";
import { TextSelection, type Command } from "prosemirror-state";
import { isSpan } from "../spans.ts";

/** Whether `$pos` touches a span edge on side `dir` (-1: before it, 1: after it). */
function atEdge($pos: ResolvedPos, dir: -1 | 1): boolean {
  if (isSpan(dir < 0 ? $pos.nodeBefore : $pos.nodeAfter)) return true;
  return isSpan($pos.parent) && (dir < 0 ? $pos.parentOffset === 0 : $pos.parentOffset === $pos.parent.content.size);
}

/**
 * ArrowLeft (`dir` -1) / ArrowRight (`dir` 1) where a span edge is involved. At an edge the
 * cursor moves one step across it (from just outside a span to just inside, or back out), so
 * that every position, including the inside of an empty span, is reachable from the keyboard;
 * the browser would treat "just before the span" and "just inside it" as one place and skip
 * one. A move over the last character before an edge is made here too, because the browser
 * may put the caret on either side of the edge. Elsewhere returns false (the browser moves).
 */
export function moveAcrossSpanEdge(dir: -1 | 1): Command {
  return (state, dispatch) => {
    const selection = state.selection;
    if (!(selection instanceof TextSelection) || !selection.empty) return false;
    const $pos = selection.$from;
    let target: number | null = null;
    if (atEdge($pos, dir)) target = $pos.pos + dir;
    else {
      const neighbour = dir < 0 ? $pos.nodeBefore : $pos.nodeAfter;
      if (neighbour?.isText) {
        const text = neighbour.text!;
        const code = dir < 0 ? text.charCodeAt(text.length - 1) : text.charCodeAt(0);
        const pair = text.length > 1 && (dir < 0 ? code >= 0xdc00 && code <= 0xdfff : code >= 0xd800 && code <= 0xdbff);
        const width = pair ? 2 : 1;
        if (text.length === width && atEdge(state.doc.resolve($pos.pos + dir * width), dir)) target = $pos.pos + dir * width;
      }
    }
    if (target === null) return false;
    if (dispatch) dispatch(state.tr.setSelection(TextSelection.create(state.doc, target)).scrollIntoView());
    return true;
  };
}
