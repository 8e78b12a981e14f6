import fc from "fast-check";
import { Fragment, type Node } from "prosemirror-model";
import { Transform } from "prosemirror-transform";
import { describe, expect, it } from "vitest";
import { docToText, textToDoc } from "./codec.ts";
import { canUnwrap, checkDocument, documentFromJSON, legalWraps, modeAt, uncommentedMarks, unwrapSpan, wrapInSpan } from "./editing.ts";
import { createSchema, schema } from "./schema.ts";
import { taggedText } from "./testing/arbitraries.ts";
import { validate } from "./validator.ts";

function toDoc(text: string, s = schema): Node {
  const result = textToDoc(text, { schema: s });
  if (!result.ok) throw new Error(result.errors[0]!.message);
  return result.doc;
}

/** The document position of the `n`-th (0-based) occurrence of `needle`'s first character in the doc's text. */
function posOf(doc: Node, needle: string, n = 0): number {
  let found = -1;
  let seen = 0;
  doc.descendants((node, pos) => {
    if (found >= 0 || !node.isText) return;
    let at = node.text!.indexOf(needle);
    while (at >= 0 && found < 0) {
      if (seen++ === n) found = pos + at;
      at = node.text!.indexOf(needle, at + 1);
    }
  });
  if (found < 0) throw new Error(`no ${needle}`);
  return found;
}

describe("modeAt", () => {
  const doc = toDoc("h <AI>a <AI_quoting_human>q</AI_quoting_human> a</AI> h");
  it.each([
    ["h", 0, "human"],
    ["a", 0, "ai"],
    ["q", 0, "ai_quoting_human"],
    ["a", 1, "ai"],
    ["h", 1, "human"],
  ])("at %j #%i the mode is %s", (needle, n, mode) => {
    expect(modeAt(doc.resolve(posOf(doc, needle, n)))).toBe(mode);
  });

  it("is human between paragraphs and in an empty document", () => {
    expect(modeAt(toDoc("").resolve(1))).toBe("human");
    expect(modeAt(toDoc("a\nb").resolve(3))).toBe("human");
  });
});

describe("legalWraps", () => {
  it("in human text only an AI span may wrap", () => {
    const doc = toDoc("hello world");
    expect(legalWraps(doc, 1, 6)).toEqual(["ai"]);
    expect(legalWraps(doc, 3, 3)).toEqual(["ai"]);
  });

  it("in AI text only quotes may wrap", () => {
    const doc = toDoc("<AI>hello world</AI>");
    expect(legalWraps(doc, posOf(doc, "h"), posOf(doc, "w"))).toEqual(["ai_quoting_human"]);
    const unaligned = toDoc("<AI>hello world</AI>", createSchema({ unalignedQuotes: true }));
    expect(legalWraps(unaligned, 3, 5)).toEqual(["ai_quoting_human", "ai_quoting_unaligned_ai"]);
  });

  it("nothing wraps inside a quote", () => {
    const doc = toDoc("<AI><AI_quoting_human>quoted</AI_quoting_human></AI>");
    expect(legalWraps(doc, posOf(doc, "q"), posOf(doc, "d"))).toEqual([]);
  });

  it("a range crossing a span edge cannot be wrapped", () => {
    const doc = toDoc("human <AI>machine</AI>");
    expect(legalWraps(doc, posOf(doc, "u"), posOf(doc, "c"))).toEqual([]);
  });

  it("a range holding a whole AI span cannot be wrapped in another", () => {
    const doc = toDoc("a <AI>b</AI> c");
    expect(legalWraps(doc, 1, doc.firstChild!.content.size + 1)).toEqual([]);
  });

  it("a range over several lines of human text can be wrapped", () => {
    const doc = toDoc("one\r\ntwo\nthree");
    expect(legalWraps(doc, posOf(doc, "n"), posOf(doc, "h"))).toEqual(["ai"]);
  });
});

