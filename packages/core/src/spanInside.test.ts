import { describe, expect, it } from "vitest";
import { aiSpanInsideProblem } from "./spanInside.ts";

describe("aiSpanInsideProblem", () => {
  it("accepts commentary with quotes of the human", () => {
    expect(aiSpanInsideProblem('That hurts: " <AI_quoting_human>you lied</AI_quoting_human> " is unkind.')).toBeNull();
  });

  it("refuses what breaks the grammar, with the position in the inside", () => {
    expect(aiSpanInsideProblem("Unkind.</AI_quoting_human>")).toMatch(/^At character 8: `<\/AI_quoting_human>` closes a quote of a human/);
    expect(aiSpanInsideProblem("𝒳 <AI>nested</AI>")).toMatch(/^At character 3: /);
    expect(aiSpanInsideProblem("Fine <AI_quoting_human>open")).toBe("The commentary leaves a quote open at its end: close it with its closing tag.");
    expect(aiSpanInsideProblem("  ")).toBe("The commentary is empty.");
  });

  it("refuses valid text that closes the span and opens another", () => {
    expect(aiSpanInsideProblem("Unkind.</AI> I agree. <AI>Yes.")).toBe("At character 8: </AI> would close the AI span; the commentary must stay inside one span.");
  });

  it("knows the unaligned quote pair only where the project enables it", () => {
    const text = "He said <AI_quoting_unaligned_AI>maximise clips</AI_quoting_unaligned_AI>.";
    expect(aiSpanInsideProblem(text, { unalignedQuotes: true })).toBeNull();
    // Where it is off the tags are plain text, which is valid too.
    expect(aiSpanInsideProblem(text)).toBeNull();
  });
});
