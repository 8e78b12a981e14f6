import { describe, expect, it } from "vitest";
import { apply } from "../testing.ts";
import { deleteWordAtSpanEdge, wordLength } from "./deleteWordAtSpanEdge.ts";

const back = deleteWordAtSpanEdge(-1);
const forward = deleteWordAtSpanEdge(1);

describe("wordLength", () => {
  it("takes white space, then punctuation, then one word", () => {
    expect(wordLength("I am here", -1)).toBe(4);
    expect(wordLength("I am ", -1)).toBe(3);
    expect(wordLength(" Bye.", -1)).toBe(4);
    expect(wordLength(" ", -1)).toBe(1);
    expect(wordLength("I am", 1)).toBe(1);
    expect(wordLength(" am here", 1)).toBe(3);
    expect(wordLength("日本語です", 1)).toBeGreaterThan(0);
  });
});

describe("deleteWordAtSpanEdge", () => {
  it("at an edge, deletes the word across it and leaves the cursor where it was", () => {
    expect(apply(back, "Hello <AI>I am here</AI>‸ Bye.")).toBe("Hello <AI>I am </AI>‸ Bye.");
    expect(apply(back, "Hello <AI>I am </AI>‸ Bye.")).toBe("Hello <AI>I </AI>‸ Bye.");
    expect(apply(forward, "Hello ‸<AI>I am here</AI> Bye.")).toBe("Hello ‸<AI> am here</AI> Bye.");
    expect(apply(back, "Hello <AI>‸I am</AI>")).toBe("<AI>‸I am</AI>");
    expect(apply(forward, "<AI>I am‸</AI> and more")).toBe("<AI>I am‸</AI> more");
  });
  it("stops at the edge in text that a span bounds", () => {
    expect(apply(back, "Hello <AI>I am here</AI> Bye.‸")).toBe("Hello <AI>I am here</AI> ‸");
    expect(apply(back, "Hello <AI>I am here</AI> ‸")).toBe("Hello <AI>I am here</AI>‸");
    expect(apply(back, "Hello<AI>here‸</AI>")).toBe("Hello<AI>‸</AI>");
    expect(apply(forward, "‸one<AI>x</AI>")).toBe("‸<AI>x</AI>");
  });
  it("goes on as Backspace and Delete do where no text is across the edge", () => {
    expect(apply(back, "a<AI></AI>‸b")).toBe("a‸b");
    expect(apply(back, "<AI>a<AI_quoting_human>q</AI_quoting_human></AI>‸")).toBe("<AI>a<AI_quoting_human>q</AI_quoting_human>‸</AI>");
  });
  it("leaves text that no span edge bounds to the browser", () => {
    expect(apply(back, "one two‸")).toBeNull();
    expect(apply(back, "<AI>one\ntwo‸</AI>")).toBeNull();
    expect(apply(back, "a«b»<AI>c</AI>")).toBeNull();
  });
});
