/**
 * The validator: one pass over tagged text, whole or as a stream of chunks.
 *
 * Speed matters (whole corpora go through it), so the scan jumps from `<` to `<` with
 * `indexOf`, matches tags with an allocation-free trie walk and does no per-character work.
 * Code-point offsets, lines and columns are counted lazily, only up to the places where a
 * diagnostic needs them (and, when streaming, once per chunk before the chunk is let go).
 */
import { grammar as grammarFor, modePath, modeSpec, spanStructure, type Grammar, type GrammarOptions, type Mode, type Tag } from "./grammar.ts";
import { isQuoteSpace, NEAR_MISS_MAX_LENGTH, nearMissAt, nearMissMessage, QUOTE_SPACE_MAX, quoteHasMarks, quoteWithoutMarksMessage } from "./lints.ts";
import type { TextPosition } from "./positions.ts";
import { tagTable, type TagTable } from "./tags.ts";

/** Stable codes: two errors (the text is invalid) and two warnings (it stays valid). */
export type DiagnosticCode = "illegal_transition" | "unclosed_span" | "near_miss_tag" | "quote_without_marks";

/** An error or warning at a place in the text. */
export interface Diagnostic extends TextPosition {
  code: DiagnosticCode;
  /** What is wrong and what to do, starting with "Line L, column C: ". */
  message: string;
  /** How many code points the diagnostic covers from `offset` (0 at the end of the text). */
  length: number;
}

/** The outcome of validating one text. */
export interface ValidationResult {
  /** True when there is no error (warnings do not count). */
  valid: boolean;
  /** Errors in text order, at most `maxDiagnostics` of them. */
  errors: Diagnostic[];
  /** Warnings in text order, at most `maxDiagnostics` of them. */
  warnings: Diagnostic[];
  /** The number of errors found, including any left out of `errors`. */
  errorCount: number;
  /** The number of warnings found, including any left out of `warnings`. */
  warningCount: number;
  /** The mode the text ended in (the final mode when valid). */
  endMode: Mode;
}

/** How to validate. */
export interface ValidatorOptions extends GrammarOptions {
  /** Report `near_miss_tag` warnings (default true). */
  nearMissTags?: boolean;
  /** Report `quote_without_marks` warnings (default true; projects may turn it off). */
  quoteWithoutMarks?: boolean;
  /**
   * Keep at most this many errors and this many warnings (default 1000), so that a huge
   * garbage input cannot exhaust memory; the counts still count them all.
   */
  maxDiagnostics?: number;
}

/** A validator fed a text in pieces (e.g. from a file stream). */
export interface StreamValidator {
  /** Feeds the next piece of text. Pieces may split tags and surrogate pairs anywhere. */
  push(chunk: string): void;
  /** Ends the text and returns the result. The validator cannot be used afterwards. */
  end(): ValidationResult;
}

const THE = /^an? /;

/** "an AI span" → "the AI span" */
function definite(label: string): string {
  return label.replace(THE, "the ");
}

/** What a person has to write to get from mode `from` to mode `to`, as advice. */
function route(g: Grammar, from: Mode, to: Mode): string {
  const { spans } = spanStructure(g);
  const up = modePath(g, from);
  const down = modePath(g, to);
  const common = up.find((m) => down.includes(m))!;
  const steps: string[] = [];
  for (const m of up.slice(0, up.indexOf(common))) steps.push(`close ${definite(modeSpec(g, m).label)} with \`${spans.get(m)!.close}\``);
  for (const m of down.slice(0, down.indexOf(common)).reverse()) steps.push(`open ${modeSpec(g, m).label} with \`${spans.get(m)!.open}\``);
  return steps.join(" and ");
}

/**
 * Why `tag` is not legal in `mode`, and what to do instead (no "Line …" prefix), or null
 * when it is legal. The editor uses it to refuse a typed tag with the same words as the CLI.
 */
