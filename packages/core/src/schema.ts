/**
 * The editor's ProseMirror schema, built from the grammar table.
 *
 * Shape: `doc > paragraph+`. A paragraph is one line of human-mode text; the line break that
 * ends it is stored in its `lineBreak` attribute (the last paragraph's is ignored). Every
 * non-human mode is an inline node with inline content, nested as the grammar's transitions
 * allow: `ai` inside paragraphs, `quote_human` (and `quote_unaligned_ai` when enabled) inside
 * `ai`. A line break inside a span is a `hard_break` node that remembers its exact characters.
 * Nesting is enforced only by the content expressions, so `Node.check()` refuses every
 * illegal nesting.
 */
import { Schema, type DOMOutputSpec, type MarkSpec, type NodeSpec, type NodeType } from "prosemirror-model";
import { grammar as grammarFor, modeSpec, spanStructure, type Grammar, type GrammarOptions, type Mode, type ModeSpec } from "./grammar.ts";

/** The exact characters of a line break in the tagged text. */
export type LineBreak = "\n" | "\r\n" | "\r";

/** The line breaks the format preserves, and how they are written in HTML attributes. */
const LINE_BREAK_NAMES: Record<LineBreak, string> = { "\n": "lf", "\r\n": "crlf", "\r": "cr" };

function lineBreakFromName(name: string | null): LineBreak {
  if (name === "crlf") return "\r\n";
  if (name === "cr") return "\r";
  return "\n";
}

function validateLineBreak(value: unknown): void {
  if (value !== "\n" && value !== "\r\n" && value !== "\r") throw new RangeError(`A line break must be "\\n", "\\r\\n" or "\\r", not ${JSON.stringify(value)}`);
}

/** The categories of bad human behaviour a mark can name (SPEC §3). */
export const BAD_BEHAVIOUR_CATEGORIES = [
  "deceit",
  "manipulation",
  "power_seeking",
  "prejudice",
  "violence",
  "criminality",
  "dangerous_information",
  "selfishness",
  "sycophancy",
  "other",
] as const;

/** One bad-behaviour category. */
export type BadBehaviourCategory = (typeof BAD_BEHAVIOUR_CATEGORIES)[number];

/** Names of the nodes and marks every schema built here has, besides the span nodes. */
export const NODE_NAMES = { doc: "doc", paragraph: "paragraph", text: "text", hardBreak: "hard_break" } as const;

/** Name of the bad-behaviour mark. */
export const BAD_BEHAVIOUR_MARK = "bad_behaviour";

/**
 * A fresh id for an AI span created in the editor or pasted without one. Random so that ids
 * from different sessions never collide; ids read from plain text are `ai-1`, `ai-2`, … instead
 * (see `textToDoc`).
 */
export function newSpanId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return "ai-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function validateSpanId(value: unknown): void {
  if (typeof value !== "string" || value.length === 0) throw new RangeError(`An AI span id must be a non-empty string, not ${JSON.stringify(value)}`);
}

/** `doc`: one or more paragraphs. */
const docSpec: NodeSpec = { content: `${NODE_NAMES.paragraph}+` };

/** `text`: inline text; which marks it may carry is decided by its parent. */
const textSpec: NodeSpec = {};

const PARAGRAPH_DOM: Record<LineBreak, DOMOutputSpec> = {
  "\n": ["p", 0],
  "\r\n": ["p", { "data-line-break": LINE_BREAK_NAMES["\r\n"] }, 0],
  "\r": ["p", { "data-line-break": LINE_BREAK_NAMES["\r"] }, 0],
};

/** `paragraph`: one line of human text; `lineBreak` is the break that ends it. */
function paragraphSpec(content: string): NodeSpec {
  return {
    content,
    marks: BAD_BEHAVIOUR_MARK,
    group: "block",
    attrs: { lineBreak: { default: "\n", validate: validateLineBreak } },
    toDOM: (node) => PARAGRAPH_DOM[node.attrs.lineBreak as LineBreak],
    parseDOM: [{ tag: "p", getAttrs: (dom) => ({ lineBreak: lineBreakFromName(dom.getAttribute("data-line-break")) }) }],
  };
}

const HARD_BREAK_DOM: Record<LineBreak, DOMOutputSpec> = {
  "\n": ["br"],
  "\r\n": ["br", { "data-line-break": LINE_BREAK_NAMES["\r\n"] }],
  "\r": ["br", { "data-line-break": LINE_BREAK_NAMES["\r"] }],
};

/** `hard_break`: a line break inside a span (or typed with Shift-Enter); `text` is its exact characters. */
const hardBreakSpec: NodeSpec = {
  inline: true,
  selectable: false,
  attrs: { text: { default: "\n", validate: validateLineBreak } },
  leafText: (node) => node.attrs.text as string,
  toDOM: (node) => HARD_BREAK_DOM[node.attrs.text as LineBreak],
  parseDOM: [{ tag: "br", getAttrs: (dom) => ({ text: lineBreakFromName(dom.getAttribute("data-line-break")) }) }],
};

/**
 * An AI span: `<span data-mode="ai" data-id="…">`. `id` is the stable id that bad-behaviour
 * marks use to link their commentary.
 */
function aiSpec(mode: ModeSpec, content: string, marks: string): NodeSpec {
  return {
    inline: true,
    content,
    marks,
    mode: mode.name,
    attrs: { id: { validate: validateSpanId } },
    toDOM: (node) => ["span", { "data-mode": mode.name, "data-id": node.attrs.id as string }, 0],
    parseDOM: [{ tag: `span[data-mode="${mode.name}"]`, getAttrs: (dom) => ({ id: dom.getAttribute("data-id") || newSpanId() }) }],
  };
}

