import { describe, expect, it } from "vitest";
import type { EditorState } from "prosemirror-state";
import { collectMarks } from "../marks.ts";
import { stateOf } from "../testing.ts";
import { markBadBehaviour } from "./markBadBehaviour.ts";
import { removeBadBehaviour } from "./removeBadBehaviour.ts";

function marked(): EditorState {
  let state = stateOf("«He cheated, twice.»<AI>He cheated: that harms trust.</AI>");
  markBadBehaviour("deceit", null, "bb-1")(state, (tr) => (state = state.apply(tr)));
  return state;
}

describe("removeBadBehaviour", () => {
  it("removes a mark everywhere", () => {
    let state = marked();
    expect(removeBadBehaviour("bb-1")(state, (tr) => (state = state.apply(tr)))).toBe(true);
    expect(collectMarks(state.doc)).toEqual([]);
    expect(removeBadBehaviour("bb-1")(state)).toBe(false);
  });
  it("leaves other marks alone", () => {
    let state = marked();
    markBadBehaviour("violence", null, "bb-2")(state, (tr) => (state = state.apply(tr)));
    removeBadBehaviour("bb-1")(state, (tr) => (state = state.apply(tr)));
    expect(collectMarks(state.doc).map((mark) => mark.id)).toEqual(["bb-2"]);
  });
});
