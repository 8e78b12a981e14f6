import type { ResolvedPos } from "prosemirror-model";
import { TextSelection, type Command } from "prosemirror-state";
import { isSpan, textRun } from "../spans.ts";
import { deleteAtSpanEdge } from "./deleteAtSpanEdge.ts";

const words = new Intl.Segmenter(undefined, { granularity: "word" });

/**
 * How many UTF-16 units a word deletion takes from the end (`dir` -1) or the start (`dir` 1) of
 * `text`: the white space next to the cursor, then punctuation, then one word (by the Unicode
 * word rules, so that "AI." and "help," go whole and a word of any script counts as one).
 */
export function wordLength(text: string, dir: -1 | 1): number {
  const segments = Array.from(words.segment(text));
  if (dir < 0) segments.reverse();
  const blank = (segment: string) => segment.trim() === "";
  let i = 0;
  let length = 0;
  while (i < segments.length && blank(segments[i]!.segment)) length += segments[i++]!.segment.length;
  while (i < segments.length && !segments[i]!.isWordLike && !blank(segments[i]!.segment)) length += segments[i++]!.segment.length;
  if (i < segments.length && segments[i]!.isWordLike) length += segments[i]!.segment.length;
  return length;
}

/** The position just across the span edge that `$pos` touches on side `dir`, or null where that span is empty. */
function acrossEdge($pos: ResolvedPos, dir: -1 | 1): number | null {
  const parent = $pos.parent;
  if (isSpan(parent) && (dir < 0 ? $pos.parentOffset === 0 : $pos.parentOffset === parent.content.size)) {
    return parent.content.size === 0 ? null : dir < 0 ? $pos.before() : $pos.after();
  }
  const neighbour = dir < 0 ? $pos.nodeBefore : $pos.nodeAfter;
  return neighbour!.content.size === 0 ? null : $pos.pos + dir;
}

/**
 * Word deletion (Ctrl-Backspace `dir` -1, Ctrl-Delete `dir` 1; Alt on a Mac) in text that a span
 * edge bounds. The browser's own word deletion would run over the edge and take the span with
 * it; here it stops at the edge, and at the edge it deletes the word just across it, as
 * Backspace and Delete delete the character across it (an empty span goes whole, and where no
 * text is across the edge the cursor steps over it: see `deleteAtSpanEdge`). A span is never
 * deleted by word deletion, so the marks its commentary answers stay linked. Returns false
 * where no span edge bounds the text (the browser's word deletion applies).
 */
export function deleteWordAtSpanEdge(dir: -1 | 1): Command {
  return (state, dispatch) => {
    const selection = state.selection;
    if (!(selection instanceof TextSelection) || !selection.empty) return false;
    let $pos = selection.$from;
    let run = textRun($pos, dir);
    if (!(run.stop ? isSpan(run.stop) : isSpan($pos.parent))) return false;
    if (run.text === "") {
      const across = acrossEdge($pos, dir);
      if (across === null) return deleteAtSpanEdge(dir)(state, dispatch);
      $pos = state.doc.resolve(across);
      run = textRun($pos, dir);
      if (run.text === "") return deleteAtSpanEdge(dir)(state, dispatch);
    }
    const length = wordLength(run.text, dir);
    const tr = dir < 0 ? state.tr.delete($pos.pos - length, $pos.pos) : state.tr.delete($pos.pos, $pos.pos + length);
    dispatch?.(tr.scrollIntoView());
    return true;
  };
}
