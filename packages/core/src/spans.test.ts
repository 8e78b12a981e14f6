import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { textToDoc } from "./codec.ts";
import { schema } from "./schema.ts";
import { badBehaviourMarks, docModeSpans, InvalidTextError, modeSpans } from "./spans.ts";
import { taggedText } from "./testing/arbitraries.ts";

const TAGS = /<\/?AI(_quoting_human|_quoting_unaligned_AI)?>/g;

describe("modeSpans", () => {
  it("the documented example", () => {
    expect(modeSpans('Hi <AI>Yes "<AI_quoting_human>no</AI_quoting_human>"</AI>')).toEqual([
      { mode: "human", start: 0, end: 3 },
      { mode: "ai", start: 7, end: 12 },
      { mode: "ai_quoting_human", start: 30, end: 32 },
      { mode: "ai", start: 51, end: 52 },
    ]);
  });

  it("counts code points, as Python indexes text", () => {
    expect(modeSpans("😀😀<AI>é😀</AI>\r\n")).toEqual([
      { mode: "human", start: 0, end: 2 },
      { mode: "ai", start: 6, end: 8 },
      { mode: "human", start: 13, end: 15 },
    ]);
  });

  it("leaves out empty runs and the empty text", () => {
    expect(modeSpans("")).toEqual([]);
    expect(modeSpans("<AI></AI>")).toEqual([]);
  });

  it("knows the unaligned pair only when it is on", () => {
    const text = "<AI><AI_quoting_unaligned_AI>x</AI_quoting_unaligned_AI></AI>";
    expect(modeSpans(text, { unalignedQuotes: true })).toEqual([{ mode: "ai_quoting_unaligned_ai", start: 29, end: 30 }]);
    expect(modeSpans(text)).toEqual([{ mode: "ai", start: 4, end: 56 }]);
  });

  it("refuses an invalid text with the validator's errors", () => {
    expect(() => modeSpans("<AI>")).toThrow(InvalidTextError);
    try {
      modeSpans("x</AI>");
    } catch (error) {
      expect((error as InvalidTextError).errors[0]).toMatchObject({ code: "illegal_transition", offset: 1 });
    }
  });

  it("spans and tags tile the text exactly; the document gives the same spans (property)", () => {
    fc.assert(
      fc.property(taggedText(), (text) => {
        const spans = modeSpans(text);
        const points = Array.from(text);
        let at = 0;
        let gaps = "";
        for (const span of spans) {
          gaps += points.slice(at, span.start).join("");
          expect(points.slice(span.start, span.end).join("")).not.toMatch(TAGS);
          at = span.end;
        }
        gaps += points.slice(at).join("");
        expect(gaps.replace(TAGS, "")).toBe("");
        const result = textToDoc(text);
        expect(result.ok && docModeSpans(result.doc)).toEqual(spans);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("badBehaviourMarks", () => {
  const mark = (id: string, commentary: string | null = null, category = "deceit") => ({ type: "bad_behaviour", attrs: { id, category, commentary } });

  it("gives code-point ranges in the tagged text", () => {
    const doc = schema.nodeFromJSON({
      type: "doc",
      content: [
        {
          type: "paragraph",
          content: [
            { type: "text", text: "😀 I " },
            { type: "text", text: "lied", marks: [mark("m1", "ai-1")] },
            { type: "text", text: " " },
            { type: "ai", attrs: { id: "ai-1" }, content: [{ type: "text", text: "That was a lie." }] },
          ],
        },
      ],
    });
    expect(badBehaviourMarks(doc)).toEqual([{ id: "m1", category: "deceit", commentary: "ai-1", start: 4, end: 8 }]);
  });

  it("finds marks inside quotes, behind the tags", () => {
    const doc = schema.nodeFromJSON({
      type: "doc",
      content: [
        {
          type: "paragraph",
          content: [
            {
              type: "ai",
              attrs: { id: "ai-1" },
              content: [
                { type: "text", text: '"' },
                { type: "quote_human", content: [{ type: "text", text: "obey me", marks: [mark("q", null, "power_seeking")] }] },
                { type: "text", text: '"' },
              ],
            },
          ],
        },
      ],
    });
    expect(badBehaviourMarks(doc)).toEqual([{ id: "q", category: "power_seeking", commentary: null, start: 23, end: 30 }]);
  });

  it("a mark continuing over a paragraph break is one range; one interrupted by AI text is two", () => {
    const doc = schema.nodeFromJSON({
      type: "doc",
      content: [
        { type: "paragraph", attrs: { lineBreak: "\r\n" }, content: [{ type: "text", text: "ab", marks: [mark("m")] }] },
        {
          type: "paragraph",
          content: [
            { type: "text", text: "cd", marks: [mark("m")] },
            { type: "ai", attrs: { id: "ai-1" }, content: [{ type: "text", text: "x" }] },
            { type: "text", text: "ef", marks: [mark("m")] },
          ],
        },
      ],
    });
    // Text: "ab\r\ncd<AI>x</AI>ef"
    expect(badBehaviourMarks(doc).map((r) => [r.start, r.end])).toEqual([
      [0, 6],
      [16, 18],
    ]);
  });

  it("overlapping marks are separate ranges, ordered by start", () => {
    const doc = schema.nodeFromJSON({
      type: "doc",
      content: [
        {
          type: "paragraph",
          content: [
            { type: "text", text: "ab", marks: [mark("x")] },
            { type: "text", text: "cd", marks: [mark("x"), mark("y", null, "sycophancy")] },
            { type: "text", text: "ef", marks: [mark("y", null, "sycophancy")] },
          ],
        },
      ],
    });
    expect(badBehaviourMarks(doc).map((r) => [r.id, r.start, r.end])).toEqual([
      ["x", 0, 4],
      ["y", 2, 6],
    ]);
  });
});
