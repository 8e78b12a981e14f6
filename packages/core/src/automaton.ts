/**
 * The decoding automaton (SPEC §1, §5): the grammar as inference code needs it. Generation
 * starts inside an AI span (the prompt ends with `<AI>`), only legal tag transitions may be
 * sampled, and generation ends with `</AI>`. So a model can imitate a human only inside a
 * quote it opened itself, and can never write human-mode text.
 *
 * `decodingAutomaton()` is what an export writes as `grammar.json`. `allowedTagTokens`,
 * `maskLogits` and `nextMode` are the reference functions; `createGenerationGuard` adds what
 * token ids alone cannot see: ordinary text tokens that would spell out a tag (`<`, `AI`, `>`),
 * which a reader of the output would take for a tag.
 */
import { grammar as grammarFor, GRAMMAR_VERSION, spanStructure, transition, type Grammar, type Mode, type Tag, type Transition } from "./grammar.ts";

/** Token ids of the tags under one tokenizer. */
export type TagTokenIds = Partial<Record<Tag, number>>;

/** The automaton as written to `grammar.json`. Plain JSON. */
export interface DecodingAutomaton {
  grammarVersion: number;
  options: { unalignedQuotes: boolean };
  modes: Mode[];
  tags: Tag[];
  transitions: Transition[];
  /** The mode a text starts and must end in. */
  initial: Mode;
  final: Mode;
  /** Generation starts in this mode … */
  start: Mode;
  /** … right after this tag, which ends the prompt. */
  startTag: Tag;
  /** Generation ends when this tag is sampled. */
  stop: Tag;
  /** The tokenizer the ids belong to, when given. */
  tokenizer?: string;
  /** The token id of each tag under `tokenizer`, when given. */
  tagTokenIds?: TagTokenIds;
}

/** The span generation happens in: the one opened from the initial mode. */
function generationSpan(g: Grammar): { mode: Mode; open: Tag; close: Tag } {
  const { spans } = spanStructure(g);
  const roots = [...spans].filter(([, span]) => span.parent === g.initial);
  if (roots.length !== 1) throw new Error("The grammar must have exactly one span opened from the initial mode");
  const [mode, span] = roots[0]!;
  return { mode, open: span.open, close: span.close };
}

/**
 * The decoding automaton of a grammar, optionally with the tags' token ids under a tokenizer
 * (what an export writes as `grammar.json`).
 */
export function decodingAutomaton(g: Grammar = grammarFor(), tokens?: { tokenizer: string; tagTokenIds: TagTokenIds }): DecodingAutomaton {
  const span = generationSpan(g);
  return {
    grammarVersion: GRAMMAR_VERSION,
    options: { unalignedQuotes: g.options.unalignedQuotes },
    modes: g.modes.map((m) => m.name),
    tags: [...g.tags],
    transitions: g.transitions.map((t) => ({ ...t })),
    initial: g.initial,
    final: g.final,
    start: span.mode,
    startTag: span.open,
    stop: span.close,
    ...(tokens ? { tokenizer: tokens.tokenizer, tagTokenIds: { ...tokens.tagTokenIds } } : {}),
  };
}

/**
 * The mode after `tag` in `mode`, or null when the tag is illegal there. After the stop tag
 * the mode is the initial one and generation is over.
 */
export function nextMode(mode: Mode, tag: Tag, g: Grammar = grammarFor()): Mode | null {
  return transition(g, mode, tag);
}

/**
 * The token ids of the tags that may be sampled in `mode`. Empty in the initial (human) mode:
 * generation has ended there. Ids of tags the grammar does not have (the unaligned pair when
 * it is off) are never allowed.
 */
export function allowedTagTokens(mode: Mode, tagTokenIds: TagTokenIds, g: Grammar = grammarFor()): number[] {
  if (mode === g.initial) return [];
  const allowed: number[] = [];
  for (const [tag, id] of Object.entries(tagTokenIds) as [Tag, number][]) {
    if (transition(g, mode, tag) !== null) allowed.push(id);
  }
  return allowed;
}

/** Options of `maskLogits`. */
export interface MaskOptions {
  /** The grammar (default: unaligned quotes off). */
  grammar?: Grammar;
  /**
   * Token ids that must never be sampled during generation, such as the tokenizer's own
   * end-of-text token: ending there would leave the AI span open.
   */
  blockedTokenIds?: Iterable<number>;
}

/**
 * Sets the logit of every tag token that is not legal in `mode` (and of every blocked token) to
 * `-Infinity`, in place, and returns the array. Ordinary text tokens are left alone. Throws a
 * `RangeError` in the initial (human) mode: generation ended with the stop tag and nothing may
 * be sampled after it.
 */
