import { describe, expect, it } from "vitest";
import { verdictAgreement } from "./workflow.ts";

describe("verdictAgreement", () => {
  it("is the share of reviewer pairs with the same verdict", () => {
    expect(verdictAgreement(["accept", "accept"])).toBe(1);
    expect(verdictAgreement(["accept", "reject"])).toBe(0);
    expect(verdictAgreement(["accept", "accept", "reject"])).toBeCloseTo(1 / 3);
    expect(verdictAgreement(["accept", "accept", "reject", "reject"])).toBeCloseTo(2 / 6);
  });

  it("is null with fewer than two verdicts", () => {
    expect(verdictAgreement([])).toBeNull();
    expect(verdictAgreement(["accept"])).toBeNull();
  });
});
