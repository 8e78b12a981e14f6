/**
 * The exact codec between tagged text and the editor document.
 *
 * Text → document: the text is validated first; an invalid text gives the validator's errors,
 * never a repaired document. Each line of human text becomes a paragraph whose `lineBreak`
 * attribute keeps the exact break that ended it ("\n", "\r\n" or "\r"; the last paragraph's is
 * the default "\n" and is ignored). Each span becomes a node; a line break inside a span becomes
 * a `hard_break` keeping its exact characters. AI spans get the ids `ai-1`, `ai-2`, … in the
 * order their open tags appear, so converting the same text twice gives the same document.
 * The empty text is one empty paragraph; `<AI></AI>` is an empty `ai` node.
 *
 * Document → text writes exactly that back, so text → document → text is byte-identical for
 * every valid text.
 */
import type { Node, NodeType, Schema } from "prosemirror-model";
import { spanStructure, type GrammarOptions, type Tag } from "./grammar.ts";
import { createSchema, modeOfNodeType, NODE_NAMES, schemaGrammar, type LineBreak } from "./schema.ts";
import { validate, type Diagnostic } from "./validator.ts";

/** Which schema (and so which grammar) the codec uses. */
export interface CodecOptions extends GrammarOptions {
  /** The editor schema to build documents with; defaults to `createSchema(options)`. Its grammar wins over `unalignedQuotes`. */
  schema?: Schema;
}

/** A converted document, or the errors that made the text invalid. */
export type TextToDocResult = { ok: true; doc: Node } | { ok: false; errors: Diagnostic[] };

/** What the codec needs to know about one schema, built once. */
interface CodecTables {
  /** Matches every tag of the grammar and every line break, in one regular expression. */
  token: RegExp;
  /** For each tag: the node type it opens, or null when it closes a span. */
  opens: Map<string, NodeType | null>;
  /** For each span node type: its open and close tags. */
  tagsOf: Map<NodeType, { open: Tag; close: Tag }>;
  paragraph: NodeType;
  hardBreaks: Record<LineBreak, Node>;
  doc: NodeType;
  ai: NodeType | null;
}

const tables = new WeakMap<Schema, CodecTables>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function codecTables(schema: Schema): CodecTables {
  const cached = tables.get(schema);
  if (cached) return cached;
  const g = schemaGrammar(schema);
  const { spans } = spanStructure(g);
  const opens = new Map<string, NodeType | null>();
  const tagsOf = new Map<NodeType, { open: Tag; close: Tag }>();
  for (const [mode, span] of spans) {
    const type = schema.nodes[g.modes.find((m) => m.name === mode)!.node]!;
    opens.set(span.open, type);
    opens.set(span.close, null);
    tagsOf.set(type, { open: span.open, close: span.close });
  }
  const hardBreak = schema.nodes[NODE_NAMES.hardBreak]!;
  const built: CodecTables = {
    token: new RegExp([...g.tags].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|") + "|\\r\\n?|\\n", "g"),
    opens,
    tagsOf,
    paragraph: schema.nodes[NODE_NAMES.paragraph]!,
    hardBreaks: {
      "\n": hardBreak.create({ text: "\n" }),
      "\r\n": hardBreak.create({ text: "\r\n" }),
      "\r": hardBreak.create({ text: "\r" }),
    },
    doc: schema.topNodeType,
    ai: [...tagsOf.keys()].find((type) => modeOfNodeType(type) === "ai") ?? null,
  };
  tables.set(schema, built);
  return built;
}

/** One open span while building: the node type, its attributes and the children so far. */
interface OpenSpan {
  type: NodeType;
  attrs: Record<string, unknown> | null;
  outer: Node[];
}

/** Converts tagged text to an editor document, or returns the validator's errors. */
export function textToDoc(text: string, options: CodecOptions = {}): TextToDocResult {
  const schema = options.schema ?? createSchema(options);
  const g = schemaGrammar(schema);
  const result = validate(text, { unalignedQuotes: g.options.unalignedQuotes, nearMissTags: false, quoteWithoutMarks: false });
  if (!result.valid) return { ok: false, errors: result.errors };
  return { ok: true, doc: buildDoc(text, schema) };
}

/** Builds the document of a text already known to be valid. */
function buildDoc(text: string, schema: Schema): Node {
  const t = codecTables(schema);
  const token = t.token;
  const paragraphs: Node[] = [];
  const open: OpenSpan[] = [];
  let children: Node[] = [];
  let aiCount = 0;
  let last = 0;
  token.lastIndex = 0;
  for (let match = token.exec(text); match !== null; match = token.exec(text)) {
    const at = match.index;
    const found = match[0];
    if (at > last) children.push(schema.text(text.slice(last, at)));
    last = at + found.length;
    const opened = t.opens.get(found);
    if (opened === undefined) {
      // A line break: it ends a paragraph in human text, and is a hard break inside a span.
      if (open.length === 0) {
        paragraphs.push(t.paragraph.create({ lineBreak: found }, children));
        children = [];
      } else {
        children.push(t.hardBreaks[found as LineBreak]);
      }
    } else if (opened) {
      open.push({ type: opened, attrs: opened === t.ai ? { id: `ai-${++aiCount}` } : null, outer: children });
      children = [];
    } else {
      const span = open.pop()!;
      const node = span.type.create(span.attrs, children);
      children = span.outer;
      children.push(node);
    }
  }
  if (last < text.length) children.push(schema.text(text.slice(last)));
  paragraphs.push(t.paragraph.create(null, children));
  return t.doc.create(null, paragraphs);
}

/** Writes the inline content of `node` as tagged text onto `out`. */
function inlineText(node: Node, t: CodecTables, out: string[]): void {
  node.forEach((child) => {
    if (child.isText) {
      out.push(child.text!);
    } else if (child.isLeaf) {
      out.push(child.type.spec.leafText ? child.type.spec.leafText(child) : "");
    } else {
      const tags = t.tagsOf.get(child.type);
      if (!tags) throw new RangeError(`Node type ${child.type.name} has no tagged-text form`);
      out.push(tags.open);
      inlineText(child, t, out);
      out.push(tags.close);
    }
  });
}

/** Converts an editor document back to tagged text. */
export function docToText(doc: Node): string {
  const t = codecTables(doc.type.schema);
  const out: string[] = [];
  const count = doc.childCount;
  doc.forEach((paragraph, _offset, index) => {
    inlineText(paragraph, t, out);
    if (index < count - 1) out.push(paragraph.attrs.lineBreak as string);
  });
  return out.join("");
}
