/**
 * Content arriving from outside the editor (paste, drop) and leaving it (copy), as tagged text
 * or as the editor's own HTML. Nothing is ever fitted silently: ProseMirror's replace would
 * drop or re-wrap content that does not fit where it lands, so content is inserted only when
 * it fits exactly (the document grows by exactly the inserted size); otherwise it goes through
 * the codec as tagged text in the mode at the insertion point, and where that is not valid the
 * insertion is refused with the validator's reason.
 */
import type { Node, NodeType, ResolvedPos, Schema, Slice } from "prosemirror-model";
import type { Transaction } from "prosemirror-state";
import { Transform } from "prosemirror-transform";
import { docToText, modeAt, NODE_NAMES, textToDoc, type LineBreak } from "@prealign/core";
import { modeChain, spanTags } from "./spans.ts";

/** What an insertion came to: the inserted size, or why nothing was inserted. */
export type Insertion = { ok: true; size: number } | { ok: false; reason: string };

/**
 * The tagged text of a slice of the document, with its open spans closed: a selection inside
 * an AI span copies as `<AI>…</AI>`, so the copied text is valid on its own.
 */
export function sliceToTaggedText(slice: Slice, schema: Schema): string {
  const content = slice.content;
  const blocks = content.firstChild?.isTextblock ?? true;
  // Spans are written whole by the codec, open or not, which is exactly the closing wanted.
  const doc = schema.topNodeType.create(null, blocks ? content : schema.nodes.paragraph!.create(null, content));
  return docToText(doc);
}

/**
 * The line break a document writes: its first one in text order (a hard break in a span, or
 * the break that ends a paragraph), or null where it has none yet.
 */
export function documentLineBreak(doc: Node): LineBreak | null {
  for (let index = 0; index < doc.childCount; index++) {
    const paragraph = doc.child(index);
    let found: LineBreak | null = null;
    paragraph.descendants((node) => {
      if (node.type.name === NODE_NAMES.hardBreak) found ??= node.attrs.text as LineBreak;
      return found === null;
    });
    if (found) return found;
    if (index < doc.childCount - 1) return paragraph.attrs.lineBreak as LineBreak;
  }
  return null;
}

const LINE_BREAKS = /\r\n|\r|\n/g;
/** C0 control characters other than tab and the line-break characters. */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/**
 * Plain text from outside the editor as the document takes it: every line break ("\r\n", "\r"
 * or "\n") written as `lineBreak` (else as the text's own first one), so that one document keeps
 * one line-break style, and every other C0 control character (vertical tab, form feed, NUL, …),
 * which no one can see or type, made a space.
 */
export function normalisePlainText(text: string, lineBreak: LineBreak | null): string {
  const style = lineBreak ?? (text.match(LINE_BREAKS)?.[0] as LineBreak | undefined) ?? "\n";
  return text.replace(LINE_BREAKS, style).replace(CONTROLS, " ");
}

function openTypes(node: Node, depth: number, side: "start" | "end"): NodeType[] {
  const types: NodeType[] = [];
  let fragment = node.content;
  for (let d = 0; d < depth; d++) {
    const child = side === "start" ? fragment.firstChild : fragment.lastChild;
    if (!child) return types;
    types.push(child.type);
    fragment = child.content;
  }
  return types;
}

function contextTypes($pos: ResolvedPos): NodeType[] {
  const types: NodeType[] = [];
  for (let d = 1; d <= $pos.depth; d++) types.push($pos.node(d).type);
  return types;
}

function sameTypes(a: NodeType[], b: NodeType[]): boolean {
  return a.length === b.length && a.every((type, i) => type === b[i]);
}

/**
 * Inserts `slice` at `pos` only when it fits exactly, so that fitting never drops or re-wraps
 * content. A slice of several lines pasted into a line splits it, and the replace keeps the
 * line's own node (with its line break) for the first pasted line; each line break is put back
 * where it belongs: the pasted ones after the pasted lines, the line's own after the last.
 */
