import { describe, expect, it } from "vitest";
import { apply } from "../testing.ts";
import { wrapSelection } from "./wrapSelection.ts";

const wrapAi = wrapSelection("ai");
const quote = wrapSelection("ai_quoting_human");

describe("wrapSelection", () => {
  it("wraps human text in an AI span and selects the wrapped text", () => {
    expect(apply(wrapAi, "Hello «world»!")).toBe("Hello <AI>«world»</AI>!");
  });
  it("inserts an empty span with the cursor inside on an empty selection", () => {
    expect(apply(wrapAi, "Hi ‸there")).toBe("Hi <AI>‸</AI>there");
    expect(apply(quote, "<AI>He said ‸</AI>")).toBe("<AI>He said <AI_quoting_human>‸</AI_quoting_human></AI>");
  });
  it("joins lines of human text into one span", () => {
    expect(apply(wrapAi, "a«b\r\nc\nd»e")).toBe("a<AI>«b\r\nc\nd»</AI>e");
  });
  it("quotes text inside an AI span", () => {
    expect(apply(quote, '<AI>He said "«go away»"</AI>')).toBe('<AI>He said "<AI_quoting_human>«go away»</AI_quoting_human>"</AI>');
  });
  it("refuses an AI span inside an AI span", () => {
    expect(apply(wrapAi, "<AI>a«b»c</AI>")).toBeNull();
    expect(apply(wrapAi, "x«y <AI>z</AI>»")).toBeNull();
  });
  it("refuses a quote in human text or inside a quote", () => {
    expect(apply(quote, "a«b»c")).toBeNull();
    expect(apply(quote, "<AI><AI_quoting_human>a«b»</AI_quoting_human></AI>")).toBeNull();
  });
  it("refuses a selection that crosses a span edge", () => {
    expect(apply(wrapAi, "a«b<AI>c»d</AI>")).toBeNull();
    expect(apply(quote, "<AI>a«b</AI>c»")).toBeNull();
  });
});
