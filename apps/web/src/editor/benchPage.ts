/**
 * The page `bench/editor.ts` loads in Chromium: it opens a document in the studio editor (the
 * real plugins, keymap and guarded dispatch, without the React chrome) or in a plain
 * ProseMirror editor on prosemirror-schema-basic, and measures open time and keystroke-to-paint
 * latency. Not part of the app bundle.
 */
import { baseKeymap } from "prosemirror-commands";
import { history } from "prosemirror-history";
import { keymap } from "prosemirror-keymap";
import { Node } from "prosemirror-model";
import { schema as basicSchema } from "prosemirror-schema-basic";
import { EditorState, TextSelection } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { schema } from "@prealign/core";
import { createEditorState, createEditorView } from "./setup.ts";
import { isSpan } from "./spans.ts";
// `window.editorBench`, the handle this page sets.
import "./benchContract.ts";
import "../styles.css";
import "./editor.css";

/** Resolves with the time just after the next frame is painted. */
function afterPaint(): Promise<number> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      // A message posted in the frame callback is delivered after that frame's paint.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now());
      channel.port2.postMessage(null);
    }),
  );
}

let view: EditorView | null = null;
let measuring = false;
const samples: number[] = [];

document.addEventListener(
  "keydown",
  (event) => {
    if (!measuring) return;
    const start = event.timeStamp;
    void afterPaint().then((end) => samples.push(end - start));
  },
  true,
);

window.editorBench = {
  async open(kind, json) {
    view?.destroy();
    const place = document.getElementById("editor")!;
    // The plain editor gets none of the studio's styles.
    place.className = kind === "studio" ? "editor-shell" : "";
    const start = performance.now();
    const data: unknown = JSON.parse(json);
    if (kind === "studio") {
      view = createEditorView(place, createEditorState(Node.fromJSON(schema, data)), { onChange: () => {} });
    } else {
      const doc = Node.fromJSON(basicSchema, data);
      view = new EditorView(place, { state: EditorState.create({ doc, plugins: [history(), keymap(baseKeymap)] }) });
    }
    return (await afterPaint()) - start;
  },
  placeCursor(index, where) {
    const current = view!;
    let pos = 0;
    for (let i = 0; i < index; i++) pos += current.state.doc.child(i).nodeSize;
    const paragraph = current.state.doc.child(index);
    // Human text: a few characters in. An AI span: a few characters into the first one (in the
    // plain editor, which has no spans, the same stretch of text). The end: after the last
    // character.
    let target = where === "end" ? pos + paragraph.nodeSize - 1 : pos + 1 + 5;
    if (where === "ai") {
      target = pos + 1 + 70;
      if (current.state.schema === schema) paragraph.forEach((child, offset) => {
        if (isSpan(child) && target === pos + 1 + 70) target = pos + 1 + offset + 1 + 3;
      });
    }
    current.dispatch(current.state.tr.setSelection(TextSelection.create(current.state.doc, target)).scrollIntoView());
    current.focus();
  },
  startMeasuring() {
    samples.length = 0;
    measuring = true;
  },
  samples: () => samples.slice(),
};