export function illegalTransitionMessage(g: Grammar, mode: Mode, tag: Tag): string | null {
  const { spans, byTag } = spanStructure(g);
  const transitions = byTag.get(tag);
  if (!transitions) return `\`${tag}\` is not a tag of this grammar.`;
  if (transitions.some((t) => t.from === mode)) return null;
  const label = modeSpec(g, mode).label;
  const t = transitions[0]!;
  const opened = spans.get(t.to);
  if (opened && opened.open === tag && opened.parent === t.from) {
    const target = modeSpec(g, t.to).label;
    if (t.to === mode) {
      return `\`${tag}\` cannot open ${target} inside ${label}: spans of the same kind do not nest. Close this one with \`${opened.close}\` first, or remove the tag.`;
    }
    return `\`${tag}\` can only be used in ${modeSpec(g, t.from).label}, but here the text is ${label}; ${route(g, mode, t.from)} first.`;
  }
  const closed = t.from;
  const closedLabel = modeSpec(g, closed).label;
  if (modePath(g, mode).includes(closed)) {
    const inner = modePath(g, mode);
    const toClose = inner.slice(0, inner.indexOf(closed));
    const advice = toClose.length === 1 ? `close it with \`${spans.get(mode)!.close}\` first` : `${route(g, mode, closed)} first`;
    return `\`${tag}\` cannot close ${label}; ${advice}.`;
  }
  return `\`${tag}\` closes ${closedLabel}, but none is open here (the text here is ${label}). Remove it, or open ${closedLabel} with \`${spans.get(closed)!.open}\` where it should start.`;
}

function prefix(p: TextPosition): string {
  return `Line ${p.line}, column ${p.column}: `;
}

/** What a scanner needs that depends only on the options: built once per set of options. */
interface ScanConfig {
  g: Grammar;
  table: TagTable;
  /** For each mode index: its label if it is a quote mode (and the quote lint is on), else null. */
  quoteLabels: (string | null)[];
  finalMode: number;
  nearMisses: boolean;
  max: number;
}

const configs = new Map<number, ScanConfig>();

/** How many units before `current[0]` the scanner keeps: the quote lint looks back that far. */
const RECENT = QUOTE_SPACE_MAX + 1;

/** Whether `text[from, to)` is all white space of the kind the quote lint looks through. */
function onlyQuoteSpace(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isQuoteSpace(text.charCodeAt(i))) return false;
  return true;
}

function scanConfig(options: ValidatorOptions): ScanConfig {
  const unalignedQuotes = options.unalignedQuotes ?? false;
  const nearMisses = options.nearMissTags ?? true;
  const quoteLint = options.quoteWithoutMarks ?? true;
  const max = options.maxDiagnostics ?? 1000;
  // A number, not a string, so that the lookup costs nothing per validated text.
  const key = (Number.isFinite(max) ? max * 8 : -8) + (unalignedQuotes ? 4 : 0) + (nearMisses ? 2 : 0) + (quoteLint ? 1 : 0);
  let config = configs.get(key);
  if (!config) {
    const g = grammarFor({ unalignedQuotes });
    const table = tagTable(g);
    config = {
      g,
      table,
      quoteLabels: g.modes.map((m) => (quoteLint && m.kind === "quote" ? m.label : null)),
      finalMode: table.modes.indexOf(g.final),
      nearMisses,
      max,
    };
    configs.set(key, config);
  }
  return config;
}

/**
 * The scanning state machine behind `validate` and `createValidator`.
 *
 * The text arrives as chunks. `current` is the chunk being scanned, with any unfinished tail
 * of the previous chunk in front of it; `base` is the UTF-16 index of `current[0]` in the
 * whole text. A tail is carried over when the chunk ends in something that may still become a
 * tag or near miss (a `<` with no `>` after it), right after a tag or in the white space after
 * it (the quote lint needs the first character that follows that is not white space), or in
 * the first half of a surrogate pair. The last few units of the text let go are kept, since the
 * quote lint also looks back past white space.
 *
 * The hot loop allocates nothing for legal tags: open spans are kept in parallel arrays of
 * numbers, the open quote in plain fields.
 */
class Scanner implements StreamValidator {
  private readonly config: ScanConfig;

  private mode = 0;
  private current = "";
  private base = 0;
  /** Where the scan of `current` stopped: the start of the carried tail. */
  private tailStart = 0;
  /** The last units of the text before `current[0]` (up to `RECENT`), for the quote lint. */
  private recent = "";
  private ended = false;
  private final = false;

  /** Lazy position counting: everything before `current[cursor]` has been counted. */
  private cursor = 0;
  private codePoints = 0;
  private line = 1;
  private lineStart = 0;
  /** A "\r" ended the counted text; whether it was a line break depends on the next unit. */
  private pendingCR = false;
  /** Next "\n" / "\r" at or after the cursor in `current` (-1: none, -2: not searched yet). */
  private nextLF = -2;
  private nextCR = -2;

  /**
   * The open tag of each open span, by level (0: outermost; the current mode's depth is the
   * number of open spans): its UTF-16 index in the whole text and, once counting has passed it,
   * its position (needed for messages after its chunk is gone). Indexed rather than pushed and
   * popped, so that opening and closing a span costs two stores.
   */
  private readonly openUnits: number[] = [];
  private readonly openPositions: (TextPosition | null)[] = [];

