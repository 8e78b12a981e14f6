/**
 * Code-point ranges of modes and of bad-behaviour marks in the tagged text, as exports record
 * them (SPEC §5). All offsets are code points in the tagged text (tags included in the
 * counting), `start` inclusive and `end` exclusive.
 *
 * A mode span is a maximal run of text of one mode between tags; tags belong to no span and
 * empty runs (such as the inside of `<AI></AI>`) are left out. So in
 * `Hi <AI>Yes "<AI_quoting_human>no</AI_quoting_human>"</AI>` the spans are human 0–3,
 * ai 7–12, ai_quoting_human 30–32, ai 51–52.
 */
import type { Mark, Node } from "prosemirror-model";
import { grammar as grammarFor, spanStructure, type GrammarOptions, type Mode } from "./grammar.ts";
import { codePointLength } from "./positions.ts";
import { BAD_BEHAVIOUR_MARK, modeOfNodeType, schemaGrammar, type BadBehaviourCategory } from "./schema.ts";
import { matchTag, tagTable } from "./tags.ts";
import { validate, type Diagnostic } from "./validator.ts";

/** A run of text of one mode. */
export interface ModeSpan {
  mode: Mode;
  start: number;
  end: number;
}

/** A range of text carrying one bad-behaviour mark. */
export interface BadBehaviourRange {
  id: string;
  category: BadBehaviourCategory;
  /** The id of the AI span commenting on it, or null when uncommented. */
  commentary: string | null;
  start: number;
  end: number;
}

/** Thrown when a function that needs a valid text is given an invalid one. */
export class InvalidTextError extends Error {
  /** The validator's errors. */
  readonly errors: Diagnostic[];
  constructor(errors: Diagnostic[]) {
    super(`The text is not valid tagged text: ${errors[0]?.message ?? "unknown error"}`);
    this.name = "InvalidTextError";
    this.errors = errors;
  }
}

/** Collects runs, leaving out empty ones. */
class SpanList {
  readonly spans: ModeSpan[] = [];
  add(mode: Mode, start: number, end: number): void {
    if (end > start) this.spans.push({ mode, start, end });
  }
}

/** The mode spans of a valid tagged text. Throws `InvalidTextError` for an invalid one. */
export function modeSpans(text: string, options: GrammarOptions = {}): ModeSpan[] {
  const result = validate(text, { ...options, nearMissTags: false, quoteWithoutMarks: false });
  if (!result.valid) throw new InvalidTextError(result.errors);
  const table = tagTable(grammarFor(options));
  const list = new SpanList();
  let mode = table.modes.indexOf(table.grammar.initial);
  let runStart = 0;
  let offset = 0;
  for (let i = text.indexOf("<"); i !== -1; ) {
    const tag = matchTag(table, text, i);
    if (tag < 0) {
      i = text.indexOf("<", i + 1);
      continue;
    }
    const at = offset + codePointLength(text, runStart, i);
    list.add(table.modes[mode]!, offset, at);
    const length = table.tagLength[tag]!;
    offset = at + length;
    runStart = i + length;
    mode = table.next[mode * table.tags.length + tag]!;
    i = text.indexOf("<", runStart);
  }
  list.add(table.modes[mode]!, offset, offset + codePointLength(text, runStart));
  return list.spans;
}

/**
 * Walks a document in text order, calling `leaf` for every text and hard break with its mode,
 * code-point range and marks, and `lineBreak` for every break between paragraphs. Offsets match
 * `docToText(doc)` exactly.
 */
function walk(
  doc: Node,
  leaf: (mode: Mode, start: number, end: number, marks: readonly Mark[]) => void,
  lineBreak: (start: number, end: number) => void,
): void {
  const g = schemaGrammar(doc.type.schema);
  const { spans } = spanStructure(g);
  let offset = 0;
  const inline = (node: Node, mode: Mode): void => {
    node.forEach((child) => {
      if (child.isText) {
        const end = offset + codePointLength(child.text!);
        leaf(mode, offset, end, child.marks);
        offset = end;
      } else if (child.isLeaf) {
        const end = offset + codePointLength(child.type.spec.leafText?.(child) ?? "");
        leaf(mode, offset, end, child.marks);
        offset = end;
      } else {
        const childMode = modeOfNodeType(child.type)!;
        const tags = spans.get(childMode)!;
        offset += tags.open.length;
        inline(child, childMode);
        offset += tags.close.length;
      }
    });
  };
  const last = doc.childCount - 1;
  doc.forEach((paragraph, _pos, index) => {
    inline(paragraph, g.initial);
    if (index < last) {
      const end = offset + (paragraph.attrs.lineBreak as string).length;
      lineBreak(offset, end);
      offset = end;
    }
  });
}

/** The mode spans of a document, equal to `modeSpans(docToText(doc))`. */
export function docModeSpans(doc: Node): ModeSpan[] {
  const spans: ModeSpan[] = [];
  const extend = (mode: Mode, start: number, end: number): void => {
    if (end <= start) return;
    const previous = spans[spans.length - 1];
    if (previous && previous.mode === mode && previous.end === start) previous.end = end;
    else spans.push({ mode, start, end });
  };
  const human = schemaGrammar(doc.type.schema).initial;
  walk(doc, (mode, start, end) => extend(mode, start, end), (start, end) => extend(human, start, end));
  return spans;
}

/**
 * The bad-behaviour marks of a document as code-point ranges of `docToText(doc)`, ordered by
 * start. A mark whose text is interrupted (by a tag, or by unmarked text) gives one range per
 * piece, all with the same id; a break between paragraphs with the same mark on both sides is
 * inside the range. Marks on anything but text and hard breaks are ignored (`checkDocument`
 * refuses them).
 */
export function badBehaviourMarks(doc: Node): BadBehaviourRange[] {
  const ranges: BadBehaviourRange[] = [];
  // The most recent range of each distinct mark (same id, category and commentary).
  const latest = new Map<string, BadBehaviourRange>();
  let lastBreak = { start: -1, end: -1 };
  walk(
    doc,
    (_mode, start, end, marks) => {
      for (const mark of marks) {
        if (mark.type.name !== BAD_BEHAVIOUR_MARK) continue;
        const key = `${mark.attrs.id}\u0000${mark.attrs.category}\u0000${mark.attrs.commentary}`;
        const range = latest.get(key);
        if (range && (range.end === start || (range.end === lastBreak.start && start === lastBreak.end))) {
          range.end = end;
          continue;
        }
        const created: BadBehaviourRange = {
          id: mark.attrs.id as string,
          category: mark.attrs.category as BadBehaviourCategory,
          commentary: mark.attrs.commentary as string | null,
          start,
          end,
        };
        latest.set(key, created);
        ranges.push(created);
      }
    },
    (start, end) => {
      lastBreak = { start, end };
    },
  );
  return ranges.sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
}
