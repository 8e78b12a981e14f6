import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cohenKappa,
  cohenKappaFromCounts,
  krippendorffAlpha,
  krippendorffAlphaFromCounts,
  spanF1,
  type ContingencyCell,
  type LabelledRange,
  type UnitProfile,
} from "./agreement.ts";

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

/** Units summed by profile, as the dashboard sums them: one profile per distinct set of counts. */
function profilesOf(units: readonly (readonly (string | null)[])[]): UnitProfile[] {
  const profiles = new Map<string, UnitProfile>();
  for (const unit of units) {
    const counts = new Map<string, number>();
    for (const value of [...unit].sort()) if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
    const key = JSON.stringify([...counts]);
    const profile = profiles.get(key);
    if (profile) profile.units++;
    else profiles.set(key, { counts, units: 1 });
  }
  return [...profiles.values()];
}

/** Two coders' values summed into contingency cells, one per pair of values. */
function cellsOf(a: readonly string[], b: readonly string[]): ContingencyCell[] {
  const cells = new Map<string, ContingencyCell>();
  a.forEach((first, i) => {
    const second = b[i]!;
    const cell = cells.get(`${first}\u0000${second}`) ?? { first, second, items: 0 };
    cell.items++;
    cells.set(`${first}\u0000${second}`, cell);
  });
  return [...cells.values()];
}

describe("krippendorffAlphaFromCounts", () => {
  it("weights each profile by its units", () => {
    const twoAgreeing = new Map([["x", 2]]);
    expect(krippendorffAlphaFromCounts([{ counts: twoAgreeing, units: 2 }, { counts: new Map([["x", 1], ["y", 1]]), units: 1 }])).toEqual({
      alpha: krippendorffAlpha([["x", "x"], ["x", "x"], ["x", "y"]]),
      units: 3,
      values: 6,
    });
    // The paper's worked example, its twelve units summed by profile.
    const paper = krippendorffAlphaFromCounts(profilesOf(paperUnits));
    expect(paper.alpha).toBeCloseTo(0.743, 3);
    expect(paper).toMatchObject({ units: 11, values: 40 });
  });

  it("counts neither units with fewer than two values nor values of no unit", () => {
    const lonely = { counts: new Map([["x", 1], ["y", 0]]), units: 5 };
    expect(krippendorffAlphaFromCounts([lonely, { counts: new Map(), units: 3 }])).toEqual({ alpha: null, units: 0, values: 0 });
    expect(krippendorffAlphaFromCounts([lonely, { counts: new Map([["x", 2], ["y", 0]]), units: 2 }])).toEqual({ alpha: null, units: 2, values: 4 });
  });

  it("equals alpha over the units one by one, on random data", () => {
    const unit = fc.array(fc.option(fc.constantFrom("a", "b", "c"), { nil: null }), { maxLength: 5 });
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
        const alpha = krippendorffAlpha(units);
        const summed = krippendorffAlphaFromCounts(profilesOf(units));
        // Summing by profile adds the same terms in another order: equal up to rounding.
        if (alpha === null) expect(summed.alpha).toBeNull();
        else expect(summed.alpha).toBeCloseTo(alpha, 12);
        const pairable = units.map((values) => values.filter((value) => value !== null)).filter((values) => values.length >= 2);
        expect(summed.units).toBe(pairable.length);
        expect(summed.values).toBe(pairable.flat().length);
      }),
    );
  });
});

describe("cohenKappaFromCounts", () => {
  it("reads the textbook example from its 2 × 2 table", () => {
    const table = [
      { first: "yes", second: "yes", items: 20 },
      { first: "yes", second: "no", items: 5 },
      { first: "no", second: "yes", items: 10 },
      { first: "no", second: "no", items: 15 },
    ];
    expect(cohenKappaFromCounts(table)).toEqual({ kappa: cohenKappa(...fromTable(20, 5, 10, 15)), items: 50, agreements: 35 });
    expect(cohenKappaFromCounts(table).kappa).toBeCloseTo(0.4, 12);
  });

  it("adds up cells of the same pair of values, and is null over no items", () => {
    const split = [
      { first: "x", second: "y", items: 1 },
      { first: "x", second: "x", items: 2 },
      { first: "x", second: "y", items: 3 },
    ];
    expect(cohenKappaFromCounts(split)).toEqual(cohenKappaFromCounts([{ first: "x", second: "x", items: 2 }, { first: "x", second: "y", items: 4 }]));
    expect(cohenKappaFromCounts([])).toEqual({ kappa: null, items: 0, agreements: 0 });
  });

  it("equals kappa over the items one by one, on random data", () => {
    const item = fc.tuple(fc.constantFrom("a", "b", "c"), fc.constantFrom("a", "b", "c"));
    fc.assert(
      fc.property(fc.array(item, { maxLength: 60 }), (items) => {
        const a = items.map(([first]) => first);
        const b = items.map(([, second]) => second);
        // Kappa's arithmetic is exact in integers up to the last division: equal, not just close.
        const summed = cohenKappaFromCounts(cellsOf(a, b));
        expect(summed.kappa).toBe(cohenKappa(a, b));
        expect(summed.items).toBe(items.length);
        expect(summed.agreements).toBe(items.filter(([first, second]) => first === second).length);
      }),
    );
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
