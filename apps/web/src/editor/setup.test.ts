import { describe, expect, it } from "vitest";
import { TextSelection } from "prosemirror-state";
import { docToText, textToDoc } from "@prealign/core";
import { noticeKey } from "./plugins/notices.ts";
import { applyGuarded, createEditorState, READ_ONLY_REFUSAL } from "./setup.ts";

function editorState(text: string) {
  const parsed = textToDoc(text);
  if (!parsed.ok) throw new Error("invalid");
  return createEditorState(parsed.doc);
}

describe("applyGuarded", () => {
  it("applies ordinary edits", () => {
    const state = editorState("ab");
    expect(docToText(applyGuarded(state, state.tr.insertText("c", 3)).doc)).toBe("abc");
  });
  it("refuses an edit leaving a tag string in the text, keeping the document and telling why", () => {
    const state = editorState("<A I>");
    const next = applyGuarded(state, state.tr.delete(3, 4));
    expect(docToText(next.doc)).toBe("<A I>");
    expect(noticeKey.getState(next)?.message).toContain("`<AI>`");
  });
  it("refuses every change to a read-only document, but lets the selection move", () => {
    const state = editorState("ab");
    const refused = applyGuarded(state, state.tr.insertText("c", 3), false);
    expect(docToText(refused.doc)).toBe("ab");
    expect(noticeKey.getState(refused)?.message).toBe(READ_ONLY_REFUSAL);
    const moved = applyGuarded(state, state.tr.setSelection(TextSelection.create(state.doc, 2)), false);
    expect(moved.selection.from).toBe(2);
  });
});
