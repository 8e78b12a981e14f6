import { describe, expect, it } from "vitest";
import { docToText, schema, textToDoc } from "@prealign/core";
import { draftDoc, revisionDoc } from "./revisionDoc.ts";

describe("revisionDoc", () => {
  const text = "Hi <AI>there\r\n<AI_quoting_human>q</AI_quoting_human></AI>!";
  const parsed = textToDoc(text);
  if (!parsed.ok) throw new Error("invalid");
  it("reads stored JSON as a string or an object, identical to what was saved", () => {
    expect(revisionDoc({ text, doc: JSON.stringify(parsed.doc.toJSON()) }, schema).eq(parsed.doc)).toBe(true);
    expect(revisionDoc({ text, doc: parsed.doc.toJSON() }, schema).eq(parsed.doc)).toBe(true);
  });
  it("falls back to the tagged text", () => {
    expect(docToText(revisionDoc({ text, doc: null }, schema))).toBe(text);
  });
  it("refuses drafts that are not valid documents", () => {
    expect(draftDoc({ type: "doc", content: [{ type: "paragraph", content: [{ type: "quote_human" }] }] }, schema)).toBeNull();
    expect(draftDoc(parsed.doc.toJSON(), schema)?.eq(parsed.doc)).toBe(true);
  });
});
