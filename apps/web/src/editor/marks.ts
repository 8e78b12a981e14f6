/**
 * Reading bad-behaviour marks and AI spans out of a document, for the marks panel and the
 * commentary picker. Both walk the whole document, so callers run them off the keystroke path.
 */
import type { Mark, Node } from "prosemirror-model";
import { BAD_BEHAVIOUR_MARK, modeOfNodeType, type BadBehaviourCategory } from "@prealign/core";

/** A fresh id for a bad-behaviour mark. Random, so marks made in two tabs never collide. */
export function newMarkId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return "bb-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One bad-behaviour mark of a document (a mark id may cover several ranges). */
export interface BadBehaviourEntry {
  id: string;
  category: BadBehaviourCategory;
  /** The id of the AI span commenting on it, null when uncommented. */
  commentary: string | null;
  /** The marked text (ranges joined by " … "). */
  text: string;
  /** Document ranges carrying the mark. */
  ranges: Array<{ from: number; to: number }>;
}

/** One AI span of a document. */
export interface AiSpanEntry {
  id: string;
  pos: number;
  text: string;
}

/** The bad-behaviour marks of `doc`, in document order of their first range. */
export function collectMarks(doc: Node): BadBehaviourEntry[] {
  const byId = new Map<string, BadBehaviourEntry>();
  doc.descendants((node, pos) => {
    if (!node.isText) return true;
    for (const mark of node.marks) {
      if (mark.type.name !== BAD_BEHAVIOUR_MARK) continue;
      const id = mark.attrs.id as string;
      const entry = byId.get(id);
      const from = pos;
      const to = pos + node.nodeSize;
      if (!entry) {
        byId.set(id, { id, category: mark.attrs.category, commentary: mark.attrs.commentary, text: node.text!, ranges: [{ from, to }] });
      } else {
        const last = entry.ranges[entry.ranges.length - 1]!;
        if (last.to === from) {
          last.to = to;
          entry.text += node.text!;
        } else {
          entry.ranges.push({ from, to });
          entry.text += " … " + node.text!;
        }
      }
    }
    return false;
  });
  return [...byId.values()];
}

/** The AI spans of `doc` with their text (hard breaks as spaces), in document order. */
export function collectAiSpans(doc: Node): AiSpanEntry[] {
  const spans: AiSpanEntry[] = [];
  doc.descendants((node, pos) => {
    if (node.isText || node.isLeaf) return false;
    if (modeOfNodeType(node.type) === "ai") spans.push({ id: node.attrs.id as string, pos, text: node.textBetween(0, node.content.size, " ", " ") });
    return true;
  });
  return spans;
}

/** The bad-behaviour mark with id `id` among `marks`, if any. */
export function findMark(marks: readonly Mark[], id: string): Mark | undefined {
  return marks.find((mark) => mark.type.name === BAD_BEHAVIOUR_MARK && mark.attrs.id === id);
}
