/**
 * One line of an import file (SPEC §6), checked and turned into what the database stores: the
 * tagged text, its editor document with the line's bad-behaviour marks and their commentary
 * links applied, the excerpt and digest stored beside it, and the line's other facts (source,
 * source id, scenario key, a grader's score and suggested flags, the remaining fields as
 * metadata). A line that cannot be imported gives a rejection whose reason says what is wrong
 * and what to do, never an exception.
 *
 * Pure (no I/O) so that it runs on worker threads and in table tests alike. Every offset a line
 * gives is in code points of its text (what Python's `text[i]` counts), tags included, `start`
 * inclusive and `end` exclusive, exactly as an export writes them back (SPEC §5): a line's
 * marks, read back from the stored document with core's `badBehaviourMarks`, are the marks the
 * line gave, or the line is rejected.
 */
import {
  BAD_BEHAVIOUR_CATEGORIES,
  BAD_BEHAVIOUR_MARK,
  badBehaviourMarks,
  checkDocumentShape,
  codePointLength,
  codePointToUtf16,
  createSchema,
  docModeSpans,
  DOCUMENT_LIMITS,
  FLAG_CATEGORIES,
  FLAG_SEVERITIES,
  modeOfNodeType,
  modeSpec,
  schemaGrammar,
  spanStructure,
  textToDoc,
  unstorableCharacter,
  type BadBehaviourCategory,
  type Diagnostic,
  type FlagCategory,
  type FlagSeverity,
  type GrammarOptions,
  type ModeSpan,
} from "@prealign/core";
import { Fragment, type Mark, type Node } from "prosemirror-model";
import { digestOf, excerptOf } from "../documents.ts";

/** The stages an import can put its examples in (SPEC §6). */
export const IMPORT_STAGES = ["draft", "review", "accepted"] as const;

/** One of {@link IMPORT_STAGES}. */
export type ImportStage = (typeof IMPORT_STAGES)[number];

/** The fields of a line that the import reads; every other field is kept as metadata. */
export const IMPORT_FIELDS = ["text", "id", "source", "scenario", "marks", "grader"] as const;

/** How long the short fields of a line may be (characters), so that they stay fit for indexes and lists. */
export const IMPORT_FIELD_LIMITS = Object.freeze({
  /** `id`: kept as the source id, unique per project. */
  sourceId: 200,
  /** `source`: free text naming the pipeline and model. */
  source: 1_000,
  /** `scenario`: a scenario key. */
  scenario: 200,
  /** `grader.name`. */
  graderName: 200,
  /** Suggested flags of one grader. */
  graderFlags: 1_000,
  /** `grader.flags[i].comment`. */
  flagComment: 10_000,
  /** Levels of nesting of a metadata field (the databases' JSON readers stop at about a thousand). */
  metadataDepth: 64,
});

/** How to read a line: the stage it is imported into and the project's grammar. */
export interface ParseOptions extends GrammarOptions {
  /** The stage the examples go to; `accepted` also refuses uncommented marks. */
  stage: ImportStage;
}

/** A grader's suggested flag, as stored in `GraderReport.flags` (code points). */
export interface GraderFlag {
  start: number;
  end: number;
  category: FlagCategory;
  severity: FlagSeverity;
  /** The grader's explanation ("" when it gave none). */
  comment: string;
}

/** A model grader's verdict on the line's text. */
export interface GraderData {
  /** The grader's name (for example a model's). */
  name: string;
  /** Its score, or null when it gave none. */
  score: number | null;
  /** Its suggested flags, shown to reviewers as suggestions. */
  flags: GraderFlag[];
}

/** A JSON value, as metadata keeps it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A line ready to be stored: one example with its first revision. */
export interface PreparedExample {
  /** The line's 1-based number in the file. */
  line: number;
  /** The tagged text, exactly as the line gave it. */
  text: string;
  /** The editor document (JSON text, canonical), marks and commentary links applied. */
  doc: string;
  /** The start of the text, as lists show it. */
  excerpt: string;
  /** The SHA-256 of `doc`, in hex. */
  digest: string;
  /** The line's `source`, or null. */
  source: string | null;
  /** The line's `id` (a string; a number is written in decimal), or null. */
  sourceId: string | null;
  /** The line's `scenario` key, or null. */
  scenario: string | null;
  /** The line's `grader`, or null. */
  grader: GraderData | null;
  /** The line's other fields, or null when it has none. */
  metadata: { [key: string]: JsonValue } | null;
}