describe("wrapInSpan", () => {
  function wrapped(text: string, from: (doc: Node) => number, to: (doc: Node) => number, mode: Parameters<typeof wrapInSpan>[3]): string {
    const doc = toDoc(text);
    const tr = new Transform(doc);
    expect(wrapInSpan(tr, from(doc), to(doc), mode, { id: "new" })).toBe(true);
    tr.doc.check();
    return docToText(tr.doc);
  }

  it("wraps human text mid-sentence", () => {
    expect(wrapped("I said hello there", (d) => posOf(d, "h"), (d) => posOf(d, " ", 2), "ai")).toBe("I said <AI>hello</AI> there");
  });

  it("wraps AI text in a quote", () => {
    expect(wrapped('<AI>He said "no".</AI>', (d) => posOf(d, "n"), (d) => posOf(d, '"', 1), "ai_quoting_human")).toBe(
      '<AI>He said "<AI_quoting_human>no</AI_quoting_human>".</AI>',
    );
  });

  it("joins paragraphs, keeping every line break's characters", () => {
    const text = "first\r\nsecond\rthird\r\nfourth";
    const result = wrapped(text, (d) => posOf(d, "r"), (d) => posOf(d, "h", 1), "ai");
    expect(result).toBe("fi<AI>rst\r\nsecond\rthird\r\nfourt</AI>h");
    const doc = toDoc(result);
    expect(doc.childCount).toBe(1);
  });

  it("keeps the break after the joined paragraphs", () => {
    const result = wrapped("a\r\nb\rc", (d) => posOf(d, "a"), (d) => posOf(d, "b") + 1, "ai");
    expect(result).toBe("<AI>a\r\nb</AI>\rc");
  });

  it("drops bad-behaviour marks that AI text cannot carry", () => {
    const mark = schema.marks.bad_behaviour!.create({ id: "m", category: "deceit" });
    const plain = toDoc("liar");
    const doc = plain.type.create(null, Fragment.from(plain.firstChild!.copy(Fragment.from(schema.text("liar", [mark])))));
    const tr = new Transform(doc);
    expect(wrapInSpan(tr, 1, 5, "ai")).toBe(true);
    tr.doc.check();
    expect(docToText(tr.doc)).toBe("<AI>liar</AI>");
  });

  it("refuses illegal wraps without adding steps", () => {
    const doc = toDoc("human <AI>machine</AI>");
    const tr = new Transform(doc);
    expect(wrapInSpan(tr, 2, 3, "ai_quoting_human")).toBe(false);
    expect(wrapInSpan(tr, posOf(doc, "u"), posOf(doc, "c"), "ai")).toBe(false);
    expect(wrapInSpan(tr, 2, 3, "human")).toBe(false);
    expect(tr.steps).toEqual([]);
  });

  it("gives a new AI span a fresh id", () => {
    const tr = new Transform(toDoc("x"));
    wrapInSpan(tr, 1, 2, "ai");
    expect(tr.doc.firstChild!.firstChild!.attrs.id).toMatch(/^ai-[0-9a-f]{16}$/);
  });

  it("every legal wrap of a random range keeps the document valid and only adds the two tags (property)", () => {
    let wraps = 0;
    fc.assert(
      fc.property(taggedText(), fc.nat(), fc.nat(), (text, a, b) => {
        const doc = toDoc(text);
        const size = doc.content.size;
        const from = a % (size + 1);
        const to = b % (size + 1);
        for (const mode of legalWraps(doc, from, to)) {
          const tr = new Transform(doc);
          expect(wrapInSpan(tr, from, to, mode)).toBe(true);
          wraps++;
          tr.doc.check();
          const after = docToText(tr.doc);
          expect(validate(after).valid).toBe(true);
          expect(after.length).toBe(text.length + (mode === "ai" ? 9 : 37));
          expect(docToText(toDoc(after))).toBe(after);
        }
      }),
      { numRuns: 500 },
    );
    expect(wraps).toBeGreaterThan(100);
  });
});

