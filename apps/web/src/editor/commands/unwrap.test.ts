import { describe, expect, it } from "vitest";
import { apply } from "../testing.ts";
import { unwrap } from "./unwrap.ts";

describe("unwrap", () => {
  it("turns an AI span's text into human text", () => {
    expect(apply(unwrap, "a<AI>b‸c</AI>d")).toBe("ab‸cd");
  });
  it("turns a quote's text into AI text", () => {
    expect(apply(unwrap, "<AI>x<AI_quoting_human>«y»</AI_quoting_human>z</AI>")).toBe("<AI>x«y»z</AI>");
  });
  it("gives the lines of an unwrapped span back as paragraphs with their exact breaks", () => {
    expect(apply(unwrap, "a<AI>b\r\nc‸</AI>d")).toBe("ab\r\nc‸d");
  });
  it("does not apply in human text", () => {
    expect(apply(unwrap, "just ‸human")).toBeNull();
  });
  it("refuses to unwrap an AI span that still holds a quote", () => {
    expect(apply(unwrap, "<AI>a‸<AI_quoting_human>q</AI_quoting_human></AI>")).toBeNull();
  });
});
