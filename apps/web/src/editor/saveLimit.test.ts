import { describe, expect, it } from "vitest";
import { textToDoc } from "@prealign/core";
import { documentTooLarge, MAX_DOCUMENT_JSON_BYTES, textTooLarge, utf8Length } from "./saveLimit.ts";

function docOf(text: string) {
  const parsed = textToDoc(text);
  if (!parsed.ok) throw new Error(`invalid: ${text}`);
  return parsed.doc;
}

describe("save limit", () => {
  it("leaves room under the server's 10 MiB request limit", () => {
    expect(MAX_DOCUMENT_JSON_BYTES).toBeLessThan(10 * 1024 * 1024 - 64 * 1024);
  });
  it("counts UTF-8 bytes, not characters", () => {
    expect(utf8Length("aé€😀")).toBe(1 + 2 + 3 + 4);
    expect(textTooLarge("€".repeat(4), 11)).toBe(true);
    expect(textTooLarge("a".repeat(4), 11)).toBe(false);
  });
  it("measures the document as a save sends it, which for many short spans is far more than its text", () => {
    const text = Array.from({ length: 1000 }, () => "<AI>a</AI>").join("\n");
    const json = JSON.stringify(docOf(text).toJSON()).length;
    expect(json).toBeGreaterThan(3 * text.length);
    expect(documentTooLarge(docOf(text), json)).toBe(false);
    expect(documentTooLarge(docOf(text), json - 1)).toBe(true);
  });
});