export function maskLogits<T extends Float32Array | Float64Array | number[]>(logits: T, mode: Mode, tagTokenIds: TagTokenIds, options: MaskOptions = {}): T {
  const g = options.grammar ?? grammarFor();
  if (mode === g.initial) throw new RangeError(`Generation has ended (mode ${mode}): nothing may be sampled after the stop tag.`);
  for (const [tag, id] of Object.entries(tagTokenIds) as [Tag, number][]) {
    if (transition(g, mode, tag) === null) logits[id] = -Infinity;
  }
  for (const id of options.blockedTokenIds ?? []) logits[id] = -Infinity;
  return logits;
}

/** Options of `createGenerationGuard`. */
export interface GenerationGuardOptions extends MaskOptions {
  /** The token id of each tag. */
  tagTokenIds: TagTokenIds;
  /**
   * The vocabulary as bytes: `tokenBytes(id)` for every id below `vocabularySize`, null for ids
   * that are not ordinary text (special tokens). Needed to stop text tokens spelling out a tag.
   */
  tokenBytes: (id: number) => Uint8Array | null;
  vocabularySize: number;
}

/** Generation under the grammar, one token at a time: mask, sample, accept. */
export interface GenerationGuard {
  /** The current mode (the initial mode once the stop tag has been accepted). */
  readonly mode: Mode;
  /** True once the stop tag has been accepted. */
  readonly done: boolean;
  /** Masks `logits` in place for the next token (see `maskLogits`, plus spelled-out tags). */
  mask<T extends Float32Array | Float64Array | number[]>(logits: T): T;
  /** Records the sampled token. Throws a `RangeError` for a token the mask forbids. */
  accept(id: number): void;
}

/** Bytes as a string of char codes 0–255, so that ASCII tags can be searched for with `indexOf`. */
function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

/**
 * A guard for one generation, starting in the automaton's start mode (the prompt has just
 * ended with the start tag). Besides the tag masking of `maskLogits`, it forbids any text token
 * that would complete a tag string in the generated bytes: a tag must be its own token, or the
 * output would not say what the automaton thinks it says.
 */
export function createGenerationGuard(options: GenerationGuardOptions): GenerationGuard {
  const g = options.grammar ?? grammarFor();
  const tagById = new Map<number, Tag>();
  for (const [tag, id] of Object.entries(options.tagTokenIds) as [Tag, number][]) tagById.set(id, tag);
  const blocked = new Set(options.blockedTokenIds ?? []);
  const longest = Math.max(...g.tags.map((t) => t.length));
  // Only a token containing ">" can complete a tag (every tag ends with it).
  const closers: { id: number; text: string }[] = [];
  const texts = new Map<number, string>();
  for (let id = 0; id < options.vocabularySize; id++) {
    if (tagById.has(id)) continue;
    const bytes = options.tokenBytes(id);
    if (!bytes) continue;
    const text = latin1(bytes);
    if (text.includes(">")) {
      closers.push({ id, text });
      texts.set(id, text);
    }
  }
  let mode: Mode = generationSpan(g).mode;
  // The last bytes generated, enough to hold all but the last character of any tag.
  let tail = "";

  const spellsTag = (text: string): boolean => {
    const joined = tail + text;
    for (const tag of g.tags) {
      if (joined.indexOf(tag, Math.max(0, tail.length - tag.length + 1)) >= 0) return true;
    }
    return false;
  };

  return {
    get mode() {
      return mode;
    },
    get done() {
      return mode === g.initial;
    },
    mask(logits) {
      maskLogits(logits, mode, options.tagTokenIds, { grammar: g, blockedTokenIds: blocked });
      for (const { id, text } of closers) if (spellsTag(text)) logits[id] = -Infinity;
      return logits;
    },
    accept(id) {
      if (mode === g.initial) throw new RangeError("Generation has ended: nothing may follow the stop tag.");
      if (blocked.has(id)) throw new RangeError(`Token ${id} is blocked during generation.`);
      const tag = tagById.get(id);
      if (tag !== undefined) {
        const to = transition(g, mode, tag);
        if (to === null) throw new RangeError(`${tag} is not legal in mode ${mode}.`);
        mode = to;
        tail = tag;
        return;
      }
      const text = texts.get(id) ?? latin1(options.tokenBytes(id) ?? new Uint8Array());
      if (spellsTag(text)) throw new RangeError(`Token ${id} would spell out a tag as text.`);
      tail = (tail + text).slice(-(longest - 1));
    },
  };
}