/** A line that is not imported, and why. */
export interface Rejection {
  /** The line's 1-based number in the file. */
  line: number;
  /** What is wrong with it and what to do, in words for the person who fixes the file. */
  reason: string;
}

/** What one line comes to. */
export type ParsedLine = { ok: true; example: PreparedExample } | { ok: false; rejection: Rejection };

/** Thrown inside the checks below and caught by {@link parseImportLine}: the reason a line is rejected. */
class Refusal extends Error {}

const LINE_SHAPE = 'Each line must be one JSON object such as {"text": "Hello <AI>Hi!</AI>"}.';

/** How many of the validator's errors a rejection quotes. */
const ERRORS_QUOTED = 3;

/** How many AI spans a commentary refusal lists as the ranges that would do. */
const INSIDES_LISTED = 5;

/**
 * Checks and prepares one line of an import file (its text without the line break). Never
 * throws: a line that cannot be imported gives `{ ok: false, rejection }`.
 */
export function parseImportLine(line: string, lineNumber: number, options: ParseOptions): ParsedLine {
  try {
    return { ok: true, example: prepare(line, lineNumber, options) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, rejection: { line: lineNumber, reason: error.message } };
    // Anything else is a bug in these checks; the line is still refused, with the cause.
    return { ok: false, rejection: { line: lineNumber, reason: `The line could not be read: ${(error as Error).message}` } };
  }
}

/** A bad-behaviour mark of a line, checked and given its id in the document. */
interface PlannedMark {
  /** Where the line listed it: `marks[i]`. */
  where: string;
  id: string;
  start: number;
  end: number;
  category: BadBehaviourCategory;
  /** The id of the AI span commenting on it, or null. */
  commentary: string | null;
}

function prepare(line: string, lineNumber: number, options: ParseOptions): PreparedExample {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    throw new Refusal(`The line is not valid JSON (${(error as Error).message}). ${LINE_SHAPE}`);
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new Refusal(`The line is JSON but not an object. ${LINE_SHAPE}`);
  }
  const fields = record as { [key: string]: JsonValue };
  const { text, id, source, scenario, marks, grader, ...rest } = fields;
  if (typeof text !== "string") {
    throw new Refusal(`The line has no "text" string${text === undefined ? "" : ` (its "text" is ${kindOf(text)})`}. ${LINE_SHAPE}`);
  }
  // Only a \u escape can put a NUL or a lone surrogate into parsed JSON, so most lines skip the walk.
  if (MAYBE_UNSTORABLE.test(line)) checkStorable(fields, "");
  const sourceId = readSourceId(id);
  const sourceText = readOptionalString(source, "source", IMPORT_FIELD_LIMITS.source);
  const scenarioKey = readOptionalString(scenario, "scenario", IMPORT_FIELD_LIMITS.scenario);
  if (text.length > DOCUMENT_LIMITS.characters) {
    throw new Refusal(
      `The text has ${text.length.toLocaleString("en")} characters, more than the ${DOCUMENT_LIMITS.characters.toLocaleString("en")} one example may hold. ` +
        `Split it into several shorter examples.`,
    );
  }
  const schema = createSchema({ unalignedQuotes: options.unalignedQuotes ?? false });
  const converted = textToDoc(text, { schema });
  if (!converted.ok) throw new Refusal(invalidTextReason(converted.errors));
  let doc = converted.doc;
  const length = codePointLength(text);
  const needsLayout = (marks !== undefined && marks !== null) || (grader !== undefined && grader !== null);
  const spans = needsLayout ? docModeSpans(doc) : [];
  const planned = readMarks(marks, doc, spans, length, options);
  if (planned.length > 0) {
    doc = withMarks(doc, planned);
    checkMarksReadBack(doc, planned);
    // The rest of core's `checkDocument` holds by construction (the codec's document, its text
    // unchanged, one mark per id, marks on text and hard breaks only); the schema's own check
    // still confirms that every mark sits where a bad-behaviour mark is allowed.
    try {
      doc.check();
    } catch (error) {
      throw new Refusal(`The marks do not fit the text: ${(error as Error).message}`);
    }
  }
  const graderData = readGrader(grader, spans, length);
  const json = doc.toJSON() as unknown;
  try {
    checkDocumentShape(json);
  } catch (error) {
    throw new Refusal(`The example is too large: ${(error as Error).message}`);
  }
  const docText = JSON.stringify(json);
  return {
    line: lineNumber,
    text,
    doc: docText,
    excerpt: excerptOf(text),
    digest: digestOf(docText),
    source: sourceText,
    sourceId,
    scenario: scenarioKey,
    grader: graderData,
    metadata: readMetadata(rest),
  };
}

