import { TextSelection, type Command } from "prosemirror-state";
import { legalWraps, wrapInSpan, type Mode } from "@prealign/core";
import { textRange } from "../spans.ts";

/**
 * Wraps the selection in a new span of `mode` (an AI span, a quote) where the grammar allows
 * it, using the core's `wrapInSpan` (the same rule the server knows): the selection must stay
 * inside text of the span's parent mode, or run over lines of human text, which become one
 * span with hard breaks. With an empty selection it inserts an empty span and puts the cursor
 * inside, ready for typing; otherwise the wrapped text ends up selected.
 */
export function wrapSelection(mode: Mode): Command {
  return (state, dispatch) => {
    const { $from, $to } = textRange(state.selection);
    if ($from.pos > $to.pos || !legalWraps(state.doc, $from.pos, $to.pos).includes(mode)) return false;
    if (dispatch) {
      const tr = state.tr;
      if (!wrapInSpan(tr, $from.pos, $to.pos, mode)) return false;
      // The new span starts where the selection started (a joined paragraph starts where the
      // first one did).
      const span = tr.doc.nodeAt($from.pos)!;
      tr.setSelection(TextSelection.create(tr.doc, $from.pos + 1, $from.pos + 1 + span.content.size));
      dispatch(tr.scrollIntoView());
    }
    return true;
  };
}
