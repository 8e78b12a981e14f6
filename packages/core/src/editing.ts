/**
 * Structural questions and edits the editor (and the server) need, answered from the schema:
 * the mode at a position, which spans may wrap a range, wrapping and unwrapping that keep the
 * document in the codec's canonical shape, and the full check of an incoming document.
 *
 * Canonical shape: human line breaks separate paragraphs, line breaks inside spans are hard
 * breaks. Wrapping a range that runs over several paragraphs joins them, each paragraph break
 * becoming a hard break with the same characters; unwrapping a span inside a paragraph turns
 * its hard breaks back into paragraph breaks. Either way the tagged text changes only by the
 * tags added or removed.
 */
import { Fragment, type Mark, Node, type NodeType, type ResolvedPos, type Schema } from "prosemirror-model";
import type { Transform } from "prosemirror-transform";
import { docToText } from "./codec.ts";
import { checkDocumentShape } from "./limits.ts";
import type { Mode, Tag } from "./grammar.ts";
import { badBehaviourMarks, docModeSpans, modeSpans, type BadBehaviourRange } from "./spans.ts";
import { modeOfNodeType, newSpanId, NODE_NAMES, nodeTypeOfMode, schema, schemaGrammar, type LineBreak } from "./schema.ts";

/** The mode of the text at a position: what the editor's mode indicator shows. */
export function modeAt($pos: ResolvedPos): Mode {
  for (let depth = $pos.depth; depth > 0; depth--) {
    const mode = modeOfNodeType($pos.node(depth).type);
    if (mode) return mode;
  }
  return schemaGrammar($pos.doc.type.schema).initial;
}

/** Drops the marks that nodes of `type` do not allow on their children. */
function allowedIn(type: NodeType, content: Fragment): Fragment {
  const children: Node[] = [];
  content.forEach((child) => children.push(child.mark(child.marks.filter((m) => type.allowsMarkType(m.type)))));
  return Fragment.from(children);
}

/** A wrap that is legal, worked out: what goes inside the span and where it is put. */
interface WrapPlan {
  inner: Fragment;
  /** Set when the range spans paragraphs: the paragraphs to replace and what surrounds the span. */
  join: { from: number; to: number; before: Fragment; after: Fragment; lineBreak: LineBreak } | null;
}

function fits(type: NodeType, content: Fragment): boolean {
  return type.contentMatch.matchFragment(content)?.validEnd ?? false;
}

function planWrap(doc: Node, from: number, to: number, type: NodeType): WrapPlan | null {
  const $from = doc.resolve(Math.min(from, to));
  const $to = doc.resolve(Math.max(from, to));
  const parent = $from.parent;
  if (!parent.inlineContent || !$to.parent.inlineContent) return null;
  if ($from.sameParent($to)) {
    const inner = parent.content.cut($from.parentOffset, $to.parentOffset);
    const outer = parent.type.contentMatch
      .matchFragment(parent.content.cut(0, $from.parentOffset))
      ?.matchType(type)
      ?.matchFragment(parent.content.cut($to.parentOffset));
    return fits(type, inner) && outer?.validEnd ? { inner, join: null } : null;
  }
  // Across paragraphs: only from human text to human text (a span cannot be cut in two).
  const paragraph = doc.type.schema.nodes[NODE_NAMES.paragraph]!;
  if ($from.depth !== 1 || $to.depth !== 1 || parent.type !== paragraph || $to.parent.type !== paragraph) return null;
  const hardBreak = doc.type.schema.nodes[NODE_NAMES.hardBreak]!;
  const pieces: Node[] = [];
  const first = $from.index(0);
  const last = $to.index(0);
  for (let index = first; index <= last; index++) {
    const p = doc.child(index);
    const start = index === first ? $from.parentOffset : 0;
    const end = index === last ? $to.parentOffset : p.content.size;
    p.content.cut(start, end).forEach((child) => pieces.push(child));
    if (index < last) pieces.push(hardBreak.create({ text: p.attrs.lineBreak }));
  }
  const inner = Fragment.from(pieces);
  const before = parent.content.cut(0, $from.parentOffset);
  const after = $to.parent.content.cut($to.parentOffset);
  const outer = paragraph.contentMatch.matchFragment(before)?.matchType(type)?.matchFragment(after);
  if (!fits(type, inner) || !outer?.validEnd) return null;
  return { inner, join: { from: $from.before(1), to: $to.after(1), before, after, lineBreak: $to.parent.attrs.lineBreak as LineBreak } };
}

/**
 * The span modes that may wrap the range `from`–`to` (in either order): legal where the range
 * stays inside one span (or runs over whole lines of human text) and the schema allows the
 * span there and its content inside it. Marks are not a reason to refuse: wrapping drops the
 * marks the span does not allow (bad-behaviour marks inside an AI span).
 */
