/**
 * Agreement between reviewers (SPEC §4, §6): Krippendorff's alpha on verdicts, Cohen's kappa
 * per pair of reviewers and span-level F1 between their flags. Pure functions over plain
 * values; where a figure is undefined they return `null` rather than NaN, so that a dashboard
 * says "not enough data" instead of drawing a number nobody has.
 *
 * Alpha follows Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), nominal
 * metric: every pairable unit (one with at least two values) adds each ordered pair of its
 * values to a coincidence matrix with weight 1/(m − 1), m its number of values, so that each
 * unit contributes m entries; alpha = 1 − D_o/D_e from that matrix.
 */

/** A range of text with a category, such as a reviewer's flag: code points, `end` exclusive. */
export interface LabelledRange {
  start: number;
  end: number;
  category: string;
}

/** Precision, recall and their harmonic mean, each between 0 and 1. */
export interface SpanScores {
  precision: number;
  recall: number;
  f1: number;
}

/** How many times each value occurs. */
function tally<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * Krippendorff's alpha for nominal data. `units[i][c]` is the value coder `c` gave unit `i`,
 * or `null` where `c` did not rate `i`; rows need not be equally long. Units with fewer than
 * two values are left out. Returns `null` when alpha is undefined: no pairable unit, or a
 * single value throughout the pairable units (expected disagreement 0).
 */
export function krippendorffAlpha(units: readonly (readonly (string | null)[])[]): number | null {
  // With o_cc the coincidences of a value with itself and n_c the number of pairable values
  // equal to c (n in all), nominal alpha is
  //   ((n − 1)·Σ o_cc − Σ n_c(n_c − 1)) / (n(n − 1) − Σ n_c(n_c − 1)),
  // whose denominator is an integer: 0 exactly when one value is all there is.
  let agreeing = 0;
  const totals = new Map<string, number>();
  for (const unit of units) {
    const values = unit.filter((value): value is string => value !== null);
    if (values.length < 2) continue;
    for (const [value, count] of tally(values)) {
      agreeing += (count * (count - 1)) / (values.length - 1);
      totals.set(value, (totals.get(value) ?? 0) + count);
    }
  }
  let n = 0;
  let chancePairs = 0;
  for (const count of totals.values()) {
    n += count;
    chancePairs += count * (count - 1);
  }
  const denominator = n * (n - 1) - chancePairs;
  if (denominator === 0) return null;
  return ((n - 1) * agreeing - chancePairs) / denominator;
}

/**
 * Cohen's kappa between two coders: `a[i]` and `b[i]` are the values they gave item `i`.
 * Returns `null` when kappa is undefined: no items, or both coders gave every item one and the
 * same value (chance agreement 1). Throws a `RangeError` when the arrays differ in length,
 * since the items then cannot be paired.
 */
export function cohenKappa(a: readonly string[], b: readonly string[]): number | null {
  if (a.length !== b.length) {
    throw new RangeError(`cohenKappa needs one value per item from each coder; got ${a.length} and ${b.length} values.`);
  }
  const n = a.length;
  let agreements = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) agreements++;
  // In counts: kappa = (n·agreements − Σ a_c·b_c) / (n² − Σ a_c·b_c), exact in integers, so
  // chance agreement of 1 (Σ a_c·b_c = n²) is recognised without rounding.
  const countsB = tally(b);
  let chance = 0;
  for (const [value, count] of tally(a)) chance += count * (countsB.get(value) ?? 0);
  const denominator = n * n - chance;
  if (denominator === 0) return null;
  return (n * agreements - chance) / denominator;
}

/**
 * Span-level agreement of `b` with the reference `a`: a match is a pair of ranges equal in
 * start, end and category, each range matched at most once (so duplicates match only as often
 * as both sides have them). Precision = matches / |b|, recall = matches / |a|. A ratio over no
 * ranges is 1 (nothing claimed was wrong, nothing to find was missed), so two empty arrays
 * score 1 throughout and exactly one empty array gives f1 = 0 (with precision 1 and recall 0
 * when `b` is empty, precision 0 and recall 1 when `a` is).
 */
export function spanF1(a: readonly LabelledRange[], b: readonly LabelledRange[]): SpanScores {
  const key = (range: LabelledRange) => `${range.start}\u0000${range.end}\u0000${range.category}`;
  const reference = tally(a.map(key));
  let matches = 0;
  for (const [range, count] of tally(b.map(key))) matches += Math.min(count, reference.get(range) ?? 0);
  const precision = b.length === 0 ? 1 : matches / b.length;
  const recall = a.length === 0 ? 1 : matches / a.length;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
