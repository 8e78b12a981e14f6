/**
 * Typing a tag string (SPEC §3): where the tag is a legal transition it becomes structure (an
 * opening tag starts an empty span with the cursor inside; a closing tag ends the span at the
 * cursor), and where it is not, nothing is inserted and the user is told why, in the words
 * the validator uses. Text cannot hold a tag literally, so there is no third way.
 */
import type { ResolvedPos } from "prosemirror-model";
import { TextSelection, type EditorState, type Transaction } from "prosemirror-state";
import { illegalTransitionMessage, modeAt, nodeTypeOfMode, schemaGrammar, spanStructure, type Tag } from "@prealign/core";
import { freshSpanAttrs } from "./spans.ts";

/** What typing some text comes to: a transaction, a refusal, or null (ordinary text). */
export type TypingOutcome = { tr: Transaction } | { refused: string } | null;

/** Up to `max` characters of contiguous text directly before (`dir` -1) or after `$pos` in its parent. */
function textRun($pos: ResolvedPos, dir: -1 | 1, max: number): string {
  const parent = $pos.parent;
  let index = $pos.index();
  let run = "";
  if ($pos.textOffset > 0) {
    const text = parent.child(index).text!;
    run = dir < 0 ? text.slice(0, $pos.textOffset) : text.slice($pos.textOffset);
    if (dir > 0) index++;
  }
  for (let i = dir < 0 ? index - 1 : index; i >= 0 && i < parent.childCount && run.length < max; i += dir) {
    const child = parent.child(i);
    if (!child.isText) break;
    run = dir < 0 ? child.text! + run : run + child.text!;
  }
  return dir < 0 ? run.slice(-max) : run.slice(0, max);
}

/**
 * The outcome of typing `text` over `from`–`to`. Looks for a tag that the typed characters
 * complete together with the text around them; returns null when there is none.
 */
export function typeText(state: EditorState, from: number, to: number, text: string): TypingOutcome {
  const $from = state.doc.resolve(from);
  const $to = state.doc.resolve(to);
  if (!$from.sameParent($to) || !$from.parent.inlineContent) return null;
  const g = schemaGrammar(state.schema);
  const longest = Math.max(...g.tags.map((tag) => tag.length));
  const before = textRun($from, -1, longest);
  const combined = before + text + textRun($to, 1, longest);
  const typedStart = before.length;
  const typedEnd = before.length + text.length;
  let tag: Tag | null = null;
  let at = -1;
  for (const candidate of g.tags) {
    for (let i = combined.indexOf(candidate); i >= 0; i = combined.indexOf(candidate, i + 1)) {
      if (i < typedEnd && i + candidate.length > typedStart && (at < 0 || i < at)) {
        tag = candidate;
        at = i;
      }
    }
  }
  if (!tag) return null;
  const mode = modeAt($from);
  const why = illegalTransitionMessage(g, mode, tag);
  if (why) return { refused: `Not inserted: ${why}` };

  const tr = state.tr.insertText(text, from, to);
  const tagFrom = from - before.length + at;
  tr.delete(tagFrom, tagFrom + tag.length);
  const { spans } = spanStructure(g);
  const opened = [...spans].find(([, span]) => span.open === tag && span.parent === mode);
  if (opened) {
    const type = nodeTypeOfMode(state.schema, opened[0]);
    tr.insert(tagFrom, type.create(freshSpanAttrs(type)));
    tr.setSelection(TextSelection.create(tr.doc, tagFrom + 1));
    return { tr };
  }
  // A legal closing tag closes the span the text is in, at the tag.
  const $tag = tr.doc.resolve(tagFrom);
  const span = $tag.parent;
  if ($tag.parentOffset === span.content.size) {
    tr.setSelection(TextSelection.create(tr.doc, $tag.after()));
  } else if ($tag.parentOffset === 0) {
    tr.setSelection(TextSelection.create(tr.doc, $tag.before()));
  } else {
    // Mid-span: the span ends here and what followed the cursor stays in a span of its own,
    // as the text `…</AI>|<AI>…` would read; the cursor sits between them.
    tr.split(tagFrom, 1, [{ type: span.type, attrs: freshSpanAttrs(span.type) }]);
    tr.setSelection(TextSelection.create(tr.doc, tagFrom + 1));
  }
  return { tr };
}