export function legalWraps(doc: Node, from: number, to: number): Mode[] {
  const g = schemaGrammar(doc.type.schema);
  return g.modes
    .filter((m) => m.name !== g.initial && planWrap(doc, from, to, nodeTypeOfMode(doc.type.schema, m.name)) !== null)
    .map((m) => m.name);
}

/**
 * Wraps `from`–`to` in a span of `mode`, adding the steps to `tr`. Returns false (and adds
 * nothing) when `legalWraps` does not allow it. A new AI span gets `attrs.id` or a fresh id.
 */
export function wrapInSpan(tr: Transform, from: number, to: number, mode: Mode, attrs: { id?: string } = {}): boolean {
  const s = tr.doc.type.schema;
  if (mode === schemaGrammar(s).initial) return false;
  const type = nodeTypeOfMode(s, mode);
  const plan = planWrap(tr.doc, from, to, type);
  if (!plan) return false;
  const span = type.create(type.spec.attrs?.id ? { id: attrs.id ?? newSpanId() } : null, allowedIn(type, plan.inner));
  if (!plan.join) {
    tr.replaceWith(Math.min(from, to), Math.max(from, to), span);
    return true;
  }
  const { join } = plan;
  const paragraph = s.nodes[NODE_NAMES.paragraph]!;
  const joined = paragraph.create({ lineBreak: join.lineBreak }, join.before.addToEnd(span).append(join.after));
  tr.replaceWith(join.from, join.to, joined);
  return true;
}

/** The innermost span around `$pos` and its depth, or null in human text. */
function spanAround($pos: ResolvedPos): { node: Node; depth: number } | null {
  const initial = schemaGrammar($pos.doc.type.schema).initial;
  for (let depth = $pos.depth; depth > 0; depth--) {
    const node = $pos.node(depth);
    const mode = modeOfNodeType(node.type);
    if (mode && mode !== initial) return { node, depth };
  }
  return null;
}

/** Whether the innermost span around `pos` may be unwrapped (its content may stand in its place). */
export function canUnwrap(doc: Node, pos: number): boolean {
  const $pos = doc.resolve(pos);
  const span = spanAround($pos);
  if (!span) return false;
  const parent = $pos.node(span.depth - 1);
  const index = $pos.index(span.depth - 1);
  return parent.canReplace(index, index + 1, allowedIn(parent.type, span.node.content));
}

/**
 * Replaces the innermost span around `pos` by its content, adding the steps to `tr`; marks the
 * new parent does not allow are dropped. Returns false when `canUnwrap` is false.
 */
export function unwrapSpan(tr: Transform, pos: number): boolean {
  if (!canUnwrap(tr.doc, pos)) return false;
  const $pos = tr.doc.resolve(pos);
  const { node, depth } = spanAround($pos)!;
  const parent = $pos.node(depth - 1);
  const content = allowedIn(parent.type, node.content);
  const paragraph = tr.doc.type.schema.nodes[NODE_NAMES.paragraph]!;
  const spanStart = $pos.before(depth);
  if (parent.type !== paragraph || !containsHardBreak(content)) {
    tr.replaceWith(spanStart, spanStart + node.nodeSize, content);
    return true;
  }
  // Back in human text, the span's line breaks become paragraph breaks again.
  const offset = spanStart - $pos.start(depth - 1);
  const pieces: Node[][] = [[]];
  const breaks: LineBreak[] = [];
  parent.content.cut(0, offset).forEach((child) => pieces[0]!.push(child));
  content.forEach((child) => {
    if (child.type.name === NODE_NAMES.hardBreak) {
      breaks.push(child.attrs.text as LineBreak);
      pieces.push([]);
    } else {
      pieces[pieces.length - 1]!.push(child);
    }
  });
  parent.content.cut(offset + node.nodeSize).forEach((child) => pieces[pieces.length - 1]!.push(child));
  breaks.push(parent.attrs.lineBreak as LineBreak);
  const paragraphs = pieces.map((children, k) => paragraph.create({ lineBreak: breaks[k] }, children));
  tr.replaceWith($pos.before(depth - 1), $pos.after(depth - 1), paragraphs);
  return true;
}

function containsHardBreak(content: Fragment): boolean {
  let found = false;
  content.forEach((child) => {
    if (child.type.name === NODE_NAMES.hardBreak) found = true;
  });
  return found;
}

/**
 * The full check of a document received from a client: `doc.check()` (schema, nesting,
 * attributes) plus the rules content expressions cannot state: bad-behaviour marks sit only on
 * text and hard breaks (not on a whole AI span), each mark id has one category and one
 * commentary link, AI span ids are unique, the document is in the codec's canonical form (see
 * {@link checkCanonicalLineBreaks}), and no text holds a tag string (see
 * {@link checkNoLiteralTags}). Every part is linear in the size of the document. Throws a
 * `RangeError` saying what is wrong.
 */
