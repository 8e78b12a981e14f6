import { describe, expect, it } from "vitest";
import { docToText, schema } from "@prealign/core";
import { documentLineBreak, insertOwnSlice, insertTaggedText, normalisePlainText, sliceToTaggedText } from "./clipboard.ts";
import { showState, stateOf } from "./testing.ts";

/** Pastes tagged `text` at the cursor of `tagged`: the result, or the refusal. */
function pasteText(tagged: string, text: string): string {
  const state = stateOf(tagged);
  const tr = state.tr;
  const inserted = insertTaggedText(tr, state.selection.from, text);
  if (!inserted.ok) return `refused: ${inserted.reason}`;
  const next = state.apply(tr);
  next.doc.check();
  return showState(next);
}

/** Copies the marked selection of `source` as a slice and pastes it at the cursor of `target`. */
function pasteSlice(source: string, target: string): string | null {
  const from = stateOf(source);
  const slice = from.doc.slice(from.selection.from, from.selection.to, true);
  const to = stateOf(target);
  const tr = to.tr;
  if (!insertOwnSlice(tr, to.selection.from, slice)) return null;
  return docToText(tr.doc);
}

describe("sliceToTaggedText", () => {
  it("closes the spans a selection is inside of", () => {
    const state = stateOf("x<AI>a«bc</AI>d\r\ne»f");
    expect(sliceToTaggedText(state.doc.slice(state.selection.from, state.selection.to), schema)).toBe("<AI>bc</AI>d\r\ne");
  });
  it("gives the whole document's text for the whole document", () => {
    const state = stateOf("a\n<AI>b<AI_quoting_human>c</AI_quoting_human>\r\n</AI>d");
    expect(sliceToTaggedText(state.doc.slice(0, state.doc.content.size), schema)).toBe(docToText(state.doc));
  });
});

describe("insertTaggedText", () => {
  it("keeps each pasted line break, and the break that ended the line pasted into", () => {
    expect(pasteText("x‸y\rz", "A\r\nB")).toBe("xA\r\nB‸y\rz");
    expect(pasteText("x‸y\rz", "A\r\nB\nC")).toBe("xA\r\nB\nC‸y\rz");
    expect(pasteText("‸", "A\r\nB")).toBe("A\r\nB‸");
  });
  it("makes structure from tagged text in human text", () => {
    expect(pasteText("a‸b", "x<AI>y</AI>\nz")).toBe("ax<AI>y</AI>\nz‸b");
  });
  it("reads text in the mode it lands in", () => {
    expect(pasteText("<AI>a‸b</AI>", "one\ntwo")).toBe("<AI>aone\ntwo‸b</AI>");
    expect(pasteText("<AI>a‸b</AI>", "1</AI> human <AI>2")).toBe("<AI>a1</AI> human <AI>2‸b</AI>");
  });
  it("takes a whole span of the same mode as its content", () => {
    expect(pasteText("<AI>a‸b</AI>", "<AI>copied</AI>")).toBe("<AI>acopied‸b</AI>");
  });
  it("refuses illegal nesting with the validator's reason and changes nothing", () => {
    expect(pasteText("<AI>a‸b</AI>", "<AI>x</AI> y <AI>z</AI>")).toMatch(/^refused: `<AI>` cannot open an AI span inside an AI span/);
    expect(pasteText("a‸b", "ok\nthen <AI_quoting_human>q</AI_quoting_human>")).toMatch(/^refused: Line 2, column 6: `<AI_quoting_human>` can only be used in an AI span/);
    expect(pasteText("a‸b", "<AI>open")).toMatch(/^refused: .*AI span/);
  });
});

describe("insertOwnSlice", () => {
  it("pastes a slice whose open edges match where it lands", () => {
    expect(pasteSlice("<AI>a«b<AI_quoting_human>q</AI_quoting_human>c»</AI>", "<AI>x‸y</AI>")).toBe("<AI>xb<AI_quoting_human>q</AI_quoting_human>cy</AI>");
    expect(pasteSlice("«a<AI>b</AI>c»", "x‸y")).toBe("xa<AI>b</AI>cy");
  });
  it("declines slices from another mode, leaving them to the text path", () => {
    expect(pasteSlice("<AI>a«b»c</AI>", "x‸y")).toBeNull();
    expect(pasteSlice("«a<AI>b</AI>c»", "<AI>x‸y</AI>")).toBeNull();
  });
});

describe("documentLineBreak", () => {
  it("is the document's first line break in text order, or null", () => {
    expect(documentLineBreak(stateOf("a\r\nb\nc").doc)).toBe("\r\n");
    expect(documentLineBreak(stateOf("<AI>a\rb</AI>\nc").doc)).toBe("\r");
    expect(documentLineBreak(stateOf("a <AI>b</AI>").doc)).toBeNull();
  });
});

describe("normalisePlainText", () => {
  it("writes every line break in the document's style, else in the text's own first one", () => {
    expect(normalisePlainText("a\r\nb\rc\nd", "\n")).toBe("a\nb\nc\nd");
    expect(normalisePlainText("a\nb\r\nc", "\r\n")).toBe("a\r\nb\r\nc");
    expect(normalisePlainText("a\r\nb\nc", null)).toBe("a\r\nb\r\nc");
    expect(normalisePlainText("ab", null)).toBe("ab");
  });
  it("turns control characters other than tab into spaces", () => {
    expect(normalisePlainText("a\vb\fc\u0000d\u001fe\tf", "\n")).toBe("a b c d e\tf");
  });
});
