import { TextSelection, type Command } from "prosemirror-state";
import { NODE_NAMES } from "@prealign/core";
import { isSpanType } from "../spans.ts";

/**
 * Enter. In human text it ends the paragraph (the new line break is "\n"; the paragraph after
 * keeps the break that ended the old one). Inside a span it inserts a hard break, because a
 * span is one inline node and cannot be split across paragraphs. A selection is deleted first.
 */
export const splitLine: Command = (state, dispatch) => {
  const tr = state.tr;
  if (!state.selection.empty) tr.deleteSelection();
  const $pos = tr.selection.$from;
  if (!$pos.parent.inlineContent) return false;
  if (dispatch) {
    if (isSpanType($pos.parent.type)) {
      tr.insert($pos.pos, state.schema.nodes[NODE_NAMES.hardBreak]!.create({ text: "\n" }));
      tr.setSelection(TextSelection.create(tr.doc, $pos.pos + 1));
    } else {
      const paragraph = $pos.parent;
      tr.split($pos.pos, 1, [{ type: paragraph.type, attrs: paragraph.attrs }]);
      tr.setNodeMarkup($pos.before(), undefined, { ...paragraph.attrs, lineBreak: "\n" });
      tr.setSelection(TextSelection.create(tr.doc, $pos.pos + 2));
    }
    dispatch(tr.scrollIntoView());
  }
  return true;
};
