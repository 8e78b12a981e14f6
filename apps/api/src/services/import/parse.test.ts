/**
 * The import line format (SPEC §6), one line at a time: what a good line becomes, the marks of
 * a line read back from the stored document exactly as given (code points, astral characters
 * included), and a reason for every way a line is refused.
 */
import { badBehaviourMarks, createSchema, documentFromJSON, DOCUMENT_LIMITS } from "@prealign/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { taggedText } from "../../../../../packages/core/src/testing/arbitraries.ts";
import { digestOf } from "../documents.ts";
import { parseImportLine, type ParseOptions, type PreparedExample } from "./parse.ts";

const DRAFT: ParseOptions = { stage: "draft" };

function prepared(record: unknown, options: ParseOptions = DRAFT): PreparedExample {
  const parsed = parseImportLine(typeof record === "string" ? record : JSON.stringify(record), 7, options);
  if (!parsed.ok) throw new Error(`rejected: ${parsed.rejection.reason}`);
  return parsed.example;
}

function reasonFor(record: unknown, options: ParseOptions = DRAFT): string {
  const parsed = parseImportLine(typeof record === "string" ? record : JSON.stringify(record), 7, options);
  if (parsed.ok) throw new Error("the line was imported");
  expect(parsed.rejection.line).toBe(7);
  return parsed.rejection.reason;
}

/** The inside (code points between `<AI>` and `</AI>`) of each AI span, by the id the codec gives it (`ai-1`, … in order of the open tags). */
function aiInsides(text: string): Map<string, { start: number; end: number }> {
  const points = Array.from(text);
  const joined = (from: number, length: number) => points.slice(from, from + length).join("");
  const insides = new Map<string, { start: number; end: number }>();
  const open: { id: string; start: number }[] = [];
  let count = 0;
  for (let i = 0; i < points.length; i++) {
    if (joined(i, 4) === "<AI>") {
      open.push({ id: `ai-${++count}`, start: i + 4 });
      i += 3;
    } else if (joined(i, 5) === "</AI>") {
      const span = open.pop()!;
      insides.set(span.id, { start: span.start, end: i });
      i += 4;
    }
  }
  return insides;
}

/** The marks of a stored document as an import line gives them: commentary as the AI span's inside. */
function marksOf(example: PreparedExample, options: ParseOptions = DRAFT) {
  const doc = documentFromJSON(JSON.parse(example.doc), createSchema(options));
  const insides = aiInsides(example.text);
  return badBehaviourMarks(doc).map(({ start, end, category, commentary }) => ({
    start,
    end,
    category,
    commentary: commentary === null ? null : insides.get(commentary)!,
  }));
}

describe("a good line", () => {
  it("keeps the text, source, source id, scenario and every other field as metadata", () => {
    const text = "Hello <AI>Hi there.</AI>";
    const example = prepared({ text, id: "src-1", source: "pipeline-7/model-x", scenario: "greeting", lang: "en", nested: { batch: [1, 2] } });
    expect(example).toMatchObject({
      line: 7,
      text,
      excerpt: text,
      source: "pipeline-7/model-x",
      sourceId: "src-1",
      scenario: "greeting",
      grader: null,
      metadata: { lang: "en", nested: { batch: [1, 2] } },
    });
    expect(example.digest).toBe(digestOf(example.doc));
    expect(documentFromJSON(JSON.parse(example.doc)).toJSON()).toEqual(JSON.parse(example.doc));
  });

  it("takes a whole-number id as its decimal text, and has no metadata without other fields", () => {
    expect(prepared({ text: "x", id: 42 })).toMatchObject({ sourceId: "42", metadata: null, source: null, scenario: null });
  });

  it("ignores a byte-order-free line's surrounding whitespace and a CRLF's carriage return", () => {
    expect(prepared(`  {"text": "x"}\r`).text).toBe("x");
  });

  it("keeps a grader's score and flags, with an empty comment where none was given", () => {
    const text = "Give me the keys. <AI>I can't help with that.</AI>";
    const example = prepared({
      text,
      grader: { name: "judge-2", score: 0.25, flags: [{ start: 22, end: 27, category: "ai_unhelpful", severity: "minor" }, { start: 0, end: 4, category: "other", severity: "major", comment: "terse" }] },
    });
    expect(example.grader).toEqual({
      name: "judge-2",
      score: 0.25,
      flags: [
        { start: 22, end: 27, category: "ai_unhelpful", severity: "minor", comment: "" },
        { start: 0, end: 4, category: "other", severity: "major", comment: "terse" },
      ],
    });
  });

  it("takes a grader without score or flags", () => {
    expect(prepared({ text: "x", grader: { name: "g" } }).grader).toEqual({ name: "g", score: null, flags: [] });
  });
});