export function checkDocument(doc: Node): void {
  doc.check();
  const ids = new Set<string>();
  const marks = new Map<string, Mark>();
  doc.descendants((node, pos) => {
    if (!node.isLeaf && node.marks.length > 0) {
      throw new RangeError(`The ${node.type.name} node at position ${pos} carries a ${node.marks[0]!.type.name} mark; marks belong on its text, not on the node.`);
    }
    for (const mark of node.marks) {
      const id = mark.attrs.id as string;
      const first = marks.get(id);
      if (!first) marks.set(id, mark);
      else if (!first.eq(mark)) {
        throw new RangeError(
          `The bad-behaviour mark "${id}" has two different categories or commentary links (at position ${pos}); one mark has one category and one link. Give the other part its own mark.`,
        );
      }
    }
    if (modeOfNodeType(node.type) === "ai") {
      const id = node.attrs.id as string;
      if (ids.has(id)) throw new RangeError(`Two AI spans have the id "${id}"; every AI span needs its own id so that commentary links are unambiguous.`);
      ids.add(id);
    }
  });
  checkCanonicalLineBreaks(doc);
  checkNoLiteralTags(doc);
}

/**
 * Refuses line breaks in any form but the codec's, so that the stored document, the editor and
 * the exported text always agree: a line break of human text ends a paragraph (its characters in
 * the paragraph's `lineBreak`, the last paragraph keeping the default), a line break inside a
 * span is a `hard_break` node, and no text node holds a raw `\n` or `\r`.
 */
function checkCanonicalLineBreaks(doc: Node): void {
  const s = doc.type.schema;
  const paragraph = s.nodes[NODE_NAMES.paragraph]!;
  const hardBreak = s.nodes[NODE_NAMES.hardBreak]!;
  if (doc.lastChild!.attrs.lineBreak !== "\n") {
    throw new RangeError(`The last paragraph carries the line break ${JSON.stringify(doc.lastChild!.attrs.lineBreak)}, but no line break follows the last line of a text; leave it at the default "\\n".`);
  }
  doc.descendants((node, pos, parent) => {
    if (node.isText && /[\r\n]/.test(node.text!)) {
      throw new RangeError(`The text at position ${pos} holds a raw line break; a line break in human text ends a paragraph, and inside a span it is a hard break node.`);
    }
    if (node.type === hardBreak && parent?.type === paragraph) {
      throw new RangeError(`The hard break at position ${pos} is in human text, where a line break ends the paragraph instead.`);
    }
    return !node.isText;
  });
}

/**
 * Refuses a document whose tagged text would not read back as the same document: a text node
 * holding a tag string such as `<AI>` turns into a real tag once written out, which makes the
 * text invalid or gives it other spans. Comparing the mode spans of the text with those of the
 * document catches every such case; the message names the first tag string found.
 */
function checkNoLiteralTags(doc: Node): void {
  const options = schemaGrammar(doc.type.schema).options;
  let readsBack: boolean;
  try {
    readsBack = JSON.stringify(modeSpans(docToText(doc), options)) === JSON.stringify(docModeSpans(doc));
  } catch {
    readsBack = false;
  }
  if (readsBack) return;
  const found = firstTagString(doc, schemaGrammar(doc.type.schema).tags);
  const where = found ? `The text at position ${found.pos} contains the tag string ${found.tag}` : "Its text contains a tag string";
  throw new RangeError(
    `${where}, which would read as a tag in the tagged text. Make spans with the editor's span commands (or write tagged text and convert it) instead of typing tags into the text.`,
  );
}

/** The first tag string inside a text node, and its position, or null. */
function firstTagString(doc: Node, tags: readonly Tag[]): { tag: Tag; pos: number } | null {
  let found: { tag: Tag; pos: number } | null = null;
  doc.descendants((node, pos) => {
    if (found) return false;
    if (!node.isText) return true;
    for (const tag of tags) {
      const at = node.text!.indexOf(tag);
      if (at >= 0 && (found === null || pos + at < found.pos)) found = { tag, pos: pos + at };
    }
    return false;
  });
  return found;
}

/**
 * A document from its JSON, fully checked: its shape, size and characters against
 * `DOCUMENT_LIMITS` (`checkDocumentShape`), then `Node.fromJSON`, then `checkDocument`: what the
 * server, the web app and `studio convert --to text` do with every document they receive.
 * Throws a `RangeError` (or the `Error` that `Node.fromJSON` throws for unknown node types)
 * saying what is wrong.
 */
export function documentFromJSON(json: unknown, s: Schema = schema): Node {
  checkDocumentShape(json);
  const doc = Node.fromJSON(s, json);
  checkDocument(doc);
  return doc;
}

/**
 * The bad-behaviour marks that no AI commentary addresses: those with no link, or linked to an
 * AI span id that is not in the document (the span was deleted).
 */
export function uncommentedMarks(doc: Node): BadBehaviourRange[] {
  const ids = new Set<string>();
  doc.descendants((node) => {
    if (modeOfNodeType(node.type) === "ai") ids.add(node.attrs.id as string);
  });
  return badBehaviourMarks(doc).filter((range) => range.commentary === null || !ids.has(range.commentary));
}
