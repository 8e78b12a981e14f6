import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cohenKappa, krippendorffAlpha, spanF1, type LabelledRange } from "./agreement.ts";

/**
 * The reliability data of Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011),
 * section C (nominal data, any number of observers, missing values): observers A–D as rows,
 * units 1–12 as columns, "." where an observer did not code the unit.
 */
const PAPER_TABLE = [
  "1 2 3 3 2 1 4 1 2 . . .",
  "1 2 3 3 2 2 4 1 2 5 . 3",
  ". 3 3 3 2 3 4 2 2 5 1 .",
  "1 2 3 3 2 4 4 1 2 5 1 .",
].map((row) => row.split(" ").map((value) => (value === "." ? null : value)));

/** The same data as `units[i][c]`: one row per unit, one column per observer. */
const paperUnits = PAPER_TABLE[0]!.map((_, unit) => PAPER_TABLE.map((observer) => observer[unit]!));

describe("krippendorffAlpha", () => {
  it("reproduces the paper's worked example: nominal alpha 0.743", () => {
    expect(paperUnits).toHaveLength(12);
    expect(paperUnits.flat().filter((value) => value !== null)).toHaveLength(41);
    expect(krippendorffAlpha(paperUnits)).toBeCloseTo(0.743, 3);
  });

  it("leaves out the paper's unit 12, which only one observer coded", () => {
    expect(krippendorffAlpha(paperUnits.slice(0, 11))).toBe(krippendorffAlpha(paperUnits));
  });

  it("matches hand-computed values", () => {
    // n = 6 values (3 × x, 3 × y), 4 coinciding with themselves:
    // alpha = (5·4 − 12) / (6·5 − 12) = 8/18.
    expect(krippendorffAlpha([["x", "x"], ["x", "y"], ["y", "y"]])).toBeCloseTo(8 / 18, 12);
    expect(krippendorffAlpha([["x", "x"], ["y", "y"]])).toBe(1);
    // Systematic disagreement goes below zero: (3·0 − 4) / (4·3 − 4).
    expect(krippendorffAlpha([["x", "y"], ["y", "x"]])).toBe(-0.5);
    // Three coders, one unit of three values weighted 1/(3 − 1): o_xx = 2·1/2 = 1, plus 2 from
    // the second unit; n = 5 (4 × x, 1 × y): (4·3 − 12) / (5·4 − 12) = 0.
    expect(krippendorffAlpha([["x", "x", "y"], ["x", null, "x"]])).toBe(0);
  });

  it("leaves out units with fewer than two values", () => {
    const pairable: (string | null)[][] = [["x", "x", null], ["x", "y", "y"]];
    expect(krippendorffAlpha([...pairable, ["z", null, null], [null, null, null], []])).toBe(krippendorffAlpha(pairable));
  });

  it("is null where undefined", () => {
    expect(krippendorffAlpha([])).toBeNull();
    expect(krippendorffAlpha([["x", null], [null, "y"], ["z"]])).toBeNull();
    expect(krippendorffAlpha([["x", "x"], ["x", "x", "x"], ["y", null]])).toBeNull();
  });

  it("does not depend on the order of units or coders, nor on the names of values", () => {
    const unit = fc.array(fc.option(fc.constantFrom("a", "b", "c"), { nil: null }), { minLength: 4, maxLength: 4 });
    const relabel: Record<string, string> = { a: "b", b: "c", c: "a" };
    fc.assert(
      fc.property(
        fc.array(fc.record({ order: fc.integer(), values: unit }), { maxLength: 15 }),
        fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4 }),
        (rows, coders) => {
          const units = rows.map((row) => row.values);
          const alpha = krippendorffAlpha(units);
          const permuted = [...rows].sort((x, y) => x.order - y.order).map((row) => coders.map((c) => row.values[c]!));
          const renamed = units.map((values) => values.map((value) => (value === null ? null : relabel[value]!)));
          for (const other of [krippendorffAlpha(permuted), krippendorffAlpha(renamed)]) {
            if (alpha === null) expect(other).toBeNull();
            else expect(other).toBeCloseTo(alpha, 12);
          }
          if (alpha !== null) expect(alpha).toBeLessThanOrEqual(1 + 1e-12);
        },
      ),
    );
  });
});

/** Two coders' yes/no answers from a 2 × 2 table of counts. */
function fromTable(yesYes: number, yesNo: number, noYes: number, noNo: number): [string[], string[]] {
  const pairs = [
    ...Array<[string, string]>(yesYes).fill(["yes", "yes"]),
    ...Array<[string, string]>(yesNo).fill(["yes", "no"]),
    ...Array<[string, string]>(noYes).fill(["no", "yes"]),
    ...Array<[string, string]>(noNo).fill(["no", "no"]),
  ];
  return [pairs.map(([a]) => a), pairs.map(([, b]) => b)];
}