describe("unwrapSpan", () => {
  it("an AI span over several lines becomes paragraphs again", () => {
    const doc = toDoc("a<AI>b\r\nc\rd</AI>e\r\nf");
    const tr = new Transform(doc);
    expect(unwrapSpan(tr, posOf(doc, "c"))).toBe(true);
    tr.doc.check();
    expect(docToText(tr.doc)).toBe("ab\r\nc\rde\r\nf");
    expect(tr.doc.eq(toDoc("ab\r\nc\rde\r\nf"))).toBe(true);
  });

  it("a quote unwraps into its AI span", () => {
    const doc = toDoc("<AI>x <AI_quoting_human>q</AI_quoting_human> y</AI>");
    const tr = new Transform(doc);
    expect(unwrapSpan(tr, posOf(doc, "q"))).toBe(true);
    tr.doc.check();
    expect(docToText(tr.doc)).toBe("<AI>x q y</AI>");
  });

  it("an AI span holding a quote cannot be unwrapped (the quote would be in human text)", () => {
    const doc = toDoc("<AI>x <AI_quoting_human>q</AI_quoting_human></AI>");
    expect(canUnwrap(doc, posOf(doc, "x"))).toBe(false);
    const tr = new Transform(doc);
    expect(unwrapSpan(tr, posOf(doc, "x"))).toBe(false);
    expect(tr.steps).toEqual([]);
  });

  it("there is nothing to unwrap in human text", () => {
    expect(canUnwrap(toDoc("plain"), 2)).toBe(false);
  });
});

describe("checkDocument", () => {
  it("accepts what the codec builds", () => {
    expect(() => checkDocument(toDoc("a<AI>b<AI_quoting_human>c</AI_quoting_human></AI>"))).not.toThrow();
  });

  it("refuses a mark on a whole AI span", () => {
    const mark = schema.marks.bad_behaviour!.create({ id: "m", category: "deceit" });
    const doc = toDoc("<AI>x</AI>");
    const marked = doc.type.create(null, Fragment.from(doc.firstChild!.copy(Fragment.from(doc.firstChild!.firstChild!.mark([mark])))));
    expect(() => marked.check()).not.toThrow();
    expect(() => checkDocument(marked)).toThrow(/marks belong on its text/);
  });

  it("refuses two AI spans with the same id", () => {
    const json = toDoc("<AI>a</AI><AI>b</AI>").toJSON();
    json.content[0].content[1].attrs.id = "ai-1";
    expect(() => checkDocument(schema.nodeFromJSON(json))).toThrow(/Two AI spans have the id "ai-1"/);
  });

  it("refuses a text holding a tag string, naming it, as the server does", () => {
    const typed = (text: string) => ({ type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text }] }] });
    expect(() => checkDocument(schema.nodeFromJSON(typed("typed <AI>by hand</AI>")))).toThrow(
      /^The text at position 7 contains the tag string <AI>, which would read as a tag/,
    );
    expect(() => checkDocument(schema.nodeFromJSON(typed("only </AI_quoting_human>")))).toThrow(/tag string <\/AI_quoting_human>/);
    const inside = toDoc("<AI>x</AI>").toJSON();
    inside.content[0].content[0].content[0].text = "x <AI_quoting_human>";
    expect(() => checkDocument(schema.nodeFromJSON(inside))).toThrow(/tag string <AI_quoting_human>/);
  });

  it("lets a tag string of a pair the project has not enabled stay plain text", () => {
    const text = "cites <AI_quoting_unaligned_AI>";
    const json = { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text }] }] };
    expect(() => checkDocument(schema.nodeFromJSON(json))).not.toThrow();
    expect(() => checkDocument(createSchema({ unalignedQuotes: true }).nodeFromJSON(json))).toThrow(/tag string <AI_quoting_unaligned_AI>/);
  });

  it("refuses line breaks in any form the codec would not produce (finding 4 of issue 10)", () => {
    const para = (content: unknown[], lineBreak = "\n") => ({ type: "paragraph", attrs: { lineBreak }, content });
    const text = (value: string) => ({ type: "text", text: value });
    const docOf = (...paragraphs: unknown[]) => schema.nodeFromJSON({ type: "doc", content: paragraphs });
    expect(() => checkDocument(docOf(para([text("one\ntwo")])))).toThrow(/raw line break/);
    expect(() => checkDocument(docOf(para([{ type: "ai", attrs: { id: "a" }, content: [text("x\r\ny")] }])))).toThrow(/raw line break/);
    expect(() => checkDocument(docOf(para([text("one"), { type: "hard_break" }, text("two")])))).toThrow(/hard break at position 4 is in human text/);
    expect(() => checkDocument(docOf(para([text("one")], "\r\n"), para([text("two")], "\r\n")))).toThrow(/last paragraph carries the line break "\\r\\n"/);
    // The same texts in the codec's own form pass.
    for (const valid of ["one\ntwo", "<AI>x\r\ny</AI>", "one\r\ntwo"]) expect(() => checkDocument(toDoc(valid))).not.toThrow();
  });

  it("refuses one mark id with two categories or two commentary links", () => {
    const mark = (category: string, commentary: string | null) => ({ type: "bad_behaviour", attrs: { id: "m1", category, commentary } });
    const docWith = (first: unknown, second: unknown) =>
      schema.nodeFromJSON({
        type: "doc",
        content: [
          { type: "paragraph", content: [{ type: "text", text: "bad", marks: [first] }, { type: "text", text: " and " }, { type: "text", text: "worse", marks: [second] }, { type: "ai", attrs: { id: "ai-1" } }, { type: "ai", attrs: { id: "ai-2" } }] },
        ],
      });
    expect(() => checkDocument(docWith(mark("deceit", "ai-1"), mark("violence", "ai-1")))).toThrow(/mark "m1" has two different categories or commentary links/);
    expect(() => checkDocument(docWith(mark("deceit", "ai-1"), mark("deceit", "ai-2")))).toThrow(/mark "m1" has two different/);
    expect(() => checkDocument(docWith(mark("deceit", "ai-1"), mark("deceit", "ai-1")))).not.toThrow();
  });

  it("refuses what check() refuses", () => {
    expect(() => checkDocument(schema.nodeFromJSON({ type: "doc", content: [] }))).toThrow(RangeError);
  });
});

