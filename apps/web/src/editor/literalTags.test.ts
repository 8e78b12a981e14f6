import { describe, expect, it } from "vitest";
import { literalTagRefusal } from "./literalTags.ts";
import { stateOf } from "./testing.ts";

describe("literalTagRefusal", () => {
  it("refuses a deletion that joins text into a tag", () => {
    const state = stateOf("say <AxI> now");
    const x = "say <A".length + 1;
    expect(literalTagRefusal(state.tr.delete(x, x + 1))).toContain("`<AI>`");
  });
  it("refuses typing that completes a tag with the text after the cursor", () => {
    const state = stateOf("<AI>x <AI_quoting_human</AI>");
    expect(literalTagRefusal(state.tr.insertText(">", 2 + "x <AI_quoting_human".length))).toContain("<AI_quoting_human>");
  });
  it("lets text near a span edge be, since it is not contiguous", () => {
    const state = stateOf("a <A<AI>I> b</AI>");
    expect(literalTagRefusal(state.tr.insertText("z", 2))).toBeNull();
  });
  it("lets ordinary edits and near-miss strings pass", () => {
    const state = stateOf("hello <ai> world");
    expect(literalTagRefusal(state.tr.insertText("!", 6))).toBeNull();
    expect(literalTagRefusal(state.tr)).toBeNull();
  });
});