  /** The open quote being linted (`quoteLabel` null: none). */
  private quoteLabel: string | null = null;
  private quoteBeforeOpen = -1;
  /** UTF-16 index of the quote's content in the whole text. */
  private quoteContentStart = 0;
  /**
   * UTF-16 index of the content's first unit that is not white space, or -1 (the carried tail
   * guarantees that it is in `current` at the open tag; it may lie beyond the quote's end).
   */
  private quoteContentFirstAt = -1;

  private readonly errors: Diagnostic[] = [];
  private readonly warnings: Diagnostic[] = [];
  private errorCount = 0;
  private warningCount = 0;

  constructor(options: ValidatorOptions) {
    this.config = scanConfig(options);
  }

  push(chunk: string): void {
    if (this.ended) throw new Error("This validator has already ended");
    if (chunk.length === 0) return;
    if (this.current.length === 0) {
      this.current = chunk;
    } else {
      // Count positions in the finished part before letting it go; the tail is rescanned.
      this.count(this.tailStart);
      this.recent = (this.recent + this.current.slice(Math.max(0, this.tailStart - RECENT), this.tailStart)).slice(-RECENT);
      this.base += this.tailStart;
      this.current = this.current.slice(this.tailStart) + chunk;
      this.cursor = 0;
      this.nextLF = -2;
      this.nextCR = -2;
    }
    this.scan(0);
  }

  end(): ValidationResult {
    if (this.ended) throw new Error("This validator has already ended");
    this.ended = true;
    this.final = true;
    this.scan(this.tailStart);
    return this.finish();
  }

  /** Validates a whole text in one scan (nothing to carry between chunks). */
  whole(text: string): ValidationResult {
    this.ended = true;
    this.final = true;
    this.current = text;
    this.scan(0);
    return this.finish();
  }

  private finish(): ValidationResult {
    if (this.mode !== this.config.finalMode) this.unclosed();
    if (this.warnings.length > 1) this.warnings.sort((a, b) => a.offset - b.offset);
    return {
      valid: this.errorCount === 0,
      errors: this.errors,
      warnings: this.warnings,
      errorCount: this.errorCount,
      warningCount: this.warningCount,
      endMode: this.config.table.modes[this.mode]!,
    };
  }

  /** Where the scan of `current` must stop so that nothing undecidable is scanned. */
  private carryStart(): number {
    const s = this.current;
    const len = s.length;
    if (this.final) return len;
    const lastOpen = s.lastIndexOf("<");
    if (lastOpen >= 0 && lastOpen >= len - NEAR_MISS_MAX_LENGTH - QUOTE_SPACE_MAX) {
      const close = s.indexOf(">", lastOpen);
      if (close === -1 ? lastOpen >= len - NEAR_MISS_MAX_LENGTH : len - 1 - close <= QUOTE_SPACE_MAX && onlyQuoteSpace(s, close + 1, len)) return lastOpen;
    }
    const last = s.charCodeAt(len - 1);
    return last >= 0xd800 && last <= 0xdbff ? len - 1 : len;
  }

  private scan(from: number): void {
    const s = this.current;
    const limit = this.carryStart();
    const { table, quoteLabels, nearMisses } = this.config;
    const { next, tagLength, depth, trie } = table;
    const tagCount = tagLength.length;
    let mode = this.mode;
    let i = s.indexOf("<", from);
    while (i !== -1 && i < limit) {
      // The walk of `matchTag`, inlined: this loop runs once per `<` of the corpus.
      let tag = -1;
      for (let j = i + 1, state = 0; ; j++) {
        const code = s.charCodeAt(j);
        if (!(code < 128)) break;
        state = trie[(state << 7) | code]!;
        if (state < 0) {
          tag = -2 - state;
          break;
        }
      }
      if (tag >= 0) {
        const end = i + tagLength[tag]!;
        const to = next[mode * tagCount + tag]!;
        if (to < 0) {
          this.mode = mode;
          this.illegal(tag, i);
          mode = this.mode;
        } else if (depth[to]! > depth[mode]!) {
          const level = depth[mode]!;
          this.openUnits[level] = this.base + i;
          this.openPositions[level] = null;
          const label = quoteLabels[to]!;
          if (label !== null) this.openQuote(label, i, end);
          mode = to;
        } else {
          if (this.quoteLabel !== null) {
            this.mode = mode;
            this.closeQuote(i, end, depth[mode]! - 1);
          }
          mode = to;
        }
        i = s.indexOf("<", end);
        continue;
      }
      if (nearMisses) {
        const miss = nearMissAt(s, i);
        if (miss) {
          this.mode = mode;
          const at = i;
          this.warn("near_miss_tag", at, miss.length, (p) => prefix(p) + nearMissMessage(this.config.g, s.slice(at, at + miss.length), miss.intended));
          i = s.indexOf("<", i + miss.length);
          continue;
        }
      }
      i = s.indexOf("<", i + 1);
    }
    this.mode = mode;
    this.tailStart = limit;
  }

