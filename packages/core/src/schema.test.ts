import fc from "fast-check";
import { Window } from "happy-dom";
import { DOMParser, DOMSerializer, Fragment, type Node, type Schema } from "prosemirror-model";
import { describe, expect, it } from "vitest";
import { docToText, textToDoc } from "./codec.ts";
import { BAD_BEHAVIOUR_CATEGORIES, createSchema, modeOfNodeType, newSpanId, nodeTypeOfMode, schema, schemaGrammar } from "./schema.ts";
import { taggedText } from "./testing/arbitraries.ts";

const unalignedSchema = createSchema({ unalignedQuotes: true });

describe("content expressions", () => {
  it("are derived from the transitions", () => {
    expect(schema.nodes.doc!.spec.content).toBe("paragraph+");
    expect(schema.nodes.paragraph!.spec.content).toBe("(text | hard_break | ai)*");
    expect(schema.nodes.ai!.spec.content).toBe("(text | hard_break | quote_human)*");
    expect(schema.nodes.quote_human!.spec.content).toBe("(text | hard_break)*");
    expect(schema.nodes.quote_unaligned_ai).toBeUndefined();
    expect(unalignedSchema.nodes.ai!.spec.content).toBe("(text | hard_break | quote_human | quote_unaligned_ai)*");
    expect(unalignedSchema.nodes.quote_unaligned_ai!.spec.content).toBe("(text | hard_break)*");
  });

  it("no node belongs to a group that its own content expression names", () => {
    for (const s of [schema, unalignedSchema]) {
      for (const type of Object.values(s.nodes)) {
        const groups = (type.spec.group ?? "").split(" ").filter(Boolean);
        const named: string[] = (type.spec.content ?? "").match(/\w+/g) ?? [];
        expect(groups.filter((g) => named.includes(g)), type.name).toEqual([]);
      }
    }
  });

  it("bad-behaviour marks are allowed on human and quoted text only", () => {
    const allows = (name: string) => unalignedSchema.nodes[name]!.allowsMarkType(unalignedSchema.marks.bad_behaviour!);
    expect(["paragraph", "quote_human", "quote_unaligned_ai"].every(allows)).toBe(true);
    expect(allows("ai")).toBe(false);
  });

  it("maps node types to modes and back", () => {
    expect(modeOfNodeType(schema.nodes.paragraph!)).toBe("human");
    expect(modeOfNodeType(schema.nodes.ai!)).toBe("ai");
    expect(modeOfNodeType(schema.nodes.quote_human!)).toBe("ai_quoting_human");
    expect(modeOfNodeType(schema.nodes.hard_break!)).toBeNull();
    expect(nodeTypeOfMode(unalignedSchema, "ai_quoting_unaligned_ai").name).toBe("quote_unaligned_ai");
    expect(schemaGrammar(unalignedSchema).options.unalignedQuotes).toBe(true);
    expect(createSchema()).toBe(schema);
  });
});

/** A tree of node names, built without any checking, to feed `check()`. */
type Tree = { name: "text"; marked: boolean } | { name: "hard_break"; marked: boolean } | { name: string; children: Tree[] };

/** Written out by hand from SPEC §2–3, independently of the grammar table. */
const ALLOWED_CHILDREN: Record<string, string[]> = {
  doc: ["paragraph"],
  paragraph: ["text", "hard_break", "ai"],
  ai: ["text", "hard_break", "quote_human", "quote_unaligned_ai"],
  quote_human: ["text", "hard_break"],
  quote_unaligned_ai: ["text", "hard_break"],
};
const MARKS_ALLOWED = new Set(["paragraph", "quote_human", "quote_unaligned_ai"]);

function legal(parent: string, children: Tree[]): boolean {
  if (parent === "doc" && children.length === 0) return false;
  return children.every((child) => {
    if (!ALLOWED_CHILDREN[parent]!.includes(child.name)) return false;
    if ("marked" in child) return !child.marked || MARKS_ALLOWED.has(parent);
    return legal(child.name, child.children);
  });
}

function build(s: Schema, tree: Tree): Node {
  const mark = s.marks.bad_behaviour!.create({ id: "m1", category: "deceit" });
  if (tree.name === "text") return s.text("x", "marked" in tree && tree.marked ? [mark] : []);
  if (tree.name === "hard_break") return s.nodes.hard_break!.create(null, null, "marked" in tree && tree.marked ? [mark] : []);
  const children = (tree as { children: Tree[] }).children.map((c) => build(s, c));
  const attrs = tree.name === "ai" ? { id: newSpanId() } : null;
  return s.nodes[tree.name]!.create(attrs, Fragment.fromArray(children));
}

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ name: fc.constant("text" as const), marked: fc.boolean() }),
    fc.record({ name: fc.constant("hard_break" as const), marked: fc.boolean() }),
    fc.record({ name: fc.constantFrom("paragraph", "ai", "quote_human", "quote_unaligned_ai"), children: fc.array(tie("node"), { maxLength: 4 }) }),
  ),
})).node;

