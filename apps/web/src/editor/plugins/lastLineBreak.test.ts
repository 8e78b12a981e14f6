import { checkDocument, docToText, textToDoc } from "@prealign/core";
import { joinBackward } from "prosemirror-commands";
import { EditorState, TextSelection } from "prosemirror-state";
import { describe, expect, it } from "vitest";
import { lastLineBreakPlugin } from "./lastLineBreak.ts";

function stateWith(text: string, withPlugin: boolean): EditorState {
  const parsed = textToDoc(text);
  if (!parsed.ok) throw new Error("invalid");
  return EditorState.create({ doc: parsed.doc, plugins: withPlugin ? [lastLineBreakPlugin()] : [] });
}

/** Backspace at the start of the last line, which joins it to the line before. */
function joinLastLine(state: EditorState): EditorState {
  const start = state.doc.content.size - state.doc.lastChild!.nodeSize + 1;
  let next = state.apply(state.tr.setSelection(TextSelection.create(state.doc, start)));
  joinBackward(next, (tr) => (next = next.apply(tr)));
  return next;
}

describe("lastLineBreakPlugin", () => {
  it("puts the default back when joining the last line leaves a CRLF on the last paragraph", () => {
    const joined = joinLastLine(stateWith("one\r\ntwo", true));
    expect(docToText(joined.doc)).toBe("onetwo");
    expect(() => checkDocument(joined.doc)).not.toThrow();
  });

  it("is needed: without it the joined document is refused as not canonical", () => {
    const joined = joinLastLine(stateWith("one\r\ntwo", false));
    expect(() => checkDocument(joined.doc)).toThrow(/last paragraph carries the line break/);
  });
});
