/**
 * Paste, drop and copy in the view (the rules are in `../clipboard.ts`). Paste and drop
 * insert the editor's own HTML with its structure where it fits exactly, and otherwise read the
 * text as tagged text in the mode where it lands; what cannot be read there is refused with a
 * message and nothing changes, as is anything that would make the document larger than the server
 * can save (`../saveLimit.ts`). Plain text has its line breaks and control characters
 * normalised first (`normalisePlainText`). Copy writes the selection's tagged text as plain
 * text (beside ProseMirror's HTML, which keeps the structure).
 */
import type { Slice } from "prosemirror-model";
import { Plugin, Selection, type Transaction } from "prosemirror-state";
import type { EditorView } from "prosemirror-view";
import { documentLineBreak, insertOwnSlice, insertTaggedText, normalisePlainText, sliceToTaggedText, type Insertion } from "../clipboard.ts";
import { documentTooLarge, textTooLarge } from "../saveLimit.ts";
import { withNotice } from "./notices.ts";

/** HTML that ProseMirror wrote when copying from an editor carries its slice's open depths. */
function isOwnHtml(data: DataTransfer | null): boolean {
  return data?.getData("text/html").includes("data-pm-slice") ?? false;
}

function insertAt(tr: Transaction, pos: number, data: DataTransfer | null, slice: Slice): Insertion {
  const own = isOwnHtml(data);
  if (own && insertOwnSlice(tr, pos, slice)) return { ok: true, size: slice.size };
  // Plain text from elsewhere is taken as it is, except that its line breaks follow the
  // document's and invisible control characters become spaces; HTML from elsewhere, or our own
  // HTML landing in another mode, as the tagged text of what it holds.
  const plain = own ? "" : (data?.getData("text/plain") ?? "");
  const text = plain || sliceToTaggedText(slice, tr.doc.type.schema);
  // Megabytes past the limit are refused before they are read, which would take a while.
  const tooLarge = textTooLarge(text);
  if (tooLarge) return { ok: false, reason: tooLarge };
  return insertTaggedText(tr, pos, plain ? normalisePlainText(plain, documentLineBreak(tr.doc)) : text);
}

function finish(view: EditorView, tr: Transaction, pos: number, outcome: Insertion, refusal: string, uiEvent: string): void {
  const tooLarge = outcome.ok ? documentTooLarge(tr.doc) : null;
  if (tooLarge) outcome = { ok: false, reason: tooLarge };
  if (!outcome.ok) {
    view.dispatch(withNotice(view.state.tr, `${refusal}: ${outcome.reason}`));
    return;
  }
  tr.setSelection(Selection.near(tr.doc.resolve(pos + outcome.size), -1));
  view.dispatch(withNotice(tr.scrollIntoView().setMeta("uiEvent", uiEvent), null));
}

/** The paste, drop and copy plugin. */
export function clipboardPlugin(): Plugin {
  return new Plugin({
    props: {
      clipboardTextSerializer: (slice, view) => sliceToTaggedText(slice, view.state.schema),
      handlePaste: (view, event, slice) => {
        const tr = view.state.tr;
        if (!view.state.selection.empty) tr.deleteSelection();
        const pos = tr.selection.from;
        finish(view, tr, pos, insertAt(tr, pos, event.clipboardData, slice), "Nothing was pasted (the clipboard still holds it)", "paste");
        return true;
      },
      handleDrop: (view, event, slice, moved) => {
        const target = view.posAtCoords({ left: event.clientX, top: event.clientY });
        if (!target) return false;
        const tr = view.state.tr;
        let pos = target.pos;
        if (moved) {
          const { from, to } = view.state.selection;
          if (pos > from && pos < to) return true;
          tr.deleteSelection();
          pos = tr.mapping.map(pos);
        }
        finish(view, tr, pos, insertAt(tr, pos, event.dataTransfer, slice), "Nothing was dropped", "drop");
        return true;
      },
    },
  });
}
