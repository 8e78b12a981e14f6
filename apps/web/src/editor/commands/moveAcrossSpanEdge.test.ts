import { describe, expect, it } from "vitest";
import { apply } from "../testing.ts";
import { moveAcrossSpanEdge } from "./moveAcrossSpanEdge.ts";

const left = moveAcrossSpanEdge(-1);
const right = moveAcrossSpanEdge(1);

describe("moveAcrossSpanEdge", () => {
  it("steps into a span and out of it as separate cursor stops", () => {
    expect(apply(right, "a‸<AI>b</AI>")).toBe("a<AI>‸b</AI>");
    expect(apply(right, "<AI>b‸</AI>c")).toBe("<AI>b</AI>‸c");
    expect(apply(left, "<AI>‸b</AI>")).toBe("‸<AI>b</AI>");
    expect(apply(left, "<AI>b</AI>‸c")).toBe("<AI>b‸</AI>c");
  });
  it("reaches the inside of an empty span", () => {
    expect(apply(right, "a‸<AI></AI>")).toBe("a<AI>‸</AI>");
    expect(apply(right, "<AI>x‸<AI_quoting_human></AI_quoting_human></AI>")).toBe("<AI>x<AI_quoting_human>‸</AI_quoting_human></AI>");
  });
  it("makes the move over the last character before an edge itself", () => {
    expect(apply(left, "<AI>ab</AI>c‸d")).toBe("<AI>ab</AI>‸cd");
    expect(apply(left, "<AI>a‸b</AI>")).toBe("<AI>‸ab</AI>");
    expect(apply(right, "<AI>a‸b</AI>c")).toBe("<AI>ab‸</AI>c");
    expect(apply(left, "x<AI>😀‸b</AI>")).toBe("x<AI>‸😀b</AI>");
  });
  it("leaves movement inside text to the browser", () => {
    expect(apply(right, "a‸b")).toBeNull();
    expect(apply(left, "<AI>ab‸c</AI>")).toBeNull();
    expect(apply(right, "«ab»<AI></AI>")).toBeNull();
  });
});
