import { describe, expect, it } from "vitest";
import { EditorState } from "prosemirror-state";
import { schema } from "@prealign/core";
import { noticeKey, noticesPlugin, orTell, tell, withNotice } from "./notices.ts";

describe("notices", () => {
  const state = EditorState.create({ schema, plugins: [noticesPlugin()] });
  it("keeps the latest notice until another replaces it or it is dismissed", () => {
    let next = state.apply(withNotice(state.tr, "first"));
    expect(noticeKey.getState(next)?.message).toBe("first");
    next = next.apply(next.tr.insertText("a", 1));
    expect(noticeKey.getState(next)?.message).toBe("first");
    next = next.apply(withNotice(next.tr, null));
    expect(noticeKey.getState(next)).toBeNull();
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
