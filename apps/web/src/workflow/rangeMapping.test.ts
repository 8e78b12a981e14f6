import { describe, expect, it } from "vitest";
import { rangeMapper } from "./rangeMapping.ts";

/** The range of the first `needle` in `text`, in code points. */
function rangeOf(text: string, needle: string) {
  const at = text.indexOf(needle);
  const start = [...text.slice(0, at)].length;
  return { start, end: start + [...needle].length };
}

function slice(text: string, range: { start: number; end: number }) {
  return [...text].slice(range.start, range.end).join("");
}

describe("rangeMapper", () => {
  it("keeps a range in an unchanged text where it was", () => {
    const text = "He lied. <AI>Bad.</AI>";
    expect(rangeMapper(text, text)!.map(rangeOf(text, "lied"))).toEqual({ ...rangeOf(text, "lied"), changed: false });
  });

  it("moves a range past text inserted and deleted before it", () => {
    const before = "Hi. He lied to her. <AI>Lying hurts.</AI>";
    const after = "Hello there 😀 friend. He lied to her. <AI>Lying hurts her trust.</AI>";
    const mapped = rangeMapper(before, after)!.map(rangeOf(before, "lied to her"));
    expect(slice(after, mapped)).toBe("lied to her");
    expect(mapped.changed).toBe(false);
  });

  it("does not grow with text typed at its edges", () => {
    const before = "He lied to her.";
    const after = "He quietly lied to her again.";
    const mapped = rangeMapper(before, after)!.map(rangeOf(before, "lied to her"));
    expect(slice(after, mapped)).toBe("lied to her");
  });

  it("says when the words in the range were edited, and places it on the rewrite", () => {
    const before = "Start. He lied to her. End.";
    const after = "Start. He deceived her. End.";
    const mapped = rangeMapper(before, after)!.map(rangeOf(before, "lied to her"));
    expect(mapped.changed).toBe(true);
    expect(slice(after, mapped)).toBe("deceived her");
  });

  it("comes out empty for a deleted range", () => {
    const before = "Keep this. Drop that. Keep too.";
    const after = "Keep this. Keep too.";
    const mapped = rangeMapper(before, after)!.map(rangeOf(before, "Drop that."));
    expect(mapped.end - mapped.start).toBe(0);
    expect(mapped.changed).toBe(true);
  });

  it("counts code points, not UTF-16 units", () => {
    const before = "😀 He lied.";
    const after = "😀😀 He lied.";
    const mapped = rangeMapper(before, after)!.map(rangeOf(before, "lied"));
    expect(slice(after, mapped)).toBe("lied");
  });
});
