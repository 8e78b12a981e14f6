/**
 * Placing a range of one revision's tagged text on a later text: the word diff between the two
 * (the history view's, `editor/revisionDiff.ts`) carries each end across the edits. A range
 * whose words were rewritten comes out where the rewrite is; a deleted range comes out empty.
 */
import { codePointLength, codePointToUtf16 } from "@prealign/core";
import { revisionDiff, type DiffPart } from "../editor/revisionDiff.ts";
import type { TextRange } from "./offsets.ts";

/** Where a range of the old text is in the new one. */
export interface MappedRange extends TextRange {
  /** The text in the range differs from what it was (edited, or deleted when the range is empty). */
  changed: boolean;
}

/**
 * Maps a UTF-16 index of the old text through the diff. `assoc` decides which side of an
 * insertion exactly at the index it goes to: -1 before it (a range's end, so that text typed
 * right after a flag does not join it), 1 after it (a range's start).
 */
function mapIndex(parts: readonly DiffPart[], index: number, assoc: -1 | 1): number {
  let before = 0;
  let after = 0;
  for (const part of parts) {
    const length = part.text.length;
    if (part.kind === "added") {
      after += length;
      continue;
    }
    const inside = index < before + length || (index === before + length && assoc < 0);
    if (inside) return part.kind === "same" ? after + (index - before) : after;
    before += length;
    if (part.kind === "same") after += length;
  }
  return after;
}

/** Something that maps ranges of one text onto another. */
export interface RangeMapper {
  map(range: TextRange): MappedRange;
}

/**
 * A mapper from `before` to `after`, or null when the two differ too much to compare in time
 * (then no range can be placed).
 */
export function rangeMapper(before: string, after: string): RangeMapper | null {
  if (before === after) return { map: (range) => ({ ...range, changed: false }) };
  const parts = revisionDiff(before, after);
  if (!parts) return null;
  return {
    map({ start, end }) {
      const from = mapIndex(parts, codePointToUtf16(before, start), 1);
      const to = Math.max(from, mapIndex(parts, codePointToUtf16(before, end), -1));
      const oldText = before.slice(codePointToUtf16(before, start), codePointToUtf16(before, end));
      const mapped = { start: codePointLength(after, 0, from), end: codePointLength(after, 0, to) };
      return { ...mapped, changed: after.slice(from, to) !== oldText };
    },
  };
}
