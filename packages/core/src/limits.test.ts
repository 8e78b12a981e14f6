import { describe, expect, it } from "vitest";
import { documentFromJSON } from "./editing.ts";
import { checkDocumentShape, DOCUMENT_LIMITS, unstorableCharacter } from "./limits.ts";

const paragraphOf = (content: unknown[]) => ({ type: "doc", content: [{ type: "paragraph", content }] });

describe("checkDocumentShape", () => {
  it("accepts a document within the limits and counts its characters", () => {
    expect(checkDocumentShape(paragraphOf([{ type: "text", text: "hello" }, { type: "ai", attrs: { id: "ai-1" }, content: [{ type: "text", text: "hi" }] }]))).toBe(7);
  });

  it("refuses each limit with a message that names it", () => {
    const small = { ...DOCUMENT_LIMITS, characters: 10, nodes: 20, marksPerNode: 2, markEntries: 3, depth: 4 };
    expect(() => checkDocumentShape(paragraphOf([{ type: "text", text: "x".repeat(11) }]), small)).toThrow(/more than 10 characters/);
    expect(() => checkDocumentShape(paragraphOf(Array.from({ length: 20 }, () => ({ type: "text", text: "a" }))), small)).toThrow(/more than 20 parts/);
    const mark = (id: string) => ({ type: "bad_behaviour", attrs: { id, category: "deceit" } });
    expect(() => checkDocumentShape(paragraphOf([{ type: "text", text: "a", marks: [mark("1"), mark("2"), mark("3")] }]), small)).toThrow(/more than 2 overlapping/);
    const twoMarks = { type: "text", text: "a", marks: [mark("1"), mark("2")] };
    expect(() => checkDocumentShape(paragraphOf([twoMarks, twoMarks]), small)).toThrow(/more than 3 marked text runs/);
    let deep: Record<string, unknown> = { type: "text", text: "x" };
    for (let level = 0; level < 6; level++) deep = { type: "ai", attrs: { id: "a" }, content: [deep] };
    expect(() => checkDocumentShape(paragraphOf([deep]), small)).toThrow(/nested more than 4 levels/);
    expect(() => checkDocumentShape(paragraphOf([{ type: "ai", attrs: { id: "a".repeat(65) } }]))).toThrow(/id is longer than 64/);
  });

  it("refuses JSON nested far deeper than a document can be without recursing", () => {
    let deep: Record<string, unknown> = { type: "text", text: "x" };
    for (let level = 0; level < 200_000; level++) deep = { type: "paragraph", content: [deep] };
    expect(() => checkDocumentShape({ type: "doc", content: [deep] })).toThrow(/nested more than/);
  });

  it("refuses what is not shaped like a document", () => {
    expect(() => checkDocumentShape("text")).toThrow(/JSON object/);
    expect(() => checkDocumentShape({ type: "doc", content: "x" })).toThrow(/array of nodes/);
    expect(() => checkDocumentShape(paragraphOf([{ type: "text", text: 5 }]))).toThrow(/must be a string/);
    expect(() => checkDocumentShape(paragraphOf([{ type: "text", text: "a", marks: {} }]))).toThrow(/must be an array/);
    expect(() => checkDocumentShape(paragraphOf([null]))).toThrow(/type is a node name/);
  });

  it("keeps documentFromJSON linear: 50,000 marks on one text run are refused at once", () => {
    const marks = Array.from({ length: 50_000 }, (_, i) => ({ type: "bad_behaviour", attrs: { id: `m${i}`, category: "deceit" } }));
    // Without the shape check, ProseMirror spends minutes on this document (issue 10, finding 2)
    // and the test times out.
    expect(() => documentFromJSON(paragraphOf([{ type: "text", text: "bad", marks }]))).toThrow(/more than 32 overlapping/);
  });
});

describe("unstorableCharacter", () => {
  it("finds lone surrogates and NUL, and passes well-formed text", () => {
    expect(unstorableCharacter("fine 😀 text")).toBeNull();
    expect(unstorableCharacter("a\uD83Db")).toMatch(/lone surrogate .* at position 1/);
    expect(unstorableCharacter("ab\uDE00")).toMatch(/lone surrogate .* at position 2/);
    expect(unstorableCharacter("a\u0000")).toMatch(/NUL character .* at position 1/);
  });

  it("is applied to document text", () => {
    expect(() => documentFromJSON(paragraphOf([{ type: "text", text: "x\uD800" }]))).toThrow(/lone surrogate/);
    expect(() => documentFromJSON(paragraphOf([{ type: "text", text: "x\u0000" }]))).toThrow(/NUL character/);
  });
});
