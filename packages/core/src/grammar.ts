/**
 * The tagged-text grammar (SPEC §2) as one table: modes, tags, transitions, initial and final
 * mode. The validator, the lints, the editor schema, the codec and the decoding automaton are
 * all derived from the table that `grammar()` returns; nothing else lists tags or nesting.
 */

/** Who is acting in a stretch of text. */
export type Mode = "human" | "ai" | "ai_quoting_human" | "ai_quoting_unaligned_ai";

/** The exact, case-sensitive tag strings. */
export type Tag =
  | "<AI>"
  | "</AI>"
  | "<AI_quoting_human>"
  | "</AI_quoting_human>"
  | "<AI_quoting_unaligned_AI>"
  | "</AI_quoting_unaligned_AI>";

/**
 * What kind of voice a mode is. `human` text and `quote` text can carry bad-behaviour marks
 * (they are what people really say); `ai` text cannot. `quote` spans get the
 * `quote_without_marks` lint.
 */
export type ModeKind = "human" | "ai" | "quote";

/** One row of the mode table. */
export interface ModeSpec {
  /** The mode's stable name, as it appears in exports and `grammar.json`. */
  name: Mode;
  /** Its kind (see `ModeKind`). */
  kind: ModeKind;
  /** The editor-schema node that holds text of this mode (`paragraph` for human text). */
  node: string;
  /** How a person calls a stretch of this mode, used in messages: "an AI span". */
  label: string;
  /** Short name for the editor's mode indicator: "AI quoting human". */
  indicator: string;
}

/** One legal tag: in mode `from`, `tag` switches to mode `to`. */
export interface Transition {
  from: Mode;
  tag: Tag;
  to: Mode;
}

/** Per-project grammar switches. */
export interface GrammarOptions {
  /**
   * Enables the `<AI_quoting_unaligned_AI>` … `</AI_quoting_unaligned_AI>` pair (quotes of
   * unaligned agents). Off by default; when off those strings are plain text.
   */
  unalignedQuotes?: boolean;
}

/** The grammar table for one set of options. Treat it as read-only. */
export interface Grammar {
  /** Bumped whenever the table changes meaning; written into export manifests. */
  version: number;
  /** The options this table was built for, with defaults filled in. */
  options: Required<GrammarOptions>;
  /** The modes, initial mode first. */
  modes: readonly ModeSpec[];
  /** Every tag of this grammar, in a fixed order (open before close, outer before inner). */
  tags: readonly Tag[];
  /** The only legal transitions. */
  transitions: readonly Transition[];
  /** The mode a text starts in. */
  initial: Mode;
  /** The mode a valid text ends in. */
  final: Mode;
}

/** The grammar table version (see `Grammar.version`). */
export const GRAMMAR_VERSION = 1;

/** Every tag the format knows, in id order; the tokenizer's tag token ids follow this order. */
export const ALL_TAGS: readonly Tag[] = [
  "<AI>",
  "</AI>",
  "<AI_quoting_human>",
  "</AI_quoting_human>",
  "<AI_quoting_unaligned_AI>",
  "</AI_quoting_unaligned_AI>",
];

const HUMAN: ModeSpec = { name: "human", kind: "human", node: "paragraph", label: "human text", indicator: "human" };
const AI: ModeSpec = { name: "ai", kind: "ai", node: "ai", label: "an AI span", indicator: "AI" };
const QUOTING_HUMAN: ModeSpec = {
  name: "ai_quoting_human",
  kind: "quote",
  node: "quote_human",
  label: "a quote of a human",
  indicator: "AI quoting human",
};
const QUOTING_UNALIGNED_AI: ModeSpec = {
  name: "ai_quoting_unaligned_ai",
  kind: "quote",
  node: "quote_unaligned_ai",
  label: "a quote of an unaligned AI",
  indicator: "AI quoting unaligned AI",
};

const BASE_TRANSITIONS: readonly Transition[] = [
  { from: "human", tag: "<AI>", to: "ai" },
  { from: "ai", tag: "<AI_quoting_human>", to: "ai_quoting_human" },
  { from: "ai_quoting_human", tag: "</AI_quoting_human>", to: "ai" },
  { from: "ai", tag: "</AI>", to: "human" },
];

const UNALIGNED_TRANSITIONS: readonly Transition[] = [
  { from: "ai", tag: "<AI_quoting_unaligned_AI>", to: "ai_quoting_unaligned_ai" },
  { from: "ai_quoting_unaligned_ai", tag: "</AI_quoting_unaligned_AI>", to: "ai" },
];