describe("documentFromJSON", () => {
  it("reads what the codec writes, and refuses what checkDocument refuses", () => {
    const doc = toDoc("a<AI>b</AI>");
    expect(documentFromJSON(JSON.parse(JSON.stringify(doc.toJSON()))).eq(doc)).toBe(true);
    expect(() => documentFromJSON({ type: "doc", content: [{ type: "paragraph", content: [{ type: "ai", attrs: { id: "x" } }, { type: "ai", attrs: { id: "x" } }] }] })).toThrow(/Two AI spans/);
    expect(() => documentFromJSON({ type: "doc", content: [{ type: "table" }] })).toThrow();
    expect(() => documentFromJSON({ type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "a <AI>b" }] }] })).toThrow(/tag string <AI>/);
  });
});

describe("uncommentedMarks", () => {
  it("lists marks with no commentary or a dangling link", () => {
    const json = toDoc("one two three\n<AI>comment</AI>").toJSON();
    const mark = (id: string, commentary: string | null) => ({ type: "bad_behaviour", attrs: { id, category: "deceit", commentary } });
    json.content[0].content = [
      { type: "text", text: "one", marks: [mark("a", null)] },
      { type: "text", text: " " },
      { type: "text", text: "two", marks: [mark("b", "ai-1")] },
      { type: "text", text: " " },
      { type: "text", text: "three", marks: [mark("c", "ai-9")] },
    ];
    expect(uncommentedMarks(schema.nodeFromJSON(json)).map((m) => m.id)).toEqual(["a", "c"]);
  });
});