/** The line's other fields, kept as they came; null when there are none. */
function readMetadata(rest: { [key: string]: JsonValue }): { [key: string]: JsonValue } | null {
  const keys = Object.keys(rest);
  if (keys.length === 0) return null;
  for (const key of keys) {
    if (depthExceeds(rest[key]!, IMPORT_FIELD_LIMITS.metadataDepth)) {
      throw new Refusal(`The field ${key} is nested more than ${IMPORT_FIELD_LIMITS.metadataDepth} levels deep; flatten it (or store it as a string) to keep it as metadata.`);
    }
  }
  return rest;
}

/** Whether arrays and objects in `value` nest more than `limit` levels. */
function depthExceeds(value: JsonValue, limit: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (limit === 0) return true;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some((child) => depthExceeds(child, limit - 1));
}

/** "a number", "an array", "null": how a refusal names a JSON value of the wrong kind. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "object" ? "an object" : type === "string" ? "a string" : `a ${type}`;
}

/** A `\u0000` or `\uD800`–`\uDFFF` escape: the only ways a JSON line can hold characters no database stores. */
const MAYBE_UNSTORABLE = /\\u(?:0000|d[89a-f])/i;

/** Refuses a NUL character or lone surrogate anywhere in the record (keys included), naming the field. */
function checkStorable(value: JsonValue, path: string): void {
  if (typeof value === "string") {
    const problem = unstorableCharacter(value);
    if (problem) throw new Refusal(`The field ${path || "(top level)"} holds ${problem}.`);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkStorable(item, `${path}[${index}]`));
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorableCharacter(key);
      if (problem) throw new Refusal(`A field name in ${path || "the line"} holds ${problem}.`);
      checkStorable(item, path === "" ? key : `${path}.${key}`);
    }
  }
}

function readSourceId(id: JsonValue | undefined): string | null {
  if (id === undefined || id === null) return null;
  if (typeof id === "number" && Number.isSafeInteger(id)) return String(id);
  if (typeof id !== "string") throw new Refusal(`The "id" must be a string or a whole number (the source's own id), not ${kindOf(id)}.`);
  if (id === "") throw new Refusal(`The "id" is empty; give the source's own id, or leave the field out.`);
  if (id.length > IMPORT_FIELD_LIMITS.sourceId) {
    throw new Refusal(`The "id" is ${id.length} characters long; a source id may have at most ${IMPORT_FIELD_LIMITS.sourceId}. Use a shorter id (a hash of the long one, for example).`);
  }
  return id;
}

function readOptionalString(value: JsonValue | undefined, field: "source" | "scenario", limit: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value === "") {
    const what = field === "source" ? "free text naming the pipeline that wrote the line" : "the key of a scenario in the project's library";
    throw new Refusal(`The "${field}" must be a non-empty string (${what}), not ${value === "" ? "an empty string" : kindOf(value)}.`);
  }
  if (value.length > limit) throw new Refusal(`The "${field}" is ${value.length} characters long; it may have at most ${limit}.`);
  return value;
}

/** The validator's first errors, with line and column in the text, as one reason. */
function invalidTextReason(errors: readonly Diagnostic[]): string {
  const quoted = errors.slice(0, ERRORS_QUOTED).map((error) => {
    const words = error.message.replace(/^Line \d+, column \d+: /, "");
    return `line ${error.line}, column ${error.column} of the text (code point ${error.offset}): ${words}`;
  });
  const more = errors.length > ERRORS_QUOTED ? ` (and ${errors.length - ERRORS_QUOTED} more)` : "";
  return `The text is not valid tagged text: ${quoted.join("; ")}${more}. Fix the tags (\`studio validate\` lists every error), then import the line again.`;
}