describe("marks read back from the stored document exactly as given", () => {
  const quoted = 'He said: "<AI>He claims "<AI_quoting_human>I never lie, ever</AI_quoting_human>", which is false.</AI>';
  it.each([
    {
      why: "one commented mark in human text",
      text: "I lied to my boss. <AI>Lying to the boss hurts trust.</AI>",
      marks: [{ start: 0, end: 17, category: "deceit", commentary: { start: 23, end: 53 } }],
    },
    {
      why: "astral characters before and inside the marks (offsets in code points)",
      text: "😀😀 I will 💥 hurt them. <AI>😀 Threats of violence are wrong.</AI>",
      marks: [{ start: 3, end: 23, category: "violence", commentary: { start: 27, end: 59 } }, { start: 10, end: 11, category: "other", commentary: null }],
    },
    {
      why: "a mark inside a quote of a human",
      text: quoted,
      marks: [{ start: 43, end: 60, category: "deceit", commentary: { start: 14, end: 97 } }],
    },
    {
      why: "a mark over a line break inside a quote (a hard break)",
      text: '<AI>"<AI_quoting_human>line one\r\nline two</AI_quoting_human>"</AI>',
      marks: [{ start: 27, end: 40, category: "manipulation", commentary: { start: 4, end: 61 } }],
    },
    {
      why: "a mark over the break between two lines of human text",
      text: "First bad line\nsecond bad line <AI>Both lines are bad.</AI>",
      marks: [{ start: 6, end: 25, category: "selfishness", commentary: { start: 35, end: 54 } }],
    },
    {
      why: "overlapping and touching marks, uncommented ones included",
      text: "Flattery and lies all day. <AI>x</AI> <AI>y</AI>",
      marks: [
        { start: 0, end: 8, category: "sycophancy", commentary: { start: 31, end: 32 } },
        { start: 0, end: 17, category: "deceit", commentary: { start: 42, end: 43 } },
        { start: 8, end: 12, category: "other", commentary: null },
      ],
    },
  ])("$why", ({ text, marks }) => {
    const example = prepared({ text, marks });
    expect(example.text).toBe(text);
    const byStart = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start - b.start || a.end - b.end;
    expect(marksOf(example).sort(byStart)).toEqual([...marks].sort(byStart));
  });

  it("reads back every mark it accepts, and refuses the others with a reason (property)", () => {
    const storable = taggedText().filter((text) => !/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text));
    const line = storable.chain((text) => {
      const length = Array.from(text).length;
      const insides = [...aiInsides(text).values()];
      const mark = fc.record({
        start: fc.nat(length),
        end: fc.nat(length),
        category: fc.constantFrom("deceit", "other"),
        commentary: insides.length === 0 ? fc.constant(null) : fc.option(fc.constantFrom(...insides)),
      });
      return fc.record({ text: fc.constant(text), marks: fc.array(mark, { maxLength: 4 }) });
    });
    let accepted = 0;
    fc.assert(
      fc.property(line, (record) => {
        const parsed = parseImportLine(JSON.stringify(record), 1, DRAFT);
        if (!parsed.ok) {
          expect(parsed.rejection.reason).toMatch(/^marks\[\d+\]/);
          return;
        }
        accepted += 1;
        const byStart = (a: { start: number; end: number; category: string }, b: { start: number; end: number; category: string }) =>
          a.start - b.start || a.end - b.end || a.category.localeCompare(b.category);
        expect(marksOf(parsed.example).sort(byStart)).toEqual([...record.marks].sort(byStart));
      }),
      { numRuns: 500 },
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it("puts marks inside a quote of an unaligned AI where the project enables it", () => {
    const options: ParseOptions = { stage: "accepted", unalignedQuotes: true };
    const text = '<AI>It said "<AI_quoting_unaligned_AI>more paperclips</AI_quoting_unaligned_AI>".</AI>';
    const marks = [{ start: 38, end: 53, category: "power_seeking", commentary: { start: 4, end: 81 } }];
    expect(marksOf(prepared({ text, marks }, options), options)).toEqual(marks);
  });
});

describe("a rejected line says what is wrong", () => {
  const aiText = "Bad words. <AI>Commentary.</AI>";
  const commented = { start: 0, end: 9, category: "other", commentary: { start: 15, end: 26 } };
  it.each([
    { why: "not JSON", line: "{text: nope}", reason: "The line is not valid JSON (" },
    { why: "JSON but not an object", line: '["text"]', reason: "The line is JSON but not an object." },
    { why: "no text", line: { id: "a" }, reason: 'The line has no "text" string.' },
    { why: "a text that is not a string", line: { text: 12 }, reason: 'its "text" is a number' },
    {
      why: "an invalid text, with line and column",
      line: { text: "fine\nthen </AI> closes nothing" },
      reason: "The text is not valid tagged text: line 2, column 6 of the text (code point 10): `</AI>` closes an AI span",
    },
    { why: "an unclosed span", line: { text: "<AI>open" }, reason: "line 1, column 9 of the text (code point 8)" },
    { why: "a text over the document limit", line: { text: "x".repeat(DOCUMENT_LIMITS.characters + 1) }, reason: "more than the 100,000 one example may hold" },
    { why: "a text with more parts than a document may hold", line: { text: "<AI>x</AI>".repeat(5000) }, reason: "The example is too large: The document has more than 8,000 parts" },
    { why: "a NUL character", line: '{"text": "a\\u0000b"}', reason: "The field text holds a NUL character (U+0000) at position 1" },
    { why: "a lone surrogate in metadata", line: '{"text": "a", "meta": {"note": "\\ud800"}}', reason: "The field meta.note holds a lone surrogate" },
    { why: "metadata nested too deep", line: { text: "a", deep: JSON.parse("[".repeat(70) + "]".repeat(70)) }, reason: "The field deep is nested more than 64 levels deep" },
    { why: "an id that is not a string or number", line: { text: "a", id: true }, reason: 'The "id" must be a string or a whole number' },
    { why: "an empty id", line: { text: "a", id: "" }, reason: 'The "id" is empty' },
    { why: "a long id", line: { text: "a", id: "x".repeat(201) }, reason: "a source id may have at most 200" },
    { why: "a source that is not a string", line: { text: "a", source: 3 }, reason: 'The "source" must be a non-empty string' },
    { why: "an empty scenario key", line: { text: "a", scenario: "" }, reason: 'The "scenario" must be a non-empty string' },
    { why: "marks that are not an array", line: { text: "a", marks: {} }, reason: 'The "marks" must be an array' },
    { why: "a mark that is not an object", line: { text: "a", marks: [3] }, reason: "marks[0] must be an object" },
    { why: "a mark without offsets", line: { text: aiText, marks: [{ start: "0", end: 3, category: "other" }] }, reason: 'marks[0] needs "start" and "end" as whole numbers' },
    { why: "an empty mark", line: { text: aiText, marks: [{ start: 3, end: 3, category: "other" }] }, reason: "it must cover at least one character" },
    { why: "a mark past the end", line: { text: aiText, marks: [{ start: 0, end: 40, category: "other" }] }, reason: "past the end of the text, which is 31 code points long" },
    { why: "an unknown category", line: { text: aiText, marks: [{ start: 0, end: 3, category: "rudeness" }] }, reason: 'marks[0] has the category "rudeness", which is not one of deceit' },
    { why: "a mark in AI text", line: { text: aiText, marks: [{ start: 16, end: 20, category: "other" }] }, reason: "marks[0] (16–20) does not lie in human or quoted text: it covers AI text" },
    { why: "a mark across a tag", line: { text: aiText, marks: [{ start: 5, end: 17, category: "other" }] }, reason: "it covers a tag or text of several modes" },
    {
      why: "a commentary that is not exactly an AI span's inside",
      line: { text: aiText, marks: [{ ...commented, commentary: { start: 15, end: 25 } }] },
      reason: "has the commentary 15–25, which is not exactly the inside of an AI span (from just after an <AI> to just before its </AI>). The text's AI spans have the insides 15–26.",
    },
    { why: "a commentary in a text without AI spans", line: { text: "Bad words.", marks: [{ ...commented, commentary: { start: 1, end: 2 } }] }, reason: "The text has no AI span" },
    { why: "a malformed commentary", line: { text: aiText, marks: [{ ...commented, commentary: "ai-1" }] }, reason: 'has a "commentary" that is not null or {"start", "end"}' },
    {
      why: "a mark that ends on a line break of human text",
      line: { text: "Bad line\nnext <AI>c</AI>", marks: [{ start: 0, end: 9, category: "other" }] },
      reason: "marks[0] (0–9) cannot be stored exactly",
    },
    {
      why: "a mark over an empty line of human text",
      line: { text: "Bad\n\nworse <AI>c</AI>", marks: [{ start: 0, end: 8, category: "other" }] },
      reason: "marks[0] (0–8) cannot be stored exactly",
    },
    { why: "too many marks", line: { text: "a", marks: Array.from({ length: 2001 }, () => ({ start: 0, end: 1, category: "other" })) }, reason: "an example may hold at most 2000" },
    { why: "a grader that is not an object", line: { text: "a", grader: "judge" }, reason: 'The "grader" must be an object' },
    { why: "a grader without a name", line: { text: "a", grader: { score: 1 } }, reason: 'The "grader" needs a "name"' },
    { why: "a score that is not a number", line: { text: "a", grader: { name: "g", score: "high" } }, reason: 'The grader\'s "score" must be a number or null, not a string' },
    { why: "flags that are not an array", line: { text: "a", grader: { name: "g", flags: {} } }, reason: 'The grader\'s "flags" must be an array' },
    { why: "a flag past the end", line: { text: "abc", grader: { name: "g", flags: [{ start: 1, end: 9, category: "style", severity: "minor" }] } }, reason: "grader.flags[0] ends at 9, past the end of the text" },
    { why: "a flag across a tag", line: { text: aiText, grader: { name: "g", flags: [{ start: 5, end: 17, category: "style", severity: "minor" }] } }, reason: "grader.flags[0] (5–17) crosses a tag" },
    { why: "an unknown flag category", line: { text: "abc", grader: { name: "g", flags: [{ start: 0, end: 1, category: "typo", severity: "minor" }] } }, reason: 'grader.flags[0] has the category "typo", which is not one of uncommented_bad_behaviour' },
    { why: "an unknown severity", line: { text: "abc", grader: { name: "g", flags: [{ start: 0, end: 1, category: "style", severity: "critical" }] } }, reason: 'grader.flags[0] has the severity "critical", which is not one of blocker, major, minor' },
    { why: "a flag comment that is not a string", line: { text: "abc", grader: { name: "g", flags: [{ start: 0, end: 1, category: "style", severity: "minor", comment: 5 }] } }, reason: 'grader.flags[0] has a "comment" that is not a string' },
  ])("$why", ({ line, reason }) => {
    expect(reasonFor(line)).toContain(reason);
  });

  it("refuses an uncommented mark in a line imported as accepted, and takes it as draft or review", () => {
    const line = { text: "Bad words. <AI>Commentary.</AI>", marks: [{ start: 0, end: 9, category: "other", commentary: null }] };
    expect(reasonFor(line, { stage: "accepted" })).toBe(
      'marks[0] (0–9, other) has no commentary, and the line is imported as accepted: accepted data never carries uncommented bad behaviour. Link it to the AI span that comments on it ("commentary": {"start", "end"} of the span\'s inside), or import the line as draft or review.',
    );
    expect(prepared(line, { stage: "draft" }).text).toBe(line.text);
    expect(prepared(line, { stage: "review" }).text).toBe(line.text);
  });

  it("does not know the unaligned quote pair where the project has not enabled it", () => {
    const text = '<AI>"<AI_quoting_unaligned_AI>x</AI_quoting_unaligned_AI>"</AI>';
    expect(reasonFor({ text, marks: [{ start: 30, end: 31, category: "other" }] })).toContain("does not lie in human or quoted text");
  });
});
