import { describe, expect, it } from "vitest";
import type { EditorState } from "prosemirror-state";
import { collectMarks } from "../marks.ts";
import { stateOf } from "../testing.ts";
import { markBadBehaviour } from "./markBadBehaviour.ts";
import { setCommentary } from "./setCommentary.ts";

function marked(): EditorState {
  let state = stateOf("«He cheated.»<AI>He cheated: that harms trust.</AI>");
  markBadBehaviour("deceit", null, "bb-1")(state, (tr) => (state = state.apply(tr)));
  return state;
}

describe("setCommentary", () => {
  it("links a mark to an AI span and unlinks it", () => {
    let state = marked();
    expect(setCommentary("bb-1", "ai-1")(state, (tr) => (state = state.apply(tr)))).toBe(true);
    expect(collectMarks(state.doc)[0]!.commentary).toBe("ai-1");
    expect(setCommentary("bb-1", null)(state, (tr) => (state = state.apply(tr)))).toBe(true);
    expect(collectMarks(state.doc)[0]!.commentary).toBeNull();
  });
  it("refuses unknown marks and unknown spans", () => {
    const state = marked();
    expect(setCommentary("bb-2", "ai-1")(state)).toBe(false);
    expect(setCommentary("bb-1", "ai-9")(state)).toBe(false);
  });
});
