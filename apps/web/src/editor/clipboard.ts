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
import { docToText, modeAt, textToDoc } from "@prealign/core";
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

/** Inserts `slice` at `pos` only when it fits exactly, so that fitting never drops or re-wraps content. */
function insertExactly(tr: Transaction, pos: number, slice: Slice): boolean {
  const probe = new Transform(tr.doc);
  try {
    probe.replace(pos, pos, slice);
  } catch {
    return false;
  }
  if (probe.doc.content.size - tr.doc.content.size !== slice.size) return false;
  probe.steps.forEach((step) => tr.step(step));
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