/** A quote span (of a human, or of an unaligned AI): `<span data-mode="ai_quoting_human">`. */
function quoteSpec(mode: ModeSpec, content: string, marks: string): NodeSpec {
  const dom: DOMOutputSpec = ["span", { "data-mode": mode.name }, 0];
  return {
    inline: true,
    content,
    marks,
    mode: mode.name,
    toDOM: () => dom,
    parseDOM: [{ tag: `span[data-mode="${mode.name}"]` }],
  };
}

function validateCategory(value: unknown): void {
  if (!(BAD_BEHAVIOUR_CATEGORIES as readonly unknown[]).includes(value)) throw new RangeError(`Unknown bad-behaviour category ${JSON.stringify(value)}`);
}

function validateCommentary(value: unknown): void {
  if (value !== null && (typeof value !== "string" || value.length === 0)) throw new RangeError(`A commentary link must be an AI span id or null, not ${JSON.stringify(value)}`);
}

/**
 * `bad_behaviour`: a range of human or quoted text showing bad behaviour. `id` identifies the
 * mark, `category` is one of `BAD_BEHAVIOUR_CATEGORIES`, `commentary` is the id of the AI span
 * that comments on it (null: uncommented). Marks with different ids may overlap
 * (`excludes: ""`); typing at a mark's edge does not extend it (`inclusive: false`).
 */
const badBehaviourSpec: MarkSpec = {
  attrs: {
    id: { validate: validateSpanId },
    category: { validate: validateCategory },
    commentary: { default: null, validate: validateCommentary },
  },
  excludes: "",
  inclusive: false,
  toDOM: (mark) => [
    "mark",
    {
      "data-bad-behaviour": mark.attrs.category as string,
      "data-id": mark.attrs.id as string,
      ...(mark.attrs.commentary === null ? {} : { "data-commentary": mark.attrs.commentary as string }),
    },
    0,
  ],
  parseDOM: [
    {
      tag: "mark[data-bad-behaviour]",
      getAttrs: (dom) => {
        const category = dom.getAttribute("data-bad-behaviour");
        const id = dom.getAttribute("data-id");
        if (!id || !(BAD_BEHAVIOUR_CATEGORIES as readonly (string | null)[]).includes(category)) return false;
        return { id, category, commentary: dom.getAttribute("data-commentary") || null };
      },
    },
  ],
};

/** Content expression of the node holding `mode`: text, hard breaks and the spans it may open. */
function contentExpression(g: Grammar, mode: Mode): string {
  const children = spanStructure(g).children.get(mode) ?? [];
  return `(${[NODE_NAMES.text, NODE_NAMES.hardBreak, ...children.map((m) => modeSpec(g, m).node)].join(" | ")})*`;
}

function allowedMarks(mode: ModeSpec): string {
  return mode.kind === "ai" ? "" : BAD_BEHAVIOUR_MARK;
}

/** What `createSchema` stores in `schema.cached` so that helpers can find the grammar. */
interface SchemaGrammar {
  grammar: Grammar;
  modeByNode: Map<NodeType, Mode>;
}

const schemas = new Map<boolean, Schema>();

/**
 * The editor schema for a grammar's options (the same `Schema` object for the same options,
 * so documents from one call are compatible with another).
 */
export function createSchema(options: GrammarOptions = {}): Schema {
  const g = grammarFor(options);
  const existing = schemas.get(g.options.unalignedQuotes);
  if (existing) return existing;
  const nodes: Record<string, NodeSpec> = {
    [NODE_NAMES.doc]: docSpec,
    [NODE_NAMES.paragraph]: paragraphSpec(contentExpression(g, g.initial)),
    [NODE_NAMES.text]: textSpec,
    [NODE_NAMES.hardBreak]: hardBreakSpec,
  };
  for (const mode of g.modes) {
    if (mode.kind === "human") continue;
    const build = mode.kind === "ai" ? aiSpec : quoteSpec;
    nodes[mode.node] = build(mode, contentExpression(g, mode.name), allowedMarks(mode));
  }
  const schema = new Schema({ nodes, marks: { [BAD_BEHAVIOUR_MARK]: badBehaviourSpec }, topNode: NODE_NAMES.doc });
  const modeByNode = new Map<NodeType, Mode>(g.modes.map((m) => [schema.nodes[m.node]!, m.name]));
  const stored: SchemaGrammar = { grammar: g, modeByNode };
  schema.cached.prealign = stored;
  schemas.set(g.options.unalignedQuotes, schema);
  return schema;
}

/** The default editor schema (unaligned quotes off). */
export const schema: Schema = createSchema();

function stored(s: Schema): SchemaGrammar {
  const value = s.cached.prealign as SchemaGrammar | undefined;
  if (!value) throw new Error("This schema was not built by createSchema()");
  return value;
}

/** The grammar a schema was built from. */
export function schemaGrammar(s: Schema): Grammar {
  return stored(s).grammar;
}

/**
 * The mode of the text directly inside nodes of this type (`human` for paragraphs), or null
 * for node types that hold no text of their own (`doc`, `text`, `hard_break`).
 */
export function modeOfNodeType(type: NodeType): Mode | null {
  return stored(type.schema).modeByNode.get(type) ?? null;
}

/** The node type that holds text of `mode` (the paragraph type for `human`). */
export function nodeTypeOfMode(s: Schema, mode: Mode): NodeType {
  const type = s.nodes[modeSpec(schemaGrammar(s), mode).node];
  if (!type) throw new Error(`Schema has no node for mode ${mode}`);
  return type;
}
