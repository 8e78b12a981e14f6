import { describe, expect, it } from "vitest";
import { TextSelection } from "prosemirror-state";
import { showState, stateOf } from "../testing.ts";
import { lineAt } from "./lineSelection.ts";

/** The line around the marked cursor, shown as a selection. */
function line(tagged: string): string {
  const state = stateOf(tagged);
  const { from, to } = lineAt(state.doc, state.selection.from);
  return showState(state.apply(state.tr.setSelection(TextSelection.create(state.doc, from, to))));
}

describe("lineAt", () => {
  it("is the text between the line breaks around the position, inside the span when the line is all span", () => {
    expect(line("Intro <AI>first\nsec‸ond\nthird</AI> end")).toBe("Intro <AI>first\n«second»\nthird</AI> end");
    expect(line("<AI>fi‸rst\nsecond</AI>")).toBe("<AI>«first»\nsecond</AI>");
    expect(line("<AI>first\nsec‸ond</AI>")).toBe("<AI>first\n«second»</AI>");
  });
  it("keeps the human part of a line that runs out of a span", () => {
    expect(line("Intro <AI>fi‸rst\nsecond</AI>")).toBe("«Intro <AI>first»\nsecond</AI>");
    expect(line("<AI>first\nsecond</AI> e‸nd")).toBe("<AI>first\n«second</AI> end»");
  });
  it("leaves a span whose edge the line only touches", () => {
    expect(line("<AI>a\n</AI>b‸c")).toBe("<AI>a\n</AI>«bc»");
    expect(line("x‸y<AI>\nb</AI>")).toBe("«xy»<AI>\nb</AI>");
  });
  it("is the paragraph where the paragraph has no line break", () => {
    expect(line("one\ntw‸o <AI>x</AI>\nthree")).toBe("one\n«two <AI>x</AI>»\nthree");
  });
  it("is empty on an empty line", () => {
    expect(line("<AI>a\n‸\nb</AI>")).toBe("<AI>a\n‸\nb</AI>");
  });
});