function insertExactly(tr: Transaction, pos: number, slice: Slice): boolean {
  const $pos = tr.doc.resolve(pos);
  const probe = new Transform(tr.doc);
  try {
    probe.replace(pos, pos, slice);
  } catch {
    return false;
  }
  if (probe.doc.content.size - tr.doc.content.size !== slice.size) return false;
  probe.steps.forEach((step) => tr.step(step));
  const lines = slice.content.childCount;
  if ($pos.depth === 1 && slice.openStart === 1 && lines > 1) {
    const own = $pos.parent.attrs.lineBreak as LineBreak;
    let at = $pos.before(1);
    for (let k = 0; k < lines; k++) {
      const lineBreak = k < lines - 1 ? (slice.content.child(k).attrs.lineBreak as LineBreak) : own;
      const line = tr.doc.nodeAt(at)!;
      if (line.attrs.lineBreak !== lineBreak) tr.setNodeAttribute(at, "lineBreak", lineBreak);
      at += line.nodeSize;
    }
  }
  return true;
}

/**
 * Inserts a slice of the editor's own content (HTML copied from this editor) at `pos`, when
 * its open edges match the nesting at `pos` exactly (copied inside an AI span, pasted inside
 * one). False when they do not: the caller then goes through `insertTaggedText`.
 */
export function insertOwnSlice(tr: Transaction, pos: number, slice: Slice): boolean {
  const $pos = tr.doc.resolve(pos);
  const context = contextTypes($pos);
  if (slice.openStart !== context.length || slice.openEnd !== context.length) return false;
  const holder = tr.doc.type.create(null, slice.content);
  if (!sameTypes(openTypes(holder, slice.openStart, "start"), context) || !sameTypes(openTypes(holder, slice.openEnd, "end"), context)) return false;
  return insertExactly(tr, pos, slice);
}

/**
 * The validator's message for the pasted text. Read in human text, its "Line L, column C: "
 * counts in the pasted text itself and stays; read inside a span, it counts from the tags
 * put in front, so it is left off.
 */
function reasonOf(message: string, wrapped: boolean): string {
  return wrapped ? message.replace(/^Line \d+, column \d+: /, "") : message;
}

/**
 * Inserts tagged text at `pos`, read in the mode at `pos`: inside an AI span, `a</AI>b<AI>c`
 * closes the span and opens a new one. Text that is one whole span of the mode it lands in
 * (`<AI>…</AI>` pasted into an AI span, as copying from an AI span gives) is taken as that
 * span's content, so copy and paste within one mode just works.
 */
export function insertTaggedText(tr: Transaction, pos: number, text: string): Insertion {
  const schema = tr.doc.type.schema;
  const chain = modeChain(schema, modeAt(tr.doc.resolve(pos)));
  const opens = chain.slice(1).map((mode) => spanTags(schema, mode)!.open).join("");
  const closes = chain.slice(1).reverse().map((mode) => spanTags(schema, mode)!.close).join("");
  const read = (body: string) => textToDoc(opens + body + closes, { schema });
  let parsed = read(text);
  if (!parsed.ok && opens && text.startsWith(opens) && text.endsWith(closes) && text.length >= opens.length + closes.length) {
    // Only one whole span: text that leaves the span in between is two spans, and pasting
    // those inside a span is illegal nesting, whatever the reading.
    const inner = text.slice(opens.length, text.length - closes.length);
    const leaves = chain.slice(1).some((mode) => inner.includes(spanTags(schema, mode)!.close));
    const reread = leaves ? parsed : read(inner);
    if (reread.ok) parsed = reread;
  }
  if (!parsed.ok) return { ok: false, reason: reasonOf(parsed.errors[0]!.message, opens !== "") };
  const depth = chain.length;
  const doc = parsed.doc;
  const slice = doc.slice(depth, doc.content.size - depth);
  if (!insertExactly(tr, pos, slice)) return { ok: false, reason: "the content does not fit here." };
  return { ok: true, size: slice.size };
}
