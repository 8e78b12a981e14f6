import type { Command } from "prosemirror-state";
import { BAD_BEHAVIOUR_MARK, type BadBehaviourCategory } from "@prealign/core";
import { newMarkId } from "../marks.ts";

/**
 * Marks the selected text as bad behaviour of `category`, linked to the AI span with id
 * `commentary` (null: uncommented). Only human and quoted-human text can carry the mark (the
 * schema says which parents allow it), so the command applies only when every selected
 * character is such text; a selection touching AI text is refused rather than half-marked.
 */
export function markBadBehaviour(category: BadBehaviourCategory, commentary: string | null, id: string = newMarkId()): Command {
  return (state, dispatch) => {
    const { from, to, empty } = state.selection;
    if (empty) return false;
    const markType = state.schema.marks[BAD_BEHAVIOUR_MARK]!;
    const ranges: Array<[number, number]> = [];
    let legal = true;
    state.doc.nodesBetween(from, to, (node, pos, parent) => {
      if (!node.isText) return legal;
      if (!parent?.type.allowsMarkType(markType)) legal = false;
      else ranges.push([Math.max(pos, from), Math.min(pos + node.nodeSize, to)]);
      return false;
    });
    if (!legal || ranges.length === 0) return false;
    if (dispatch) {
      const mark = markType.create({ id, category, commentary });
      const tr = state.tr;
      // Mark text nodes one by one: a range-wide addMark would also mark the AI span nodes
      // that sit between them in the paragraph.
      for (const [start, end] of ranges) tr.addMark(start, end, mark);
      dispatch(tr);
    }
    return true;
  };
}
