import { describe, expect, it } from "vitest";
import { schema } from "@prealign/core";
import { noticeKey } from "./plugins/notices.ts";
import { buildKeymap } from "./keymap.ts";
import { showState, stateOf } from "./testing.ts";
import { createEditorState } from "./setup.ts";

const keys = buildKeymap(schema);

/** Presses `key` (its command) on `tagged` inside a full editor state; the text, or the notice. */
function press(key: string, tagged: string): string {
  const plain = stateOf(tagged);
  let state = createEditorState(plain.doc);
  state = state.apply(state.tr.setSelection(plain.selection.map(state.doc, state.tr.mapping)));
  keys[key]!(state, (tr) => (state = state.apply(tr)));
  return noticeKey.getState(state)?.message ?? showState(state);
}

describe("buildKeymap", () => {
  it("binds every documented key", () => {
    for (const key of ["Mod-Alt-a", "Mod-Alt-q", "Mod-Alt-u", "Enter", "Shift-Enter", "Backspace", "Delete", "Ctrl-Backspace", "Ctrl-Delete", "ArrowLeft", "ArrowRight", "Mod-z", "Mod-Shift-z", "Mod-y", "Mod-a"]) {
      expect(keys[key], key).toBeTypeOf("function");
    }
  });
  it("runs the structure commands", () => {
    expect(press("Mod-Alt-a", "a«b»c")).toBe("a<AI>«b»</AI>c");
    expect(press("Mod-Alt-q", "<AI>a«b»c</AI>")).toBe("<AI>a<AI_quoting_human>«b»</AI_quoting_human>c</AI>");
    expect(press("Mod-Alt-u", "<AI>a‸b</AI>")).toBe("a‸b");
    expect(press("Enter", "<AI>a‸b</AI>")).toBe("<AI>a\n‸b</AI>");
    expect(press("Ctrl-Backspace", "a <AI>b c</AI>‸ d")).toBe("a <AI>b </AI>‸ d");
  });
  it("says why a shortcut does not apply", () => {
    expect(press("Mod-Alt-a", "<AI>a«b»c</AI>")).toBe("An AI span can only be made in human text, and the selection is in an AI span.");
    expect(press("Mod-Alt-q", "a«b»c")).toBe("A quote of a human can only be made in an AI span, and the selection is in human text.");
    expect(press("Mod-Alt-u", "a‸b")).toBe("There is no span to unwrap here: the cursor is in human text.");
    expect(press("Mod-Alt-u", "<AI>a‸<AI_quoting_human>q</AI_quoting_human></AI>")).toContain("cannot be unwrapped");
    expect(press("Mod-z", "a‸b")).toBe("Nothing to undo.");
    expect(press("Mod-y", "a‸b")).toBe("Nothing to redo.");
  });
});
