import { describe, expect, it } from "vitest";
import { EditorState, TextSelection } from "prosemirror-state";
import { markBadBehaviour } from "../commands/markBadBehaviour.ts";
import { stateOf } from "../testing.ts";
import { linkHighlightKey, linkHighlightPlugin } from "./linkHighlight.ts";

function highlighted(state: EditorState): Array<{ from: number; to: number }> {
  return linkHighlightKey.getState(state)!.decorations.find().map(({ from, to }) => ({ from, to }));
}

describe("linkHighlightPlugin", () => {
  const base = stateOf("«He lied.»<AI>Lying harms trust.</AI> more");
  let marked = base;
  markBadBehaviour("deceit", "ai-1", "bb-1")(base, (tr) => (marked = marked.apply(tr)));
  const state = EditorState.create({ doc: marked.doc, plugins: [linkHighlightPlugin()], selection: TextSelection.create(marked.doc, 3) });
  const span = { from: 9, to: 9 + state.doc.nodeAt(9)!.nodeSize };

  it("highlights the AI span linked to the mark under the cursor", () => {
    expect(state.doc.nodeAt(9)!.type.name).toBe("ai");
    expect(highlighted(state)).toEqual([span]);
  });
  it("maps the highlight through edits instead of rebuilding it", () => {
    const typed = state.apply(state.tr.insertText("x", 2));
    expect(highlighted(typed)).toEqual([{ from: span.from + 1, to: span.to + 1 }]);
  });
  it("drops it when the cursor leaves the mark", () => {
    const away = state.apply(state.tr.setSelection(TextSelection.create(state.doc, state.doc.content.size - 1)));
    expect(highlighted(away)).toEqual([]);
  });
});
