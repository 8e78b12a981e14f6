import { describe, expect, it } from "vitest";
import {
  independentSurvival,
  missObservations,
  missRate,
  missRates,
  survivalEstimates,
  wilsonInterval,
  type Defect,
  type MissObservation,
} from "./quality.ts";

const defect = (id: string, revisionId: string, category: string, start: number, end: number): Defect => ({ id, revisionId, category, start, end });

/** Observations over defects of one category, each given as [reviewers who caught it, who missed it]. */
const observed = (...defects: [string[], string[]][]): MissObservation[] =>
  defects.map(([caught, missed], i) => ({ defect: defect(`d${i}`, `r${i}`, "ai_misaligned", 0, 1), caught, missed }));

/** The estimate for k and a rule. */
const at = (estimates: ReturnType<typeof survivalEstimates>, k: number, rule: "any" | "majority") =>
  estimates.find((estimate) => estimate.k === k && estimate.rule === rule)!;

describe("missObservations", () => {
  const defects = [
    defect("d1", "rev1", "factual_error", 10, 20),
    defect("d2", "rev1", "ai_misaligned", 30, 40),
    defect("d3", "rev2", "tag_misuse", 0, 5),
    defect("d4", "rev4", "style", 0, 5),
  ];
  const reviews = [
    // Overlaps d1 with its category; only touches d2's start.
    { reviewer: "alice", revisionId: "rev1", flags: [{ start: 15, end: 25, category: "factual_error" }, { start: 40, end: 50, category: "ai_misaligned" }] },
    // d1's exact range under another category; one code point of d2.
    { reviewer: "bob", revisionId: "rev1", flags: [{ start: 10, end: 20, category: "style" }, { start: 35, end: 36, category: "ai_misaligned" }] },
    // An empty range inside d3 is a point on it.
    { reviewer: "alice", revisionId: "rev2", flags: [{ start: 4, end: 4, category: "tag_misuse" }] },
    { reviewer: "carol", revisionId: "rev2", flags: [] },
    { reviewer: "dave", revisionId: "rev3", flags: [{ start: 0, end: 5, category: "style" }] },
  ];

  it("says per defect which of its revision's reviewers caught it (same category, overlapping) and which missed it", () => {
    expect(missObservations({ defects, reviews }).map(({ defect, caught, missed }) => [defect.id, caught, missed])).toEqual([
      ["d1", ["alice"], ["bob"]],
      ["d2", ["bob"], ["alice"]],
      ["d3", ["alice"], ["carol"]],
      ["d4", [], []],
    ]);
  });

  it("counts a reviewer recorded twice on a revision once, with all their flags", () => {
    const split = [
      { reviewer: "bob", revisionId: "rev1", flags: [] },
      { reviewer: "bob", revisionId: "rev1", flags: [{ start: 12, end: 13, category: "factual_error" }] },
    ];
    expect(missObservations({ defects: defects.slice(0, 1), reviews: split })[0]).toMatchObject({ caught: ["bob"], missed: [] });
  });

  it("feeds miss rates per reviewer, per category and pooled", () => {
    const rates = missRates(missObservations({ defects, reviews }));
    expect(rates.pooled).toEqual(missRate(3, 6));
    expect(rates.pooled.rate).toBe(0.5);
    expect(rates.byReviewer.map(({ reviewer, missed, defects }) => [reviewer, missed, defects])).toEqual([
      ["alice", 1, 3],
      ["bob", 1, 2],
      ["carol", 1, 1],
    ]);
    expect(rates.byCategory.map(({ category, missed, defects }) => [category, missed, defects])).toEqual([
      ["ai_misaligned", 1, 2],
      ["factual_error", 1, 2],
      ["tag_misuse", 1, 2],
    ]);
    expect(rates.byReviewerAndCategory).toHaveLength(6);
    expect(rates.byReviewerAndCategory[0]).toEqual({ reviewer: "alice", category: "ai_misaligned", ...missRate(1, 1) });
  });
});

describe("wilsonInterval", () => {
  it("matches hand-computed values", () => {
    // 5 of 10: centre 0.5, half-width (1.96 / 1.38416)·√(0.025 + 0.009604) = 1.416021·0.186022 = 0.263410.
    const half = wilsonInterval(5, 10)!;
    expect(half.low).toBeCloseTo(0.23659, 5);
    expect(half.high).toBeCloseTo(0.76341, 5);
    // None of 10: from 0 to z²/(n + z²) = 3.8416 / 13.8416; all of 10 mirrors it.
    const none = wilsonInterval(0, 10)!;
    expect(none.low).toBeCloseTo(0, 12);
    expect(none.high).toBeCloseTo(3.8416 / 13.8416, 12);
    const all = wilsonInterval(10, 10)!;
    expect(all.low).toBeCloseTo(10 / 13.8416, 12);
    expect(all.high).toBeCloseTo(1, 12);
    // A smaller z narrows it.
    expect(wilsonInterval(5, 10, 1)!.low).toBeGreaterThan(half.low);
  });

  it("is null without trials and refuses impossible counts", () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 2, 0)).toThrow(RangeError);
  });
});

describe("missRates", () => {
  it("says 'not enough data' with nulls, never NaN", () => {
    expect(missRate(0, 0)).toEqual({ missed: 0, defects: 0, rate: null, interval: null });
    expect(missRates([])).toEqual({ pooled: missRate(0, 0), byReviewer: [], byCategory: [], byReviewerAndCategory: [] });
    expect(missRates(observed([[], []])).pooled.rate).toBeNull();
  });

  it("gives one reviewer's rate with its interval", () => {
    const rates = missRates(observed([["ann"], []], [[], ["ann"]], [[], ["ann"]], [["ann"], []]));
    expect(rates.byReviewer).toEqual([{ reviewer: "ann", missed: 2, defects: 4, rate: 0.5, interval: wilsonInterval(2, 4) }]);
  });
});

