import { Fragment, type Node } from "prosemirror-model";
import type { Command } from "prosemirror-state";
import { BAD_BEHAVIOUR_MARK, modeOfNodeType, newSpanId, textToDoc } from "@prealign/core";
import { collectMarks } from "../marks.ts";

/**
 * The AI span that `inside` (tagged text, the inside of one AI span) makes in `schema`, with a
 * fresh id; null when it is not exactly one valid AI span's inside (the caller says why, with
 * the core's validator).
 */
function aiSpanOf(inside: string, schema: import("prosemirror-model").Schema, id: string): Node | null {
  const parsed = textToDoc(`<AI>${inside}</AI>`, { schema });
  if (!parsed.ok || parsed.doc.childCount !== 1) return null;
  const line = parsed.doc.firstChild!;
  if (line.childCount !== 1) return null;
  const span = line.firstChild!;
  if (modeOfNodeType(span.type) !== "ai") return null;
  return span.type.create({ ...span.attrs, id }, span.content, span.marks);
}

/**
 * Inserts AI commentary right after the bad-behaviour mark `markId` (after its last range) and
 * links the mark to it: drafted commentary that a person accepted. `inside` is the inside of
 * the AI span as tagged text. Applies when the mark exists and ends in human text (a mark in a
 * quote sits inside an AI span already, where another AI span cannot go) and `inside` is a valid
 * span's inside; the schema refuses anything else, so the document stays valid either way.
 */
export function insertCommentary(markId: string, inside: string, spanId: string = newSpanId()): Command {
  return (state, dispatch) => {
    const entry = collectMarks(state.doc).find((mark) => mark.id === markId);
    if (!entry) return false;
    const span = aiSpanOf(inside, state.schema, spanId);
    if (!span) return false;
    const at = entry.ranges[entry.ranges.length - 1]!.to;
    const $at = state.doc.resolve(at);
    if (!$at.parent.canReplace($at.index(), $at.index(), Fragment.from(span))) return false;
    if (dispatch) {
      const tr = state.tr.insert(at, span);
      const markType = state.schema.marks[BAD_BEHAVIOUR_MARK]!;
      tr.doc.descendants((node, pos) => {
        if (!node.isText) return true;
        const mark = node.marks.find((m) => m.type === markType && m.attrs.id === markId);
        if (mark) {
          tr.removeMark(pos, pos + node.nodeSize, mark);
          tr.addMark(pos, pos + node.nodeSize, markType.create({ ...mark.attrs, commentary: spanId }));
        }
        return false;
      });
      dispatch(tr.scrollIntoView());
    }
    return true;
  };
}
