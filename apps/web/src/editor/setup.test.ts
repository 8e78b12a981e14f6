import { describe, expect, it } from "vitest";
import { docToText, textToDoc } from "@prealign/core";
import { noticeKey } from "./plugins/notices.ts";
import { applyGuarded, createEditorState } from "./setup.ts";

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
});
