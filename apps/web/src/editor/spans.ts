/**
 * What the editor needs to know about spans, read off the core schema and grammar so that no
 * nesting rule is written down twice: which node types are spans, which mode a position is
 * in, and the chain of modes from human text down to a position.
 */
import type { Node, NodeType, ResolvedPos, Schema } from "prosemirror-model";
import type { Selection } from "prosemirror-state";
import { modeOfNodeType, modeSpec, newSpanId, schemaGrammar, spanStructure, type Mode, type Tag } from "@prealign/core";

/** True for node types that hold a non-human mode (AI spans, quotes). */
export function isSpanType(type: NodeType): boolean {
  const mode = modeOfNodeType(type);
  return mode !== null && mode !== schemaGrammar(type.schema).initial;
}

/** True for span nodes (see `isSpanType`). */
export function isSpan(node: Node | null | undefined): node is Node {
  return node != null && isSpanType(node.type);
}

/** How a person calls a stretch of text in `mode` ("an AI span"), for messages. */
export function modeLabel(schema: Schema, mode: Mode): string {
  return modeSpec(schemaGrammar(schema), mode).label;
}

/** The short mode name the mode indicator shows ("AI quoting human"). */
export function modeIndicator(schema: Schema, mode: Mode): string {
  return modeSpec(schemaGrammar(schema), mode).indicator;
}

/** The tags that open and close `mode` from its parent mode, or null for the initial mode. */
export function spanTags(schema: Schema, mode: Mode): { open: Tag; close: Tag; parent: Mode } | null {
  return spanStructure(schemaGrammar(schema)).spans.get(mode) ?? null;
}

/** The modes from the initial mode down to `mode`, outermost first (`["human", "ai"]`). */
export function modeChain(schema: Schema, mode: Mode): Mode[] {
  const chain: Mode[] = [mode];
  for (let span = spanTags(schema, mode); span; span = spanTags(schema, span.parent)) chain.unshift(span.parent);
  return chain;
}

/**
 * The contiguous text directly before (`dir` -1) or after (`dir` 1) `$pos` in its parent, up
 * to `max` characters (text nodes split by marks are one run), and the node that ends the run:
 * a span, a hard break, or null where the run reaches the parent's edge (or `max`).
 */
export function textRun($pos: ResolvedPos, dir: -1 | 1, max = Infinity): { text: string; stop: Node | null } {
  const parent = $pos.parent;
  let index = $pos.index();
  let text = "";
  if ($pos.textOffset > 0) {
    const own = parent.child(index).text!;
    text = dir < 0 ? own.slice(0, $pos.textOffset) : own.slice($pos.textOffset);
    if (dir > 0) index++;
  }
  let i = dir < 0 ? index - 1 : index;
  for (; i >= 0 && i < parent.childCount && text.length < max; i += dir) {
    const child = parent.child(i);
    if (!child.isText) break;
    text = dir < 0 ? child.text! + text : text + child.text!;
  }
  const stop = text.length < max && i >= 0 && i < parent.childCount ? parent.child(i) : null;
  return { text: dir < 0 ? text.slice(-max) : text.slice(0, max), stop };
}

/** Attributes for a new node of a span type: a fresh id where the type has one. */
export function freshSpanAttrs(type: NodeType): Record<string, unknown> | null {
  return type.spec.attrs && "id" in type.spec.attrs ? { id: newSpanId() } : null;
}

/**
 * The selection's ends moved into text-holding nodes: a selection that starts or ends between
 * paragraphs (select-all) is narrowed to the text it covers, so commands see text positions.
 */
export function textRange(selection: Selection): { $from: ResolvedPos; $to: ResolvedPos } {
  const doc = selection.$from.doc;
  const $from = selection.$from.parent.inlineContent ? selection.$from : doc.resolve(Math.min(selection.from + 1, doc.content.size));
  const $to = selection.$to.parent.inlineContent ? selection.$to : doc.resolve(Math.max(selection.to - 1, 0));
  return { $from, $to };
}
