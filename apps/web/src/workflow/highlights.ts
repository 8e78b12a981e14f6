/**
 * Highlighted ranges over an editor (flags on the review and adjudication pages, the flags to
 * address on the example page). The ranges arrive as an action (`setHighlights`) and are then
 * mapped through every later edit, so they stay on the words they were put on while the person
 * types.
 */
import { Plugin, PluginKey, TextSelection, type EditorState, type Transaction } from "prosemirror-state";
import { Decoration, DecorationSet, type EditorView } from "prosemirror-view";

/** One highlighted range in document positions. */
export interface Highlight {
  /** Identifies the range (a flag id), for `highlightRange`. */
  id: string;
  from: number;
  to: number;
  /** Class names of the highlight, besides `flag-highlight`. */
  className?: string;
  /** Said on hover (who raised the flag, its category). */
  title?: string;
}

/** The plugin's key; its state is the decoration set. */
export const highlightsKey = new PluginKey<DecorationSet>("highlights");

/** The highlights plugin (one per editor). */
export function highlightsPlugin(): Plugin<DecorationSet> {
  return new Plugin<DecorationSet>({
    key: highlightsKey,
    state: {
      init: () => DecorationSet.empty,
      apply(tr, set) {
        const replaced = tr.getMeta(highlightsKey) as Highlight[] | undefined;
        if (replaced) return DecorationSet.create(tr.doc, replaced.map((h) => decoration(h)));
        return tr.docChanged ? set.map(tr.mapping, tr.doc) : set;
      },
    },
    props: {
      decorations: (state) => highlightsKey.getState(state),
    },
  });
}

function decoration(h: Highlight): Decoration {
  const attrs: Record<string, string> = { class: `flag-highlight ${h.className ?? ""}`.trim(), "data-flag": h.id };
  if (h.title) attrs.title = h.title;
  return Decoration.inline(h.from, h.to, attrs, { id: h.id, inclusiveStart: false, inclusiveEnd: false });
}

/** A transaction that replaces the highlights with `highlights`. */
export function setHighlights(state: EditorState, highlights: readonly Highlight[]): Transaction {
  const size = state.doc.content.size;
  const clamped = highlights.map((h) => ({ ...h, from: Math.min(h.from, size), to: Math.min(Math.max(h.from, h.to), size) }));
  return state.tr.setMeta(highlightsKey, clamped).setMeta("addToHistory", false);
}

/** Where the highlight `id` is now (after edits), or null when it is gone. */
export function highlightRange(state: EditorState, id: string): { from: number; to: number } | null {
  const set = highlightsKey.getState(state);
  const found = set?.find(undefined, undefined, (spec) => spec.id === id) ?? [];
  if (found.length === 0) return null;
  return { from: Math.min(...found.map((d) => d.from)), to: Math.max(...found.map((d) => d.to)) };
}

/** Selects `from`–`to` in the view, scrolls it into sight and puts the focus there. */
export function selectInView(view: EditorView, from: number, to: number): void {
  const selection = TextSelection.create(view.state.doc, from, to);
  view.dispatch(view.state.tr.setSelection(selection).scrollIntoView());
  view.focus();
}