/** Whether `value` is a whole number of code points (an offset). */
function isOffset(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** A `{start, end}` range of a line, checked to lie in a text of `length` code points. */
function readRange(value: { [key: string]: JsonValue }, where: string, length: number): { start: number; end: number } {
  const { start, end } = value;
  if (!isOffset(start) || !isOffset(end)) {
    throw new Refusal(`${where} needs "start" and "end" as whole numbers of code points from the start of the text.`);
  }
  if (start >= end) throw new Refusal(`${where} runs from ${start} to ${end}; it must cover at least one character (start < end).`);
  if (end > length) throw new Refusal(`${where} ends at ${end}, past the end of the text, which is ${length} code points long.`);
  return { start, end };
}

function isRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The code-point range inside each AI span (between `<AI>` and `</AI>`), keyed "start:end",
 * with the span's id in the document.
 */
function aiSpanInsides(doc: Node): Map<string, string> {
  const { spans } = spanStructure(schemaGrammar(doc.type.schema));
  const insides = new Map<string, string>();
  let offset = 0;
  const inline = (node: Node): void => {
    node.forEach((child) => {
      if (child.isText) offset += codePointLength(child.text!);
      else if (child.isLeaf) offset += codePointLength(child.type.spec.leafText?.(child) ?? "");
      else {
        const mode = modeOfNodeType(child.type)!;
        const tags = spans.get(mode)!;
        offset += tags.open.length;
        const start = offset;
        inline(child);
        if (mode === "ai") insides.set(`${start}:${offset}`, child.attrs.id as string);
        offset += tags.close.length;
      }
    });
  };
  const last = doc.childCount - 1;
  doc.forEach((paragraph, _pos, index) => {
    inline(paragraph);
    if (index < last) offset += (paragraph.attrs.lineBreak as string).length;
  });
  return insides;
}

/** The `marks` of a line, checked against the text (SPEC §6), each given the id `bb-1`, `bb-2`, … in line order. */
function readMarks(marks: JsonValue | undefined, doc: Node, spans: readonly ModeSpan[], length: number, options: ParseOptions): PlannedMark[] {
  if (marks === undefined || marks === null) return [];
  if (!Array.isArray(marks)) throw new Refusal(`The "marks" must be an array of {"start", "end", "category", "commentary"} objects, not ${kindOf(marks)}.`);
  if (marks.length > DOCUMENT_LIMITS.markEntries) {
    throw new Refusal(`The line has ${marks.length} marks; an example may hold at most ${DOCUMENT_LIMITS.markEntries}. Split it into several examples.`);
  }
  if (marks.length === 0) return [];
  const g = schemaGrammar(doc.type.schema);
  const insides = aiSpanInsides(doc);
  return marks.map((mark, index): PlannedMark => {
    const where = `marks[${index}]`;
    if (!isRecord(mark)) throw new Refusal(`${where} must be an object {"start", "end", "category", "commentary"}, not ${kindOf(mark)}.`);
    const { start, end } = readRange(mark, where, length);
    const category = mark.category;
    if (typeof category !== "string" || !(BAD_BEHAVIOUR_CATEGORIES as readonly string[]).includes(category)) {
      throw new Refusal(`${where} has the category ${JSON.stringify(category ?? null)}, which is not one of ${BAD_BEHAVIOUR_CATEGORIES.join(", ")}.`);
    }
    const span = spans.find((s) => s.start <= start && end <= s.end);
    if (!span || modeSpec(g, span.mode).kind === "ai") {
      throw new Refusal(
        `${where} (${start}–${end}) does not lie in human or quoted text: it covers ${span ? "AI text" : "a tag or text of several modes"}. ` +
          `A mark covers only what a human says or does (in human text or inside a quote); link the AI commentary with "commentary" instead.`,
      );
    }
    const commentary = readCommentary(mark.commentary, where, insides);
    if (commentary === null && options.stage === "accepted") {
      throw new Refusal(
        `${where} (${start}–${end}, ${category}) has no commentary, and the line is imported as accepted: accepted data never carries uncommented bad behaviour. ` +
          `Link it to the AI span that comments on it ("commentary": {"start", "end"} of the span's inside), or import the line as draft or review.`,
      );
    }
    return { where, id: `bb-${index + 1}`, start, end, category: category as BadBehaviourCategory, commentary };
  });
}

/** The id of the AI span a mark's `commentary` range names, or null for an uncommented mark. */
function readCommentary(value: JsonValue | undefined, where: string, insides: ReadonlyMap<string, string>): string | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value) || !isOffset(value.start) || !isOffset(value.end)) {
    throw new Refusal(`${where} has a "commentary" that is not null or {"start", "end"} (whole numbers of code points): the inside of the AI span that comments on it.`);
  }
  const id = insides.get(`${value.start}:${value.end}`);
  if (id !== undefined) return id;
  const listed = [...insides.keys()].slice(0, INSIDES_LISTED).map((key) => key.replace(":", "–"));
  const offer =
    listed.length === 0
      ? "The text has no AI span; add the AI commentary to the text first."
      : `The text's AI spans have the insides ${listed.join(", ")}${insides.size > INSIDES_LISTED ? ", …" : ""}.`;
  throw new Refusal(
    `${where} has the commentary ${value.start}–${value.end}, which is not exactly the inside of an AI span (from just after an <AI> to just before its </AI>). ${offer}`,
  );
}

