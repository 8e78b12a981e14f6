/**
 * The last paragraph keeps the default line break "\n": no line break follows the last line of
 * a text, so the codec never writes one there, and the server refuses a document whose last
 * paragraph says otherwise. Joining the last two paragraphs (Backspace at the start of the
 * last line) or deleting the last line leaves the break of the paragraph before it at the end;
 * this puts the default back in the same step, which changes no character of the tagged text.
 */
import { Plugin } from "prosemirror-state";

/** The plugin: after a change that left another line break on the last paragraph, resets it. */
export function lastLineBreakPlugin(): Plugin {
  return new Plugin({
    appendTransaction: (transactions, _old, state) => {
      if (!transactions.some((tr) => tr.docChanged)) return null;
      const last = state.doc.lastChild;
      if (!last || last.attrs.lineBreak === "\n") return null;
      return state.tr.setNodeAttribute(state.doc.content.size - last.nodeSize, "lineBreak", "\n").setMeta("addToHistory", false);
    },
  });
}