describe("independentSurvival", () => {
  it("reproduces the seed's three models at a 1 % miss rate: 0.000298 survive, 99.97 % caught", () => {
    // 3·0.01²·0.99 + 0.01³
    expect(independentSurvival(0.01, 3, "majority")).toBeCloseTo(0.000298, 12);
    expect(((1 - independentSurvival(0.01, 3, "majority")) * 100).toFixed(2)).toBe("99.97");
    expect(independentSurvival(0.01, 3, "any")).toBeCloseTo(1e-6, 15);
  });

  it("is the product under any and the binomial tail under majority", () => {
    expect(independentSurvival(0.5, 2, "any")).toBe(0.25);
    // Majority of 2 needs both, of 4 needs three: 4·0.5⁴ + 0.5⁴; of 5 needs three: (10 + 5 + 1)/32.
    expect(independentSurvival(0.5, 2, "majority")).toBe(0.25);
    expect(independentSurvival(0.5, 4, "majority")).toBe(0.3125);
    expect(independentSurvival(0.5, 5, "majority")).toBe(0.5);
    expect(independentSurvival(0.2, 1, "majority")).toBe(0.2);
  });
});

describe("survivalEstimates", () => {
  it("shows correlated misses: two reviewers who miss the same defects let more through than independence says", () => {
    // Both miss d0 and d1, both catch d2 and d3: p = 4/8 = 0.5, so independence predicts
    // 0.5² = 0.25 for k = 2, while half of the defects really got past both.
    const estimates = survivalEstimates(observed([[], ["x", "y"]], [[], ["x", "y"]], [["x", "y"], []], [["x", "y"], []]));
    expect(estimates).toHaveLength(10);
    expect(at(estimates, 2, "any")).toEqual({ k: 2, rule: "any", independent: 0.25, independentDefects: 4, observed: 0.5, observedDefects: 4 });
    expect(at(estimates, 2, "any").observed!).toBeGreaterThan(at(estimates, 2, "any").independent!);
    expect(at(estimates, 1, "any")).toMatchObject({ independent: 0.5, observed: 0.5, observedDefects: 4 });
    expect(at(estimates, 3, "majority")).toEqual({ k: 3, rule: "majority", independent: 0.5, independentDefects: 4, observed: null, observedDefects: 0 });
  });

  it("averages each defect over the k-reviewer subsets of its reviewers", () => {
    // e0: 1 of 3 reviewers missed; e1: 2 of 3; e2: its only reviewer missed. p = 4/7.
    const estimates = survivalEstimates(observed([["b", "c"], ["a"]], [["c"], ["a", "b"]], [[], ["a"]]));
    // k = 1: (1/3 + 2/3 + 1) / 3.
    expect(at(estimates, 1, "any")).toMatchObject({ observedDefects: 3, independentDefects: 3 });
    expect(at(estimates, 1, "any").observed).toBeCloseTo(2 / 3, 12);
    // k = 2: of the three pairs, e0 has none that both missed, e1 has one: (0 + 1/3) / 2.
    expect(at(estimates, 2, "any").observed).toBeCloseTo(1 / 6, 12);
    expect(at(estimates, 2, "any").independent).toBeCloseTo(16 / 49, 12);
    expect(at(estimates, 2, "majority").observed).toBeCloseTo(1 / 6, 12);
    // k = 3: nobody gets past all three; two of three missed e1, a majority.
    expect(at(estimates, 3, "any")).toMatchObject({ observed: 0, observedDefects: 2 });
    expect(at(estimates, 3, "majority")).toMatchObject({ observed: 0.5, observedDefects: 2 });
    expect(at(estimates, 3, "majority").independent).toBeCloseTo(3 * (16 / 49) * (3 / 7) + 64 / 343, 12);
    expect(at(estimates, 4, "any")).toMatchObject({ observed: null, observedDefects: 0 });
  });

  it("says 'not enough data' with nulls, never NaN, and leaves out defects nobody reviewed", () => {
    for (const estimate of survivalEstimates([])) {
      expect(estimate).toMatchObject({ independent: null, independentDefects: 0, observed: null, observedDefects: 0 });
    }
    expect(at(survivalEstimates(observed([[], []], [["a"], []])), 1, "any")).toMatchObject({ independent: 0, independentDefects: 1, observed: 0, observedDefects: 1 });
  });

  it("gives the seed's figure from a 1 % pooled miss rate, with no observed figure for three reviewers it never had", () => {
    const hundred = observed(...Array.from({ length: 100 }, (_, i): [string[], string[]] => (i === 0 ? [[], ["model"]] : [["model"], []])));
    const estimate = at(survivalEstimates(hundred), 3, "majority");
    expect(estimate.independent).toBeCloseTo(0.000298, 12);
    expect(estimate).toMatchObject({ independentDefects: 100, observed: null, observedDefects: 0 });
  });

  it("honours maxK and refuses a meaningless one", () => {
    expect(survivalEstimates([], 2).map(({ k, rule }) => `${k}${rule}`)).toEqual(["1any", "1majority", "2any", "2majority"]);
    expect(() => survivalEstimates([], 0)).toThrow(RangeError);
  });
});