/**
 * The document with the planned marks on the text (and hard breaks) they cover: each text node
 * is cut where a mark starts or ends, and each piece carries the marks that cover it.
 */
function withMarks(doc: Node, planned: readonly PlannedMark[]): Node {
  const schema = doc.type.schema;
  const markType = schema.marks[BAD_BEHAVIOUR_MARK]!;
  const marks = planned.map((mark) => ({ ...mark, pm: markType.create({ id: mark.id, category: mark.category, commentary: mark.commentary }) }));
  const { spans } = spanStructure(schemaGrammar(schema));
  const covering = (start: number, end: number, existing: readonly Mark[]): readonly Mark[] => {
    let set = existing;
    for (const mark of marks) if (mark.start <= start && end <= mark.end) set = mark.pm.addToSet(set);
    return set;
  };
  let offset = 0;
  const inline = (parent: Node): Fragment => {
    const children: Node[] = [];
    parent.forEach((child) => {
      if (child.isText) {
        const text = child.text!;
        const start = offset;
        const end = start + codePointLength(text);
        const cuts = new Set([start, end]);
        for (const mark of marks) {
          if (mark.start > start && mark.start < end) cuts.add(mark.start);
          if (mark.end > start && mark.end < end) cuts.add(mark.end);
        }
        const points = [...cuts].sort((a, b) => a - b);
        for (let k = 0; k + 1 < points.length; k++) {
          const from = codePointToUtf16(text, points[k]! - start);
          const to = codePointToUtf16(text, points[k + 1]! - start);
          children.push(schema.text(text.slice(from, to), covering(points[k]!, points[k + 1]!, child.marks)));
        }
        offset = end;
      } else if (child.isLeaf) {
        const end = offset + codePointLength(child.type.spec.leafText?.(child) ?? "");
        children.push(child.mark(covering(offset, end, child.marks)));
        offset = end;
      } else {
        const tags = spans.get(modeOfNodeType(child.type)!)!;
        offset += tags.open.length;
        const content = inline(child);
        offset += tags.close.length;
        children.push(child.copy(content));
      }
    });
    // Fragment.from joins neighbouring text nodes with the same marks: the canonical shape.
    return Fragment.from(children);
  };
  const paragraphs: Node[] = [];
  const last = doc.childCount - 1;
  doc.forEach((paragraph, _pos, index) => {
    paragraphs.push(paragraph.copy(inline(paragraph)));
    if (index < last) offset += (paragraph.attrs.lineBreak as string).length;
  });
  return doc.copy(Fragment.from(paragraphs));
}

/**
 * Refuses marks that the document cannot hold exactly as given: read back with core's
 * `badBehaviourMarks` (what exports write), each mark must come back as one range with the
 * same ends. A line break of human text ends a paragraph and carries no mark, so a mark that
 * starts or ends on one, or runs over an empty line, would come back changed.
 */
