import { describe, expect, it } from "vitest";
import { apply } from "../testing.ts";
import { deleteAtSpanEdge } from "./deleteAtSpanEdge.ts";

const backspace = deleteAtSpanEdge(-1);
const del = deleteAtSpanEdge(1);

describe("deleteAtSpanEdge", () => {
  it("removes an empty span", () => {
    expect(apply(backspace, "a<AI>‸</AI>b")).toBe("a‸b");
    expect(apply(del, "a‸<AI></AI>b")).toBe("a‸b");
    expect(apply(backspace, "a<AI></AI>‸b")).toBe("a‸b");
  });
  it("deletes the character across the edge", () => {
    expect(apply(backspace, "ab<AI>‸cd</AI>")).toBe("a<AI>‸cd</AI>");
    expect(apply(backspace, "ab<AI>cd</AI>‸e")).toBe("ab<AI>c</AI>‸e");
    expect(apply(del, "<AI>ab‸</AI>cd")).toBe("<AI>ab‸</AI>d");
    expect(apply(del, "a‸<AI>bc</AI>")).toBe("a‸<AI>c</AI>");
  });
  it("deletes a whole emoji, never half a surrogate pair", () => {
    expect(apply(backspace, "x😀<AI>‸y</AI>")).toBe("x<AI>‸y</AI>");
  });
  it("steps over an edge when the neighbour is another edge", () => {
    expect(apply(backspace, "<AI>‸ab</AI>")).toBe("‸<AI>ab</AI>");
    expect(apply(del, "<AI>ab<AI_quoting_human>q</AI_quoting_human>‸</AI>")).toBe("<AI>ab<AI_quoting_human>q</AI_quoting_human></AI>‸");
    expect(apply(backspace, "<AI>a<AI_quoting_human>q</AI_quoting_human></AI>‸")).toBe("<AI>a<AI_quoting_human>q</AI_quoting_human>‸</AI>");
  });
  it("leaves ordinary text to ordinary editing", () => {
    expect(apply(backspace, "ab‸c")).toBeNull();
    expect(apply(del, "<AI>a‸b</AI>")).toBeNull();
  });
});
