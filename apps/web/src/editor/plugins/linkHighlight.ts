/**
 * When the cursor is in bad-behaviour text linked to an AI span, that span is highlighted, so
 * the commentator sees which narration answers the behaviour. The decoration is rebuilt only
 * when the link under the cursor changes (which walks the document once to find the span);
 * on every other transaction it is mapped, so typing costs nothing here.
 */
import type { Node, ResolvedPos } from "prosemirror-model";
import { Plugin, PluginKey } from "prosemirror-state";
import { Decoration, DecorationSet } from "prosemirror-view";
import { BAD_BEHAVIOUR_MARK, modeOfNodeType } from "@prealign/core";

/** The linked AI span id under the cursor, and the decoration highlighting that span. */
interface LinkHighlight {
  link: string | null;
  decorations: DecorationSet;
}

/** Key of the link-highlight plugin. */
export const linkHighlightKey = new PluginKey<LinkHighlight>("linkHighlight");

/** The commentary link of a bad-behaviour mark at or just after `$pos`, or null. */
export function linkAt($pos: ResolvedPos): string | null {
  const marks = [...$pos.marks(), ...($pos.nodeAfter?.marks ?? [])];
  const mark = marks.find((m) => m.type.name === BAD_BEHAVIOUR_MARK && m.attrs.commentary);
  return mark ? (mark.attrs.commentary as string) : null;
}

/** Decorations highlighting the AI span with id `link`. */
function highlight(doc: Node, link: string | null): DecorationSet {
  if (!link) return DecorationSet.empty;
  let decoration: Decoration | null = null;
  doc.descendants((node, pos) => {
    if (decoration || node.isText || node.isLeaf) return false;
    if (modeOfNodeType(node.type) === "ai" && node.attrs.id === link) {
      decoration = Decoration.node(pos, pos + node.nodeSize, { class: "linked-commentary" });
      return false;
    }
    return true;
  });
  return decoration ? DecorationSet.create(doc, [decoration]) : DecorationSet.empty;
}

/** The plugin. */
export function linkHighlightPlugin(): Plugin<LinkHighlight> {
  return new Plugin<LinkHighlight>({
    key: linkHighlightKey,
    state: {
      init: (_config, state) => {
        const link = linkAt(state.selection.$head);
        return { link, decorations: highlight(state.doc, link) };
      },
      apply: (tr, current, _old, state) => {
        if (!tr.docChanged && !tr.selectionSet) return current;
        const link = linkAt(state.selection.$head);
        if (link === current.link) return tr.docChanged ? { link, decorations: current.decorations.map(tr.mapping, tr.doc) } : current;
        return { link, decorations: highlight(state.doc, link) };
      },
    },
    props: { decorations: (state) => linkHighlightKey.getState(state)!.decorations },
  });
}
