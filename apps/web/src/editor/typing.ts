/**
 * Typing a tag string (SPEC §3): where the tag is a legal transition it becomes structure (an
 * opening tag starts an empty span with the cursor inside; a closing tag ends the span at the
 * cursor), and where it is not, nothing is inserted and the user is told why, in the words
 * the validator uses. Text cannot hold a tag literally, so there is no third way.
 */
import { TextSelection, type EditorState, type Transaction } from "prosemirror-state";
import { illegalTransitionMessage, modeAt, nodeTypeOfMode, schemaGrammar, spanStructure, type Tag } from "@prealign/core";
import { freshSpanAttrs, textRun } from "./spans.ts";

/** What typing some text comes to: a transaction, a refusal, or null (ordinary text). */
export type TypingOutcome = { tr: Transaction } | { refused: string } | null;

/**
 * Deletes `from`–`to`, a range whose ends lie in different nodes (one in a span, the other
 * outside it, or on two lines), so that text can be typed over it; returns where the text goes.
 * That is where the range started, in the mode it started in: typing "Quick" over "says I " in
 * `He says <AI>I will</AI>` gives `He Quick<AI>will</AI>`, never a word split between speakers.
 */
export function deleteForTyping(tr: Transaction, from: number, to: number): number {
  tr.delete(from, to);
  return tr.mapping.map(from, -1);
}

/**
 * The outcome of typing `text` over `from`–`to`. Looks for a tag that the typed characters
 * complete together with the text around them; returns null when there is none and the browser
 * may insert the text itself. Over a range that crosses a span edge the text is always inserted
 * here (see `deleteForTyping`), since the browser would put it on either side.
 */
export function typeText(state: EditorState, from: number, to: number, text: string): TypingOutcome {
  const tr = state.tr;
  let $from = state.doc.resolve(from);
  let $to = state.doc.resolve(to);
  if (!$from.parent.inlineContent || !$to.parent.inlineContent) return null;
  const crossing = !$from.sameParent($to);
  if (crossing) {
    from = to = deleteForTyping(tr, from, to);
    $from = $to = tr.doc.resolve(from);
  }
  const g = schemaGrammar(state.schema);
  const longest = Math.max(...g.tags.map((tag) => tag.length));
  const before = textRun($from, -1, longest).text;
  const combined = before + text + textRun($to, 1, longest).text;
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
  if (!tag) {
    if (!crossing) return null;
    tr.insertText(text, from);
    return { tr: tr.setSelection(TextSelection.create(tr.doc, from + text.length)) };
  }
  const mode = modeAt($from);
  const why = illegalTransitionMessage(g, mode, tag);
  if (why) return { refused: `Not inserted: ${why}` };

  tr.insertText(text, from, to);
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
