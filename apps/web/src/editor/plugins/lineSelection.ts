/**
 * A triple click selects the line clicked, as editors do: the text between the line breaks
 * around the click (hard breaks inside spans, paragraph edges), not the whole span that holds
 * it, which would take every line of a multi-line span and, deleted, leave an empty `<AI></AI>`.
 */
import type { Node } from "prosemirror-model";
import { Plugin, TextSelection } from "prosemirror-state";
import { NODE_NAMES } from "@prealign/core";
import { isSpan } from "../spans.ts";

/**
 * The line around `pos`: from just after the line break before it (or the paragraph's start)
 * to just before the line break after it (or the paragraph's end). An end that only touches
 * a span's edge is moved out of it, and one outside a span that holds the rest of the line is
 * moved into it, so that a line of AI text is selected inside its span: typing over it stays
 * AI text, and deleting it leaves the span.
 */
export function lineAt(doc: Node, pos: number): { from: number; to: number } {
  const $pos = doc.resolve(pos);
  let from = $pos.start(1);
  let to = $pos.end(1);
  $pos.node(1).descendants((node, offset) => {
    if (node.type.name !== NODE_NAMES.hardBreak) return true;
    const at = $pos.start(1) + offset;
    if (at < pos) from = at + 1;
    else if (at < to) to = at;
    return false;
  });
  // Out of a span whose edge the line only touches (a break at the span's very end or start).
  const $from = doc.resolve(from);
  if (from < to && isSpan($from.parent) && $from.parentOffset === $from.parent.content.size) from = $from.after();
  const $to = doc.resolve(to);
  if (to > from && isSpan($to.parent) && $to.parentOffset === 0) to = $to.before();
  // Into a span that holds the rest of the line (and so the other end).
  for (;;) {
    const after = doc.resolve(from).nodeAfter;
    const before = doc.resolve(to).nodeBefore;
    if (isSpan(after) && to <= from + after.nodeSize) from += 1;
    else if (isSpan(before) && from >= to - before.nodeSize) to -= 1;
    else break;
  }
  return { from, to };
}

/** The plugin: a triple click selects `lineAt` the click. */
export function lineSelectionPlugin(): Plugin {
  return new Plugin({
    props: {
      handleTripleClick: (view, pos) => {
        const { from, to } = lineAt(view.state.doc, pos);
        view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, from, to)));
        return true;
      },
    },
  });
}
