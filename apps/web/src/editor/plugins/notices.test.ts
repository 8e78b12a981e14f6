import { describe, expect, it } from "vitest";
import { EditorState, TextSelection } from "prosemirror-state";
import { schema } from "@prealign/core";
import { noticeKey, noticesPlugin, orTell, tell, withNotice } from "./notices.ts";

describe("notices", () => {
  const state = EditorState.create({ schema, plugins: [noticesPlugin()] });
  it("keeps the latest notice until another replaces it or it is dismissed", () => {
    let next = state.apply(withNotice(state.tr, "first"));
    expect(noticeKey.getState(next)?.message).toBe("first");
    next = next.apply(next.tr.setSelection(TextSelection.create(next.doc, 1)));
    expect(noticeKey.getState(next)?.message).toBe("first");
    next = next.apply(withNotice(next.tr, "second"));
    expect(noticeKey.getState(next)?.message).toBe("second");
    next = next.apply(withNotice(next.tr, null));
    expect(noticeKey.getState(next)).toBeNull();
  });
  it("clears the notice when a later edit goes through, unless that edit brings its own", () => {
    let next = state.apply(withNotice(state.tr, "Nothing to undo."));
    next = next.apply(next.tr.insertText("a", 1));
    expect(noticeKey.getState(next)).toBeNull();
    next = next.apply(withNotice(next.tr.insertText("b", 2), "pasted, but…"));
    expect(noticeKey.getState(next)?.message).toBe("pasted, but…");
  });
  it("orTell runs the command, or tells why it does not apply", () => {
    let next = state;
    const dispatch = (tr: import("prosemirror-state").Transaction) => (next = next.apply(tr));
    expect(orTell(() => false, () => "not here")(next, dispatch)).toBe(true);
    expect(noticeKey.getState(next)?.message).toBe("not here");
    expect(orTell(() => true, () => "unused")(next, dispatch)).toBe(true);
    expect(noticeKey.getState(next)?.message).toBe("not here");
    expect(tell("again")(next)).toBe(true);
  });
});
