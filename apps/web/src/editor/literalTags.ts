/**
 * Text cannot hold a tag string literally (SPEC §2): any occurrence is a tag. Structure
 * edits cannot create one, but text edits can: deleting the "x" of `<AxI>`, typing `<` in
 * front of `AI>`, dropping `AI>` after a `<`. This finds tag strings in the text a
 * transaction touched, looking only at contiguous text near the changes so that it costs the
 * same on a long document as on a short one.
 */
import type { Node } from "prosemirror-model";
import type { Transaction } from "prosemirror-state";
import type { Mapping } from "prosemirror-transform";
import { schemaGrammar, type Tag } from "@prealign/core";

/** The ranges of `mapping`'s final document that its steps inserted or changed. */
export function changedRanges(mapping: Mapping): Array<{ from: number; to: number }> {
  const ranges: Array<{ from: number; to: number }> = [];
  mapping.maps.forEach((map, index) => {
    const after = mapping.slice(index + 1);
    map.forEach((_oldStart, _oldEnd, newStart, newEnd) => {
      ranges.push({ from: after.map(newStart, -1), to: after.map(newEnd, 1) });
    });
  });
  return ranges;
}

/** A tag string found in text, and where it starts. */
export interface LiteralTag {
  tag: Tag;
  pos: number;
}

/**
 * The first tag string in runs of contiguous text that come within a tag's length of one of
 * `ranges`, or null. Text separated by a node (a span edge, a hard break) is not contiguous:
 * `<A` before a span and `I>` inside it do not form a tag.
 */
export function findLiteralTag(doc: Node, ranges: ReadonlyArray<{ from: number; to: number }>): LiteralTag | null {
  const tags = schemaGrammar(doc.type.schema).tags;
  const longest = Math.max(...tags.map((tag) => tag.length));
  let found: LiteralTag | null = null;
  for (const range of ranges) {
    const low = Math.max(0, range.from - longest);
    const high = Math.min(doc.content.size, range.to + longest);
    doc.nodesBetween(low, high, (node, pos) => {
      if (found || !node.inlineContent) return !found;
      let run = "";
      let runStart = 0;
      const check = () => {
        const from = Math.max(runStart, low) - runStart;
        const to = Math.min(runStart + run.length, high) - runStart;
        if (to - from < 4) return;
        const window = run.slice(from, to);
        for (const tag of tags) {
          const at = window.indexOf(tag);
          if (at >= 0 && !found) found = { tag, pos: runStart + from + at };
        }
      };
      node.forEach((child, offset) => {
        if (child.isText) {
          if (run === "") runStart = pos + 1 + offset;
          run += child.text!;
        } else {
          check();
          run = "";
        }
      });
      check();
      return true;
    });
    if (found) return found;
  }
  return null;
}

/** Why a transaction must be refused because it would leave a tag string in the text, or null. */
export function literalTagRefusal(tr: Transaction): string | null {
  if (!tr.docChanged) return null;
  const found = findLiteralTag(tr.doc, changedRanges(tr.mapping));
  if (!found) return null;
  return `That change would leave \`${found.tag}\` in the text as plain characters, and text cannot hold a tag literally. Nothing was changed. Type a tag where it is legal to make a span, or use the toolbar.`;
}