  /** The unit at whole-text index `at`, or -1 outside the text or the part of it still kept. */
  private unitAtIndex(at: number): number {
    const i = at - this.base;
    if (i >= 0) return i < this.current.length ? this.current.charCodeAt(i) : -1;
    const r = this.recent.length + i;
    return at >= 0 && r >= 0 ? this.recent.charCodeAt(r) : -1;
  }

  /**
   * The whole-text index of the nearest unit that is not white space, from `at` on in direction
   * `dir`, through at most `QUOTE_SPACE_MAX` units of white space and not past `bound` (the first
   * index not to look at); -1 where there is none.
   */
  private nonSpace(at: number, dir: -1 | 1, bound: number): number {
    for (let k = 0; k <= QUOTE_SPACE_MAX && at !== bound; k++, at += dir) {
      const unit = this.unitAtIndex(at);
      if (unit < 0) return -1;
      if (!isQuoteSpace(unit)) return at;
    }
    return -1;
  }

  /** `unitAtIndex(at)`, and -1 for `at` -1 (none found). */
  private unitOrNone(at: number): number {
    return at < 0 ? -1 : this.unitAtIndex(at);
  }

  private openQuote(label: string, start: number, end: number): void {
    this.quoteLabel = label;
    this.quoteBeforeOpen = this.unitOrNone(this.nonSpace(this.base + start - 1, -1, -1));
    this.quoteContentStart = this.base + end;
    this.quoteContentFirstAt = this.nonSpace(this.base + end, 1, -1);
  }

  /** Lints the quote that the close tag at `current[start, end)` ends (its open tag is still the innermost). */
  private closeQuote(start: number, end: number, level: number): void {
    const label = this.quoteLabel!;
    this.quoteLabel = null;
    const closeAt = this.base + start;
    const firstAt = this.quoteContentFirstAt < closeAt ? this.quoteContentFirstAt : -1;
    const lastAt = this.nonSpace(closeAt - 1, -1, this.quoteContentStart - 1);
    const after = this.unitOrNone(this.nonSpace(this.base + end, 1, -1));
    if (quoteHasMarks(this.quoteBeforeOpen, this.unitOrNone(firstAt), this.unitOrNone(lastAt), after, firstAt >= 0 && lastAt > firstAt)) return;
    this.warningCount++;
    if (this.warnings.length >= this.config.max) return;
    const p = this.openTagPosition(level);
    this.warnings.push({ code: "quote_without_marks", offset: p.offset, line: p.line, column: p.column, length: 0, message: prefix(p) + quoteWithoutMarksMessage(label) });
  }

  private illegal(tag: number, i: number): void {
    const { g, table } = this.config;
    const mode = table.modes[this.mode]!;
    const message = illegalTransitionMessage(g, mode, table.tags[tag]!)!;
    this.error("illegal_transition", i, table.tagLength[tag]!, (p) => prefix(p) + message);
    // Recover so that one mistake gives one error: a close tag of an enclosing span closes
    // everything inside it too; any other illegal tag is skipped.
    const closing = spanStructure(g).byTag.get(table.tags[tag]!)![0]!;
    if (closing.from !== mode && modePath(g, mode).includes(closing.from)) {
      const target = table.modes.indexOf(closing.to);
      this.quoteLabel = null;
      this.mode = target;
    }
  }

  private unclosed(): void {
    const { g, table } = this.config;
    const { spans } = spanStructure(g);
    const open = modePath(g, table.modes[this.mode]!).slice(0, -1);
    const where = open.map((m, k) => {
      const p = this.openTagPosition(open.length - 1 - k);
      return `${definite(modeSpec(g, m).label)} opened at line ${p.line}, column ${p.column}`;
    });
    const closes = open.map((m) => spans.get(m)!.close).join("");
    const inside = where.length === 1 ? where[0]! : `${where[0]!} (itself inside ${where.slice(1).join(", inside ")})`;
    const advice = open.length === 1 ? `close it with \`${closes}\`` : `close them with \`${closes}\``;
    this.error("unclosed_span", this.current.length, 0, (p) => `${prefix(p)}the text ends inside ${inside}; ${advice}.`);
  }

