/**
 * Every AI span keeps its own id, since bad-behaviour marks link to AI spans by id (the server
 * refuses duplicates). Paste and drop can bring in copies of spans that are already there, and
 * text read by the codec numbers its spans `ai-1`, `ai-2`, …; a copy that arrives gets a fresh
 * id, and the span that was there first keeps its own, so existing links still hold.
 */
import type { Node } from "prosemirror-model";
import { Plugin, type Transaction } from "prosemirror-state";
import { Mapping, ReplaceAroundStep, ReplaceStep } from "prosemirror-transform";
import { modeOfNodeType, newSpanId } from "@prealign/core";
import { changedRanges } from "../literalTags.ts";

function isAiSpan(node: Node): boolean {
  return modeOfNodeType(node.type) === "ai";
}

/** Whether a transaction inserts content holding an AI span (typing never does). */
function insertsAiSpan(tr: Transaction): boolean {
  return tr.steps.some((step) => {
    if (!(step instanceof ReplaceStep || step instanceof ReplaceAroundStep)) return false;
    let found = false;
    step.slice.content.descendants((node) => {
      if (isAiSpan(node)) found = true;
      return !found;
    });
    return found;
  });
}

/**
 * Positions of the AI spans of `doc` that need a fresh id: of each group sharing an id, all but
 * the first span outside the `changed` ranges (the one that was there before).
 */
export function duplicateSpans(doc: Node, changed: ReadonlyArray<{ from: number; to: number }>): number[] {
  const byId = new Map<string, number[]>();
  doc.descendants((node, pos) => {
    if (node.isText || node.isLeaf) return false;
    if (isAiSpan(node)) byId.set(node.attrs.id as string, [...(byId.get(node.attrs.id as string) ?? []), pos]);
    return true;
  });
  const arrived = (pos: number) => changed.some((range) => pos >= range.from && pos < range.to);
  const duplicates: number[] = [];
  for (const positions of byId.values()) {
    if (positions.length < 2) continue;
    const keep = positions.find((pos) => !arrived(pos)) ?? positions[0];
    duplicates.push(...positions.filter((pos) => pos !== keep));
  }
  return duplicates;
}

/** The plugin: after any transaction that brought in AI spans, duplicates get fresh ids. */
export function uniqueSpanIdsPlugin(): Plugin {
  return new Plugin({
    appendTransaction: (transactions, _old, state) => {
      if (!transactions.some((tr) => tr.docChanged && insertsAiSpan(tr))) return null;
      const mapping = new Mapping();
      for (const tr of transactions) mapping.appendMapping(tr.mapping);
      const tr = state.tr;
      for (const pos of duplicateSpans(state.doc, changedRanges(mapping))) tr.setNodeAttribute(pos, "id", newSpanId());
      return tr.docChanged ? tr : null;
    },
  });
}
