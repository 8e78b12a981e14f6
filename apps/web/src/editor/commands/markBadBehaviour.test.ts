import { describe, expect, it } from "vitest";
import { collectMarks } from "../marks.ts";
import { apply, stateOf } from "../testing.ts";
import { markBadBehaviour } from "./markBadBehaviour.ts";

const mark = markBadBehaviour("deceit", "ai-1", "bb-1");

describe("markBadBehaviour", () => {
  it("marks human text and quoted text with the category and link", () => {
    let state = stateOf("I «lied» to her.<AI>He lied.</AI>");
    mark(state, (tr) => (state = state.apply(tr)));
    expect(collectMarks(state.doc)).toEqual([{ id: "bb-1", category: "deceit", commentary: "ai-1", text: "lied", ranges: [{ from: 3, to: 7 }] }]);
    expect(apply(mark, '<AI>He said "<AI_quoting_human>«trust me»</AI_quoting_human>"</AI>')).not.toBeNull();
  });
  it("marks only the text around an AI span, never the span node", () => {
    let state = stateOf("a«b<AI>c</AI>»");
    expect(mark(state)).toBe(false);
    state = stateOf("«ab»<AI>c</AI>");
    mark(state, (tr) => (state = state.apply(tr)));
    state.doc.forEach((p) => p.forEach((child) => expect(child.isText || child.marks.length === 0).toBe(true)));
  });
  it("refuses AI text and empty selections", () => {
    expect(apply(mark, "<AI>«bad»</AI>")).toBeNull();
    expect(apply(mark, "a‸b")).toBeNull();
  });
});
