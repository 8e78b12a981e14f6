import { describe, expect, it } from "vitest";
import { apply } from "../testing.ts";
import { splitLine } from "./splitLine.ts";

describe("splitLine", () => {
  it("ends the paragraph in human text", () => {
    expect(apply(splitLine, "ab‸cd")).toBe("ab\n‸cd");
  });
  it("keeps the break that ended the old paragraph on the new one", () => {
    expect(apply(splitLine, "a‸b\r\nc")).toBe("a\n‸b\r\nc");
  });
  it("inserts a hard break inside a span instead of splitting it", () => {
    expect(apply(splitLine, "x<AI>ab‸cd</AI>y")).toBe("x<AI>ab\n‸cd</AI>y");
    expect(apply(splitLine, "<AI><AI_quoting_human>q‸</AI_quoting_human></AI>")).toBe("<AI><AI_quoting_human>q\n‸</AI_quoting_human></AI>");
  });
  it("replaces a selection across a span edge, leaving a valid document", () => {
    expect(apply(splitLine, "a«b<AI>c»d</AI>")).toBe("a<AI>\n‸d</AI>");
  });
});