describe("Node.check() refuses every illegal nesting", () => {
  it("random trees are accepted exactly when legal (property)", () => {
    let illegal = 0;
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 3 }), (children) => {
        const doc = build(unalignedSchema, { name: "doc", children });
        const ok = legal("doc", children);
        if (!ok) illegal++;
        if (ok) expect(() => doc.check()).not.toThrow();
        else expect(() => doc.check()).toThrow(RangeError);
      }),
      { numRuns: 3000 },
    );
    // The generator must actually produce illegal trees for this test to mean anything.
    expect(illegal).toBeGreaterThan(1000);
  });

  it.each([
    ["an AI span inside an AI span", { name: "ai", children: [{ name: "ai", children: [] }] }],
    ["a quote directly in human text", { name: "quote_human", children: [] }],
    ["a quote inside a quote", { name: "ai", children: [{ name: "quote_human", children: [{ name: "quote_human", children: [] }] }] }],
    ["a paragraph inside an AI span", { name: "ai", children: [{ name: "paragraph", children: [] }] }],
    ["a bad-behaviour mark on AI text", { name: "ai", children: [{ name: "text", marked: true }] }],
  ])("refuses %s", (_what, child) => {
    const doc = build(schema, { name: "doc", children: [{ name: "paragraph", children: [child as Tree] }] });
    expect(() => doc.check()).toThrow(RangeError);
  });

  it("refuses the unaligned quote where the pair is off", () => {
    expect(schema.nodes.quote_unaligned_ai).toBeUndefined();
    expect(() => schema.nodeFromJSON({ type: "doc", content: [{ type: "paragraph", content: [{ type: "ai", attrs: { id: "a" }, content: [{ type: "quote_unaligned_ai" }] }] }] })).toThrow();
  });

  it.each([
    ["a paragraph line break", { type: "paragraph", attrs: { lineBreak: "\n\n" } }],
    ["a hard break's text", { type: "paragraph", content: [{ type: "hard_break", attrs: { text: "x" } }] }],
    ["an empty AI span id", { type: "paragraph", content: [{ type: "ai", attrs: { id: "" } }] }],
    ["a missing AI span id", { type: "paragraph", content: [{ type: "ai" }] }],
    ["a category", { type: "paragraph", content: [{ type: "text", text: "x", marks: [{ type: "bad_behaviour", attrs: { id: "m", category: "rudeness" } }] }] }],
  ])("refuses a bad attribute: %s", (_what, paragraph) => {
    expect(() => schema.nodeFromJSON({ type: "doc", content: [paragraph] }).check()).toThrow(RangeError);
  });
});

describe("HTML (copy and paste)", () => {
  const window = new Window();
  const document = window.document;

  function throughHtml(doc: Node, s: Schema = schema): Node {
    const container = document.createElement("div");
    container.appendChild(DOMSerializer.fromSchema(s).serializeFragment(doc.content, { document: document as never }) as never);
    // Through an HTML string, as the clipboard carries it.
    const pasted = document.createElement("div");
    pasted.innerHTML = container.innerHTML;
    return DOMParser.fromSchema(s).parse(pasted as never, { preserveWhitespace: "full" });
  }

  it("writes spans as data-mode spans", () => {
    const result = textToDoc('a<AI>b"<AI_quoting_human>c</AI_quoting_human>"</AI>');
    const container = document.createElement("div");
    container.appendChild(DOMSerializer.fromSchema(schema).serializeFragment(result.ok ? result.doc.content : Fragment.empty, { document: document as never }) as never);
    expect(container.innerHTML).toBe('<p>a<span data-mode="ai" data-id="ai-1">b"<span data-mode="ai_quoting_human">c</span>"</span></p>');
  });

  it("what toDOM writes parses back to the same document, marks and line breaks included", () => {
    const result = textToDoc('a\r\nb<AI>x\ry\r\nz"<AI_quoting_human>q</AI_quoting_human>"</AI>\rlast');
    if (!result.ok) throw new Error("invalid");
    const mark = schema.marks.bad_behaviour!.create({ id: "m-1", category: "manipulation", commentary: "ai-1" });
    const doc = result.doc.type.create(null, result.doc.content.replaceChild(0, result.doc.child(0).mark([]).copy(Fragment.from(schema.text("a", [mark])))));
    const back = throughHtml(doc);
    back.check();
    expect(back.toJSON()).toEqual(doc.toJSON());
    expect(docToText(back)).toBe(docToText(doc));
  });

  it("generated documents survive HTML (property)", () => {
    // HTML itself cannot carry NUL or lone surrogates (the parser drops or replaces them).
    const htmlSafe = taggedText(true).filter((text) => !/\p{Cs}|\u0000/u.test(text));
    fc.assert(
      fc.property(htmlSafe, (text) => {
        const result = textToDoc(text, { schema: unalignedSchema });
        if (!result.ok) throw new Error("invalid");
        const back = throughHtml(result.doc, unalignedSchema);
        expect(docToText(back)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it("a pasted AI span without an id gets a fresh one", () => {
    const pasted = document.createElement("div");
    pasted.innerHTML = '<p><span data-mode="ai">hello</span></p>';
    const doc = DOMParser.fromSchema(schema).parse(pasted as never);
    doc.check();
    expect(doc.firstChild!.firstChild!.attrs.id).toMatch(/^ai-[0-9a-f]{16}$/);
  });

  it("an unknown bad-behaviour category is not pasted as a mark", () => {
    const pasted = document.createElement("div");
    pasted.innerHTML = '<p><mark data-bad-behaviour="rudeness" data-id="m">x</mark></p>';
    expect(DOMParser.fromSchema(schema).parse(pasted as never).firstChild!.firstChild!.marks).toEqual([]);
  });

  it("knows every category", () => {
    expect(BAD_BEHAVIOUR_CATEGORIES).toHaveLength(10);
  });
});