describe("cohenKappa", () => {
  it("matches the textbook example", () => {
    // 50 items: p_o = 35/50 = 0.7; A says yes 25 times, B 30 times, so
    // p_e = 0.5·0.6 + 0.5·0.4 = 0.5 and kappa = (0.7 − 0.5) / (1 − 0.5) = 0.4.
    expect(cohenKappa(...fromTable(20, 5, 10, 15))).toBeCloseTo(0.4, 12);
    // Same p_o = 0.6, different marginals: p_e = 0.6·0.7 + 0.4·0.3 = 0.54 → 0.06/0.46;
    // p_e = 0.6·0.3 + 0.4·0.7 = 0.46 → 0.14/0.54.
    expect(cohenKappa(...fromTable(45, 15, 25, 15))).toBeCloseTo(0.06 / 0.46, 12);
    expect(cohenKappa(...fromTable(25, 35, 5, 35))).toBeCloseTo(0.14 / 0.54, 12);
  });

  it("is 1 for perfect agreement, 0 against a coder who never varies, symmetric", () => {
    expect(cohenKappa(["a", "b", "c"], ["a", "b", "c"])).toBe(1);
    expect(cohenKappa(["x", "x"], ["x", "y"])).toBe(0);
    const [a, b] = fromTable(20, 5, 10, 15);
    expect(cohenKappa(b, a)).toBe(cohenKappa(a, b));
  });

  it("is null where undefined and refuses arrays of different lengths", () => {
    expect(cohenKappa([], [])).toBeNull();
    expect(cohenKappa(["x", "x"], ["x", "x"])).toBeNull();
    expect(() => cohenKappa(["x"], ["x", "y"])).toThrow(/one value per item .* got 1 and 2/);
  });
});

describe("spanF1", () => {
  const r = (start: number, end: number, category = "style"): LabelledRange => ({ start, end, category });

  it("matches hand-computed values", () => {
    // One of b's two ranges matches one of a's three.
    const scores = spanF1([r(0, 5), r(5, 9), r(10, 12)], [r(0, 5), r(20, 25)]);
    expect(scores.precision).toBe(1 / 2);
    expect(scores.recall).toBe(1 / 3);
    expect(scores.f1).toBeCloseTo(0.4, 12);
    expect(spanF1([r(0, 5), r(6, 9)], [r(6, 9), r(0, 5)])).toEqual({ precision: 1, recall: 1, f1: 1 });
  });

  it("needs all three fields equal", () => {
    expect(spanF1([r(0, 5)], [r(0, 5, "other")]).f1).toBe(0);
    expect(spanF1([r(0, 5)], [r(0, 6)]).f1).toBe(0);
    expect(spanF1([r(0, 5)], [r(1, 5)]).f1).toBe(0);
  });

  it("matches each range at most once, so duplicates count only as often as both sides have them", () => {
    expect(spanF1([r(0, 5)], [r(0, 5), r(0, 5), r(0, 5)])).toEqual({ precision: 1 / 3, recall: 1, f1: 0.5 });
    expect(spanF1([r(0, 5), r(0, 5)], [r(0, 5), r(0, 5), r(1, 2)])).toEqual({ precision: 2 / 3, recall: 1, f1: 0.8 });
  });

  it("scores empty arrays without NaN", () => {
    expect(spanF1([], [])).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(spanF1([r(0, 5)], [])).toEqual({ precision: 1, recall: 0, f1: 0 });
    expect(spanF1([], [r(0, 5)])).toEqual({ precision: 0, recall: 1, f1: 0 });
  });

  it("swaps precision and recall when the reference changes sides", () => {
    const range = fc.record({ start: fc.nat(5), end: fc.nat(5), category: fc.constantFrom("style", "other") });
    fc.assert(
      fc.property(fc.array(range, { maxLength: 8 }), fc.array(range, { maxLength: 8 }), (a, b) => {
        const forward = spanF1(a, b);
        const backward = spanF1(b, a);
        expect(backward.precision).toBe(forward.recall);
        expect(backward.recall).toBe(forward.precision);
        expect(backward.f1).toBeCloseTo(forward.f1, 12);
        for (const value of Object.values(forward)) expect(value >= 0 && value <= 1).toBe(true);
      }),
    );
  });
});
