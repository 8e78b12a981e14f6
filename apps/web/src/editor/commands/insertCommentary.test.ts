import { describe, expect, it } from "vitest";
import type { EditorState } from "prosemirror-state";
import { docToText, uncommentedMarks } from "@prealign/core";
import { collectMarks } from "../marks.ts";
import { stateOf } from "../testing.ts";
import { insertCommentary } from "./insertCommentary.ts";
import { markBadBehaviour } from "./markBadBehaviour.ts";

function marked(tagged: string): EditorState {
  let state = stateOf(tagged);
  markBadBehaviour("deceit", null, "bb-1")(state, (tr) => (state = state.apply(tr)));
  return state;
}

describe("insertCommentary", () => {
  it("inserts the AI span right after the mark and links the mark to it", () => {
    let state = marked("«He lied to her.» Then he left.");
    const inside = 'Lying hurts: " <AI_quoting_human>He lied</AI_quoting_human> " is wrong.';
    expect(insertCommentary("bb-1", inside, "ai-new")(state, (tr) => (state = state.apply(tr)))).toBe(true);
    state.doc.check();
    expect(docToText(state.doc)).toBe(`He lied to her.<AI>${inside}</AI> Then he left.`);
    expect(collectMarks(state.doc)[0]!.commentary).toBe("ai-new");
    expect(uncommentedMarks(state.doc)).toEqual([]);
  });

  it("refuses an inside that breaks the grammar, an unknown mark, and a mark inside a quote", () => {
    const state = marked("«He lied.»");
    // Valid tagged text, but two AI spans, not the inside of one.
    expect(insertCommentary("bb-1", "Wrong.</AI> human <AI>again")(state)).toBe(false);
    expect(insertCommentary("bb-1", "Wrong.</AI_quoting_human>")(state)).toBe(false);
    expect(insertCommentary("bb-1", "Nested <AI>span</AI>")(state)).toBe(false);
    expect(insertCommentary("bb-2", "Fine.")(state)).toBe(false);
    const quoted = marked('Hi<AI>" <AI_quoting_human>«He lied.»</AI_quoting_human> "</AI>');
    expect(insertCommentary("bb-1", "Fine.")(quoted)).toBe(false);
  });
});