function checkMarksReadBack(doc: Node, planned: readonly PlannedMark[]): void {
  const found = new Map<string, { start: number; end: number }[]>();
  for (const range of badBehaviourMarks(doc)) {
    const list = found.get(range.id) ?? [];
    list.push(range);
    found.set(range.id, list);
  }
  for (const mark of planned) {
    const ranges = found.get(mark.id) ?? [];
    if (ranges.length === 1 && ranges[0]!.start === mark.start && ranges[0]!.end === mark.end) continue;
    throw new Refusal(
      `${mark.where} (${mark.start}–${mark.end}) cannot be stored exactly: in human text a line break ends a paragraph and carries no mark, ` +
        `so a mark may not start or end on a line break (nor in the middle of "\\r\\n") or run over an empty line. ` +
        `Move its ends onto the text, or give each line its own mark.`,
    );
  }
}

/** The line's `grader`, checked: a name, an optional score, and suggested flags that each lie on one side of every tag. */
function readGrader(grader: JsonValue | undefined, spans: readonly ModeSpan[], length: number): GraderData | null {
  if (grader === undefined || grader === null) return null;
  if (!isRecord(grader)) throw new Refusal(`The "grader" must be an object {"name", "score", "flags"}, not ${kindOf(grader)}.`);
  const { name, score, flags } = grader;
  if (typeof name !== "string" || name.trim() === "") {
    throw new Refusal(`The "grader" needs a "name" (the grader's, for example a model's name) as a non-empty string.`);
  }
  if (name.length > IMPORT_FIELD_LIMITS.graderName) {
    throw new Refusal(`The grader's "name" is ${name.length} characters long; it may have at most ${IMPORT_FIELD_LIMITS.graderName}.`);
  }
  if (score !== undefined && score !== null && (typeof score !== "number" || !Number.isFinite(score))) {
    throw new Refusal(`The grader's "score" must be a number or null, not ${kindOf(score)}.`);
  }
  if (flags !== undefined && flags !== null && !Array.isArray(flags)) {
    throw new Refusal(`The grader's "flags" must be an array of {"start", "end", "category", "severity", "comment"} objects, not ${kindOf(flags)}.`);
  }
  const list = flags ?? [];
  if (list.length > IMPORT_FIELD_LIMITS.graderFlags) {
    throw new Refusal(`The grader suggests ${list.length} flags; at most ${IMPORT_FIELD_LIMITS.graderFlags} are kept per example. Keep the most important ones.`);
  }
  return {
    name,
    score: typeof score === "number" ? score : null,
    flags: list.map((flag, index) => readGraderFlag(flag, `grader.flags[${index}]`, spans, length)),
  };
}

function readGraderFlag(flag: JsonValue, where: string, spans: readonly ModeSpan[], length: number): GraderFlag {
  if (!isRecord(flag)) throw new Refusal(`${where} must be an object {"start", "end", "category", "severity", "comment"}, not ${kindOf(flag)}.`);
  const { start, end } = readRange(flag, where, length);
  if (!spans.some((span) => span.start <= start && end <= span.end)) {
    throw new Refusal(`${where} (${start}–${end}) crosses a tag or covers only tags; a flag lies on one side of every tag, as a reviewer's does. Split it into one flag per part.`);
  }
  const { category, severity, comment } = flag;
  if (typeof category !== "string" || !(FLAG_CATEGORIES as readonly string[]).includes(category)) {
    throw new Refusal(`${where} has the category ${JSON.stringify(category ?? null)}, which is not one of ${FLAG_CATEGORIES.join(", ")}.`);
  }
  if (typeof severity !== "string" || !(FLAG_SEVERITIES as readonly string[]).includes(severity)) {
    throw new Refusal(`${where} has the severity ${JSON.stringify(severity ?? null)}, which is not one of ${FLAG_SEVERITIES.join(", ")}.`);
  }
  if (comment !== undefined && comment !== null && typeof comment !== "string") {
    throw new Refusal(`${where} has a "comment" that is not a string.`);
  }
  if (typeof comment === "string" && comment.length > IMPORT_FIELD_LIMITS.flagComment) {
    throw new Refusal(`${where} has a comment of ${comment.length} characters; at most ${IMPORT_FIELD_LIMITS.flagComment} are kept.`);
  }
  return { start, end, category: category as FlagCategory, severity: severity as FlagSeverity, comment: comment ?? "" };
}
