import { DOCUMENT_LIMITS, textToDoc } from "@prealign/core";
import { describe, expect, it } from "vitest";
import { documentTooLarge, textTooLarge } from "./saveLimit.ts";

function docOf(text: string) {
  const parsed = textToDoc(text);
  if (!parsed.ok) throw new Error(`invalid: ${text}`);
  return parsed.doc;
}

describe("save limit", () => {
  it("refuses, before reading it, a text longer than any that could fit the limits", () => {
    expect(textTooLarge("a".repeat(DOCUMENT_LIMITS.characters + 1))).toBeNull();
    expect(documentTooLarge(docOf("a".repeat(DOCUMENT_LIMITS.characters + 1)))).toMatch(/too large to save: The document holds more than 100,000 characters/);
    expect(textTooLarge("a".repeat(10 * DOCUMENT_LIMITS.characters))).toMatch(/too large to save: it would hold more than 100,000 characters/);
  });

  it("measures the document as the server does, counting its parts as well as its characters", () => {
    const spans = (count: number) => Array.from({ length: count }, () => "<AI>a</AI>").join("\n");
    expect(documentTooLarge(docOf(spans(1000)))).toBeNull();
    // 3,000 lines of one AI span each: 12,000 parts in 30,000 characters.
    expect(documentTooLarge(docOf(spans(3000)))).toMatch(/too large to save: The document has more than 8,000 parts/);
  });
});
