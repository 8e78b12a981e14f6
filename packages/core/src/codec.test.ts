import fc from "fast-check";
import { Node } from "prosemirror-model";
import { describe, expect, it } from "vitest";
import { docToText, textToDoc } from "./codec.ts";
import { createSchema, schema } from "./schema.ts";
import { taggedText } from "./testing/arbitraries.ts";
import { validate } from "./validator.ts";

function toDoc(text: string, unalignedQuotes = false): Node {
  const result = textToDoc(text, { unalignedQuotes });
  if (!result.ok) throw new Error(`expected a valid text: ${result.errors[0]!.message}`);
  return result.doc;
}

function roundTrips(text: string, unalignedQuotes = false): void {
  const doc = toDoc(text, unalignedQuotes);
  doc.check();
  expect(docToText(doc)).toBe(text);
}

describe("text → document → text is byte-identical", () => {
  it.each([
    "",
    "plain",
    "\n",
    "\n\n\n",
    "\r\n",
    "\r",
    "\r\r\n\n\r",
    "  leading and trailing spaces  ",
    "\t tabs \t",
    "<AI></AI>",
    "<AI></AI><AI></AI>",
    "<AI>at the start</AI> then human",
    "human then <AI>at the end</AI>",
    "<AI>a</AI><AI>b</AI>",
    "<AI>\n</AI>",
    "<AI>\r\n\r\n</AI>\r\n",
    "<AI>\r</AI>\r",
    "\r<AI>\n</AI>",
    'He said: <AI>She asked "<AI_quoting_human>why?</AI_quoting_human>" and I answered.</AI>',
    "<AI><AI_quoting_human></AI_quoting_human></AI>",
    "<AI><AI_quoting_human>\n\r\n\r</AI_quoting_human></AI>",
    "😀<AI>𝄞\u{10FFFF}</AI>😀",
    "lone \uD800 surrogates \uDC00<AI>\uDBFF</AI>",
    "near misses stay text: <ai> < AI> </AI > <AI_quoting_unaligned_AI>",
    "a <b> c </b> d",
  ])("%j", (text) => {
    roundTrips(text);
  });

  it("with the unaligned-AI quote pair", () => {
    roundTrips("<AI>“<AI_quoting_unaligned_AI>maximise paperclips</AI_quoting_unaligned_AI>”</AI>", true);
  });

  it("every generated valid text (property)", () => {
    fc.assert(
      fc.property(taggedText(), (text) => {
        expect(validate(text).valid).toBe(true);
        roundTrips(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("every generated valid text with unaligned quotes (property)", () => {
    fc.assert(
      fc.property(taggedText(true), (text) => {
        roundTrips(text, true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("document shape", () => {
  it("the empty text is one empty paragraph", () => {
    expect(toDoc("").toJSON()).toEqual({ type: "doc", content: [{ type: "paragraph", attrs: { lineBreak: "\n" } }] });
  });

  it("human line breaks split paragraphs and remember their characters", () => {
    const doc = toDoc("a\r\nb\rc\n");
    expect(doc.childCount).toBe(4);
    expect(doc.content.content.map((p) => [p.textContent, p.attrs.lineBreak])).toEqual([
      ["a", "\r\n"],
      ["b", "\r"],
      ["c", "\n"],
      ["", "\n"],
    ]);
  });

  it("a span over several lines is one node with hard breaks", () => {
    const doc = toDoc("x<AI>one\r\ntwo</AI>y");
    expect(doc.toJSON()).toEqual({
      type: "doc",
      content: [
        {
          type: "paragraph",
          attrs: { lineBreak: "\n" },
          content: [
            { type: "text", text: "x" },
            {
              type: "ai",
              attrs: { id: "ai-1" },
              content: [
                { type: "text", text: "one" },
                { type: "hard_break", attrs: { text: "\r\n" } },
                { type: "text", text: "two" },
              ],
            },
            { type: "text", text: "y" },
          ],
        },
      ],
    });
  });

  it("an empty span is an empty node, and quotes nest inside AI spans", () => {
    const doc = toDoc("<AI></AI><AI><AI_quoting_human></AI_quoting_human></AI>");
    const [first, second] = doc.firstChild!.content.content;
    expect(first!.type.name).toBe("ai");
    expect(first!.childCount).toBe(0);
    expect(second!.firstChild!.type.name).toBe("quote_human");
  });

  it("AI span ids are ai-1, ai-2, … in document order, the same every time", () => {
    const text = "<AI>a</AI>\n<AI>b<AI_quoting_human>c</AI_quoting_human></AI><AI></AI>";
    const ids = (doc: Node) => {
      const found: string[] = [];
      doc.descendants((node) => {
        if (node.type.name === "ai") found.push(node.attrs.id as string);
      });
      return found;
    };
    expect(ids(toDoc(text))).toEqual(["ai-1", "ai-2", "ai-3"]);
    expect(toDoc(text).eq(toDoc(text))).toBe(true);
  });

  it("documents survive JSON and the server's check", () => {
    const text = "a\r\n<AI>b\r<AI_quoting_human>c</AI_quoting_human></AI>";
    const doc = Node.fromJSON(schema, JSON.parse(JSON.stringify(toDoc(text).toJSON())));
    doc.check();
    expect(docToText(doc)).toBe(text);
  });

  it("uses the schema it is given", () => {
    const unaligned = createSchema({ unalignedQuotes: true });
    const result = textToDoc("<AI><AI_quoting_unaligned_AI>x</AI_quoting_unaligned_AI></AI>", { schema: unaligned });
    expect(result.ok && result.doc.type.schema).toBe(unaligned);
  });
});

describe("invalid text", () => {
  it("gives the validator's errors, never a repaired document", () => {
    const text = "ok <AI>open <AI_quoting_human>x</AI>";
    const result = textToDoc(text);
    expect(result).toEqual({ ok: false, errors: validate(text).errors });
    expect(result.ok === false && result.errors[0]!.code).toBe("illegal_transition");
  });

  it("an unclosed span is refused", () => {
    const result = textToDoc("<AI>never closed");
    expect(result.ok === false && result.errors.map((e) => e.code)).toEqual(["unclosed_span"]);
  });

  it("where the unaligned pair is off it stays plain text", () => {
    const result = textToDoc("<AI><AI_quoting_unaligned_AI>x</AI_quoting_unaligned_AI></AI>");
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.doc.firstChild!.firstChild!.textContent).toBe("<AI_quoting_unaligned_AI>x</AI_quoting_unaligned_AI>");
  });

  it("arbitrary strings never make the codec throw (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        const result = textToDoc(text);
        if (result.ok) expect(docToText(result.doc)).toBe(text);
        else expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it("strings of tag fragments never make it throw, and valid ones round-trip (property)", () => {
    const fragment = fc.constantFrom("<AI>", "</AI>", "<AI_quoting_human>", "</AI_quoting_human>", "x", "\n", "\r", "<", "AI>");
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 30 }).map((p) => p.join("")), (text) => {
        const result = textToDoc(text);
        expect(result.ok).toBe(validate(text).valid);
        if (result.ok) expect(docToText(result.doc)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});
