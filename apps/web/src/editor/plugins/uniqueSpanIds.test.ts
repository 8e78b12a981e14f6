import { describe, expect, it } from "vitest";
import { EditorState } from "prosemirror-state";
import { textToDoc } from "@prealign/core";
import { collectAiSpans } from "../marks.ts";
import { uniqueSpanIdsPlugin } from "./uniqueSpanIds.ts";

describe("uniqueSpanIdsPlugin", () => {
  it("gives a pasted copy of a span a fresh id and lets the original keep its own", () => {
    const parsed = textToDoc("a<AI>one</AI>b");
    if (!parsed.ok) throw new Error("invalid");
    const state = EditorState.create({ doc: parsed.doc, plugins: [uniqueSpanIdsPlugin()] });
    const copy = state.doc.slice(1, 1 + state.doc.firstChild!.content.size);
    const next = state.apply(state.tr.replace(1, 1, copy));
    const ids = collectAiSpans(next.doc).map((span) => span.id);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe("ai-1");
    expect(ids[0]).not.toBe("ai-1");
  });
  it("leaves typing alone", () => {
    const parsed = textToDoc("<AI>x</AI>");
    if (!parsed.ok) throw new Error("invalid");
    const state = EditorState.create({ doc: parsed.doc, plugins: [uniqueSpanIdsPlugin()] });
    const tr = state.tr.insertText("y", 2);
    expect(state.applyTransaction(tr).transactions).toHaveLength(1);
  });
});