  private error(code: DiagnosticCode, i: number, length: number, message: (p: TextPosition) => string): void {
    this.errorCount++;
    if (this.errors.length >= this.config.max) return;
    const p = this.positionAt(i);
    this.errors.push({ code, offset: p.offset, line: p.line, column: p.column, length, message: message(p) });
  }

  private warn(code: DiagnosticCode, i: number, length: number, message: (p: TextPosition) => string): void {
    this.warningCount++;
    if (this.warnings.length >= this.config.max) return;
    const p = this.positionAt(i);
    this.warnings.push({ code, offset: p.offset, line: p.line, column: p.column, length, message: message(p) });
  }

  /** The position of the open tag of the span at `level` (0: outermost), counting up to it if needed. */
  private openTagPosition(level: number): TextPosition {
    const known = this.openPositions[level];
    if (known) return known;
    const p = this.positionAt(this.openUnits[level]! - this.base);
    this.openPositions[level] = p;
    return p;
  }

  /** The position of `current[i]`. */
  private positionAt(i: number): TextPosition {
    this.count(i);
    return { offset: this.codePoints, line: this.line, column: this.codePoints - this.lineStart + 1 };
  }

  /**
   * Counts code points and line breaks up to `current[to]`, recording on the way the positions
   * of the open spans' tags (needed later, when the text they sit in may be gone).
   */
  private count(to: number): void {
    const open = this.config.table.depth[this.mode]!;
    for (let level = 0; level < open; level++) {
      const at = this.openUnits[level]! - this.base;
      if (this.openPositions[level] === null && at >= this.cursor && at <= to) {
        this.countRaw(at);
        this.openPositions[level] = { offset: this.codePoints, line: this.line, column: this.codePoints - this.lineStart + 1 };
      }
    }
    this.countRaw(to);
  }

  private countRaw(to: number): void {
    const s = this.current;
    const from = this.cursor;
    if (this.pendingCR && from < s.length) {
      this.pendingCR = false;
      if (s.charCodeAt(from) !== 10) {
        this.line++;
        this.lineStart = this.codePoints;
      }
    }
    if (to <= from) return;
    // Line breaks: every "\n", and every "\r" not followed by "\n".
    let breakEnd = -1;
    if (this.nextLF === -2) this.nextLF = s.indexOf("\n", from);
    while (this.nextLF !== -1 && this.nextLF < to) {
      this.line++;
      breakEnd = this.nextLF + 1;
      this.nextLF = s.indexOf("\n", breakEnd);
    }
    if (this.nextCR === -2) this.nextCR = s.indexOf("\r", from);
    while (this.nextCR !== -1 && this.nextCR < to) {
      const cr = this.nextCR;
      if (cr + 1 < s.length) {
        if (s.charCodeAt(cr + 1) !== 10) {
          this.line++;
          breakEnd = Math.max(breakEnd, cr + 1);
        }
      } else if (this.final) {
        this.line++;
        breakEnd = Math.max(breakEnd, cr + 1);
      } else {
        this.pendingCR = true;
      }
      this.nextCR = s.indexOf("\r", cr + 1);
    }
    if (breakEnd >= 0) {
      this.lineStart = this.codePoints + (breakEnd - from) - surrogatePairs(s, from, breakEnd);
      this.codePoints = this.lineStart + (to - breakEnd) - surrogatePairs(s, breakEnd, to);
    } else {
      this.codePoints += to - from - surrogatePairs(s, from, to);
    }
    this.cursor = to;
  }
}

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/** Surrogate pairs wholly inside `text[from, to)`; the search never runs past `to`. */
function surrogatePairs(text: string, from: number, to: number): number {
  if (to <= from + 1) return 0;
  const region = text.slice(from, to);
  SURROGATE_PAIR.lastIndex = 0;
  let pairs = 0;
  while (SURROGATE_PAIR.test(region)) pairs++;
  return pairs;
}

/** A validator for a text that arrives in pieces. */
export function createValidator(options: ValidatorOptions = {}): StreamValidator {
  return new Scanner(options);
}

/** Validates one whole text. */
export function validate(text: string, options: ValidatorOptions = {}): ValidationResult {
  return new Scanner(options).whole(text);
}
