/**
 * The dashboard's number formats: "not enough data" for what the API could not compute, and
 * percentages that keep small shares readable.
 */
import { describe, expect, it } from "vitest";
import { coefficient, counted, interval, NOT_ENOUGH_DATA, percent, shortDay } from "./format.ts";

describe("the dashboard's formats", () => {
  it.each([
    [null, NOT_ENOUGH_DATA],
    [Number.NaN, NOT_ENOUGH_DATA],
    [0, "0 %"],
    [1, "100 %"],
    [1 / 3, "33.3 %"],
    [0.01, "1.0 %"],
    [0.0003, "0.030 %"],
    [1 / 243, "0.41 %"],
  ])("percent(%s) is %s", (share, text) => {
    expect(percent(share)).toBe(text);
  });

  it("writes coefficients to three decimals, intervals as a range, counts in words", () => {
    expect(coefficient(4 / 9)).toBe("0.444");
    expect(coefficient(-0.25)).toBe("-0.250");
    expect(coefficient(null)).toBe(NOT_ENOUGH_DATA);
    expect(interval({ low: 0.15, high: 0.85 })).toBe("15.0–85.0 %");
    expect(interval(null)).toBe(NOT_ENOUGH_DATA);
    expect(counted(1, "defect")).toBe("1 defect");
    expect(counted(1200, "defect")).toBe("1,200 defects");
    expect(shortDay("2026-12-03")).toBe("3 Dec");
  });
});
