import { describe, expect, it } from "vitest";
import { codePointLength, docToText, textToDoc } from "@prealign/core";
import { AllSelection } from "prosemirror-state";
import { stateOf } from "../editor/testing.ts";
import { OffsetMap } from "./offsets.ts";

function docOf(text: string) {
  const parsed = textToDoc(text);
  if (!parsed.ok) throw new Error(parsed.errors[0]!.message);
  return parsed.doc;
}

const TEXTS = [
  "Plain text only.",
  'Hi <AI>Yes "<AI_quoting_human>no</AI_quoting_human>"</AI> end',
  "Line one\r\nLine 😀 two\n<AI>span\nover lines</AI>\rlast",
  "<AI></AI>",
  "a\n\nb",
];

describe("OffsetMap", () => {
  it("gives each text position the code-point offset that the tagged text of everything before it has", () => {
    for (const text of TEXTS) {
      const doc = docOf(text);
      const map = new OffsetMap(doc);
      const full = docToText(doc);
      doc.descendants((node, pos) => {
        if (!node.isText) return true;
        for (let i = 0; i <= node.text!.length; i++) {
          if (i > 0 && i < node.text!.length && /[\uDC00-\uDFFF]/.test(node.text![i]!)) continue;
          const offset = map.offsetAt(pos + i);
          // The character at `offset` in the tagged text is the one after the position.
          const after = node.text!.slice(i);
          expect([...full].slice(offset, offset + [...after].length).join(""), `${JSON.stringify(text)} @${pos + i}`).toBe(after);
          expect(map.posAt(offset)).toBe(pos + i);
        }
        return false;
      });
      expect(map.offsetAt(doc.content.size - 1)).toBe(codePointLength(full));
    }
  });

  it("reads a selection as the range of its tagged text", () => {
    const state = stateOf('He «lied» to <AI>her "<AI_quoting_human>no</AI_quoting_human>"</AI>');
    const map = new OffsetMap(state.doc);
    expect(map.selectionRange(state.selection)).toEqual({ start: 3, end: 7 });
    const all = new AllSelection(state.doc);
    expect(map.selectionRange(all)).toEqual({ start: 0, end: codePointLength(docToText(state.doc)) });
  });

  it("puts a range inside a span on the span's text", () => {
    const doc = docOf('Hi <AI>Yes "<AI_quoting_human>no</AI_quoting_human>"</AI>');
    const map = new OffsetMap(doc);
    const text = docToText(doc);
    const start = text.indexOf("no");
    const { from, to } = map.toPositions({ start, end: start + 2 });
    expect(doc.textBetween(from, to)).toBe("no");
  });
});
