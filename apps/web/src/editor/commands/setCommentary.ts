import type { Mark } from "prosemirror-model";
import type { Command } from "prosemirror-state";
import { BAD_BEHAVIOUR_MARK, modeOfNodeType } from "@prealign/core";
import { findMark } from "../marks.ts";

/**
 * Links the bad-behaviour mark `markId` (every range of it) to the AI span `spanId`, or unlinks
 * it with null. Applies when the mark exists and the span exists (or `spanId` is null).
 */
export function setCommentary(markId: string, spanId: string | null): Command {
  return (state, dispatch) => {
    const ranges: Array<{ from: number; to: number; mark: Mark }> = [];
    let spanExists = spanId === null;
    state.doc.descendants((node, pos) => {
      if (node.isText) {
        const mark = findMark(node.marks, markId);
        if (mark) ranges.push({ from: pos, to: pos + node.nodeSize, mark });
        return false;
      }
      if (spanId !== null && modeOfNodeType(node.type) === "ai" && node.attrs.id === spanId) spanExists = true;
      return true;
    });
    if (ranges.length === 0 || !spanExists) return false;
    if (dispatch) {
      const tr = state.tr;
      const markType = state.schema.marks[BAD_BEHAVIOUR_MARK]!;
      for (const { from, to, mark } of ranges) {
        tr.removeMark(from, to, mark);
        tr.addMark(from, to, markType.create({ ...mark.attrs, commentary: spanId }));
      }
      dispatch(tr);
    }
    return true;
  };
}
