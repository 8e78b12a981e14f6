import { describe, expect, it } from "vitest";
import { revisionDiff } from "./revisionDiff.ts";

describe("revisionDiff", () => {
  it("shows added and removed words, tags included", () => {
    const parts = revisionDiff("He lied. <AI>Bad.</AI>", "He lied. <AI>That was deceit.</AI>")!;
    expect(parts.filter((p) => p.kind === "removed").map((p) => p.text).join("")).toContain("Bad");
    expect(parts.filter((p) => p.kind === "added").map((p) => p.text).join("")).toContain("deceit");
    expect(parts.filter((p) => p.kind !== "added").map((p) => p.text).join("")).toBe("He lied. <AI>Bad.</AI>");
    expect(parts.filter((p) => p.kind !== "removed").map((p) => p.text).join("")).toBe("He lied. <AI>That was deceit.</AI>");
  });
  it("is all the same for equal texts", () => {
    expect(revisionDiff("a b", "a b")).toEqual([{ kind: "same", text: "a b" }]);
  });
});
