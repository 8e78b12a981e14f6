import type { Mark } from "prosemirror-model";
import type { Command } from "prosemirror-state";
import { findMark } from "../marks.ts";

/** Removes the bad-behaviour mark `markId` from every range it covers. Applies when it exists. */
export function removeBadBehaviour(markId: string): Command {
  return (state, dispatch) => {
    const ranges: Array<{ from: number; to: number; mark: Mark }> = [];
    state.doc.descendants((node, pos) => {
      if (!node.isText) return true;
      const mark = findMark(node.marks, markId);
      if (mark) ranges.push({ from: pos, to: pos + node.nodeSize, mark });
      return false;
    });
    if (ranges.length === 0) return false;
    if (dispatch) {
      const tr = state.tr;
      for (const { from, to, mark } of ranges) tr.removeMark(from, to, mark);
      dispatch(tr);
    }
    return true;
  };
}