function buildGrammar(options: Required<GrammarOptions>): Grammar {
  const modes = options.unalignedQuotes ? [HUMAN, AI, QUOTING_HUMAN, QUOTING_UNALIGNED_AI] : [HUMAN, AI, QUOTING_HUMAN];
  const transitions = options.unalignedQuotes ? [...BASE_TRANSITIONS, ...UNALIGNED_TRANSITIONS] : [...BASE_TRANSITIONS];
  const tags = ALL_TAGS.filter((tag) => transitions.some((t) => t.tag === tag));
  return Object.freeze({
    version: GRAMMAR_VERSION,
    options: Object.freeze({ ...options }),
    modes: Object.freeze(modes),
    tags: Object.freeze(tags),
    transitions: Object.freeze(transitions),
    initial: "human",
    final: "human",
  });
}

const DEFAULT_GRAMMAR = buildGrammar({ unalignedQuotes: false });
const UNALIGNED_GRAMMAR = buildGrammar({ unalignedQuotes: true });

/** The grammar table for the given options (the same frozen object for the same options). */
export function grammar(options: GrammarOptions = {}): Grammar {
  return options.unalignedQuotes ? UNALIGNED_GRAMMAR : DEFAULT_GRAMMAR;
}

/**
 * The nesting the transitions imply: every mode except the initial one is a span opened from
 * exactly one parent mode by one tag and closed back to it by another. Derived once per grammar.
 */
export interface SpanStructure {
  /** For each non-initial mode: the mode it is opened from, its open tag and its close tag. */
  spans: ReadonlyMap<Mode, { parent: Mode; open: Tag; close: Tag }>;
  /** For each mode: the modes that can be opened directly inside it. */
  children: ReadonlyMap<Mode, readonly Mode[]>;
  /** For each tag: the transition(s) it can make. */
  byTag: ReadonlyMap<Tag, readonly Transition[]>;
}

const structures = new WeakMap<Grammar, SpanStructure>();

/**
 * The span structure of a grammar. Throws if the table is not a tree of open/close pairs
 * (which would make the editor schema and the codec meaningless).
 */
export function spanStructure(g: Grammar): SpanStructure {
  const cached = structures.get(g);
  if (cached) return cached;
  const spans = new Map<Mode, { parent: Mode; open: Tag; close: Tag }>();
  const children = new Map<Mode, Mode[]>(g.modes.map((m) => [m.name, []]));
  // A mode is opened from the first mode that reaches it in breadth-first order from the
  // initial mode; the transition going back to that parent is its close tag.
  const queue: Mode[] = [g.initial];
  const seen = new Set<Mode>(queue);
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const t of g.transitions) {
      if (t.from !== from || seen.has(t.to)) continue;
      const back = g.transitions.find((c) => c.from === t.to && c.to === from);
      if (!back) throw new Error(`Grammar: mode ${t.to} is opened by ${t.tag} but never closed back to ${from}`);
      spans.set(t.to, { parent: from, open: t.tag, close: back.tag });
      children.get(from)!.push(t.to);
      seen.add(t.to);
      queue.push(t.to);
    }
  }
  for (const t of g.transitions) {
    const opens = spans.get(t.to)?.parent === t.from && spans.get(t.to)?.open === t.tag;
    const closes = spans.get(t.from)?.parent === t.to && spans.get(t.from)?.close === t.tag;
    if (!opens && !closes) throw new Error(`Grammar: transition ${t.from} ${t.tag} ${t.to} is neither an open nor a close`);
  }
  const byTag = new Map<Tag, Transition[]>();
  for (const t of g.transitions) byTag.set(t.tag, [...(byTag.get(t.tag) ?? []), t]);
  const structure: SpanStructure = { spans, children, byTag };
  structures.set(g, structure);
  return structure;
}

/** The row of the mode table for `mode`. Throws for a mode this grammar does not have. */
export function modeSpec(g: Grammar, mode: Mode): ModeSpec {
  const spec = g.modes.find((m) => m.name === mode);
  if (!spec) throw new Error(`Grammar has no mode ${mode}`);
  return spec;
}

/** The mode reached from `mode` by `tag`, or null when the tag is not legal there. */
export function transition(g: Grammar, mode: Mode, tag: Tag): Mode | null {
  for (const t of g.transitions) if (t.from === mode && t.tag === tag) return t.to;
  return null;
}

/** The chain of modes from `mode` up to the initial mode, `mode` first. */
export function modePath(g: Grammar, mode: Mode): Mode[] {
  const { spans } = spanStructure(g);
  const path: Mode[] = [mode];
  for (let span = spans.get(mode); span; span = spans.get(span.parent)) path.push(span.parent);
  return path;
}
